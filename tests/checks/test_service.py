"""The use cases of scheduled checks: definitions, records, hazards, permissions (issue 13 items 2–4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.checks import service
from app.checks.models import CheckRecord, CheckTask
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from tests.checks.conftest import DAILY, MONDAY, local, make_unit


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _task(world, unit, **kw):
    fields = {**DAILY, "assignee_user_id": world.users.staff.id, **kw}
    with clock.moved_to(local(2026, 3, 1, 12)):
        return service.create_task(world.users.manager, unit.measures[0].id, **fields)


# --- definitions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fields, field, words", [
    ({"cycle": 0}, "cycle", "正整数"), ({"cycle": -2}, "cycle", "正整数"),
    ({"cycle": "abc"}, "cycle", "整数"),
    ({"cycle_unit": "hour", "cycle": 2}, "work_start", "工作时段"),
    ({"cycle_unit": "hour", "cycle": 2, "work_start": "18:00", "work_end": "08:00"}, "work_end", "晚于"),
    ({"cycle_unit": "fortnight"}, "cycle_unit", "有效的选项"),
    ({"starts_at": "yesterday"}, "starts_at", "日期和时间"),
    ({"task_type": "technical"}, "task_number", "必填"),
    ({"task_type": "technical", "task_number": 12}, "task_number", "包保"),
    ({"task_number": 3}, "task_number", "包保"),
])
def test_a_bad_definition_is_refused_on_its_field_and_nothing_is_saved(world, unit, fields, field, words):
    with pytest.raises(Invalid) as exc:
        _task(world, unit, **fields)
    assert field in exc.value.fields
    assert words.lower() in " ".join(exc.value.fields[field]).lower()
    assert _count(CheckTask) == 0


def test_assignee_must_be_of_the_enterprise_and_one_only(world, unit):
    with pytest.raises(Invalid) as exc:
        _task(world, unit, assignee_user_id=world.users.staff_b.id)
    assert "assignee_user_id" in exc.value.fields
    with pytest.raises(Invalid) as exc:
        _task(world, unit, assignee_department_id=world.departments.a.id)
    assert "assignee_user_id" in exc.value.fields  # both given
    with pytest.raises(Invalid):
        _task(world, unit, assignee_user_id=None)
    assert _count(CheckTask) == 0


def test_only_the_enterprise_manager_defines_tasks(world, unit):
    for user in (world.users.staff, world.users.principal, world.users.inspector):
        with pytest.raises(Forbidden):
            service.create_task(user, unit.measures[0].id, **DAILY, assignee_user_id=world.users.staff.id)
    with pytest.raises(NotFound):
        service.create_task(world.users.manager_b, unit.measures[0].id, **DAILY,
                            assignee_user_id=world.users.staff.id)
    assert _count(CheckTask) == 0


def test_a_measure_watched_by_monitoring_has_no_check_task(world):
    auto = make_unit(world, name="DCS", data_source="automatic")
    with pytest.raises(Invalid) as exc:
        service.create_task(world.users.manager, auto.measures[0].id, **DAILY, assignee_user_id=world.users.staff.id)
    assert "measure_id" in exc.value.fields


def test_hourly_task_keeps_its_hours_and_the_unit(world, unit):
    task = _task(world, unit, cycle=3, cycle_unit="hour", work_start="8:00", work_end="18:00")
    assert (task.work_start, task.work_end, task.risk_point_id) == ("08:00", "18:00", unit.point.id)
    assert task.starts_at == local(2026, 3, 2).replace(tzinfo=None) - timedelta(hours=8)  # stored in UTC


def test_bulk_creates_one_task_per_measure_of_the_level_and_only_once(world, unit):
    other = make_unit(world, name="装车台", control_level="team")
    with clock.moved_to(local(2026, 3, 1, 12)):
        tasks = service.create_tasks_bulk(world.users.manager, enterprise_id=world.enterprises.a.id,
                                          control_level="department", **DAILY,
                                          assignee_department_id=world.departments.a.id)
        assert sorted(t.measure_id for t in tasks) == sorted(m.id for m in unit.measures)
        assert all(t.control_level.value == "department" for t in tasks)
        again = service.create_tasks_bulk(world.users.manager, enterprise_id=world.enterprises.a.id,
                                          control_level="department", **DAILY,
                                          assignee_department_id=world.departments.a.id)
    assert again == []
    assert other.measures[0].id not in {t.measure_id for t in tasks}


def test_deactivation_is_final_and_stops_new_windows(world, unit):
    task = _task(world, unit)
    with clock.moved_to(local(2026, 3, 4, 10)):
        service.update_task(world.users.manager, task.id, active=False)
        assert task.ends_at is not None and not task.active
        with pytest.raises(Invalid) as exc:
            service.update_task(world.users.manager, task.id, active=True)
        assert "active" in exc.value.fields
        with pytest.raises(Forbidden):
            service.update_task(world.users.staff, task.id, active=False)
    with clock.moved_to(local(2026, 3, 5, 10)), pytest.raises(Invalid):
        service.record_check(world.users.staff, task.id, result="normal")  # no window after the end


# --- records ---------------------------------------------------------------------------------------

def test_record_of_the_open_window_is_on_time_and_a_past_one_is_late(world, unit):
    task = _task(world, unit)
    with clock.moved_to(MONDAY):
        r1 = service.record_check(world.users.staff, task.id, result="normal", device_id="IMEI-1", via_qr=True,
                                  latitude=28.7, longitude=115.8)
    assert (r1.late, r1.via_qr, r1.device_id, r1.hazard_id) == (False, True, "IMEI-1", None)
    assert r1.window_start == local(2026, 3, 2).replace(tzinfo=None) - timedelta(hours=8)
    with clock.moved_to(local(2026, 3, 4, 8)):
        r2 = service.record_check(world.users.staff, task.id, result="normal", window_start="2026-03-03T00:00:00+08:00")
    assert r2.late is True
    assert abs(r2.recorded_at - (local(2026, 3, 4, 8).replace(tzinfo=None) - timedelta(hours=8))) < timedelta(minutes=1)


def test_records_refused_nothing_written(world, unit):
    task = _task(world, unit)
    with clock.moved_to(MONDAY):
        with pytest.raises(Invalid) as exc:  # an upcoming window
            service.record_check(world.users.staff, task.id, result="normal", window_start="2026-03-03T00:00:00+08:00")
        assert "window_start" in exc.value.fields
        with pytest.raises(Invalid) as exc:  # no window starts then
            service.record_check(world.users.staff, task.id, result="normal", window_start="2026-03-01T12:00:00+08:00")
        with pytest.raises(Invalid) as exc:
            service.record_check(world.users.staff, task.id, result="abnormal", note="  ")
        assert "note" in exc.value.fields
        with pytest.raises(Invalid) as exc:
            service.record_check(world.users.staff, task.id, result="normal", latitude=91, longitude=0)
        assert "latitude" in exc.value.fields
        with pytest.raises(Forbidden):  # not assigned
            service.record_check(world.users.manager, task.id, result="normal")
        with pytest.raises(NotFound):  # another enterprise
            service.record_check(world.users.staff_b, task.id, result="normal")
        with pytest.raises(NotFound):
            service.record_check(world.users.inspector_b, task.id, result="normal")
        with pytest.raises(Forbidden):  # an authority sees it but checks nothing
            service.record_check(world.users.inspector, task.id, result="normal")
    assert _count(CheckRecord) == 0


def test_one_record_per_window_and_a_client_id_records_once(world, unit):
    task = _task(world, unit)
    with clock.moved_to(MONDAY):
        first = service.record_check(world.users.staff, task.id, result="normal", client_id="tap-1")
        again = service.record_check(world.users.staff, task.id, result="normal", client_id="tap-1")
        assert again.id == first.id
        with pytest.raises(Conflict):
            service.record_check(world.users.staff, task.id, result="normal", client_id="tap-2")
    assert _count(CheckRecord) == 1


def test_a_department_task_is_recorded_by_anyone_in_it_or_below(world, unit):
    f = world.factory
    team = f.department(world.enterprises.a, name="一班", level="team", parent=world.departments.a)
    member = f.user("enterprise_staff", enterprise=world.enterprises.a, department=team)
    outsider = f.user("enterprise_staff", enterprise=world.enterprises.a)
    task = _task(world, unit, assignee_user_id=None, assignee_department_id=world.departments.a.id)
    assert task.control_level.value == "department"
    with clock.moved_to(MONDAY):
        with pytest.raises(Forbidden):
            service.record_check(outsider, task.id, result="normal")
        record = service.record_check(member, task.id, result="normal")
    assert record.checker_id == member.id


def test_an_abnormal_check_reports_a_linked_hazard_with_a_valid_history(world, unit):
    from app.hazards import history
    from app.hazards.models import Hazard, HazardEvent

    task = _task(world, unit)
    with clock.moved_to(MONDAY):
        record = service.record_check(world.users.staff, task.id, result="abnormal", note="液位计玻璃管破裂")
    hazard = db.session.get(Hazard, record.hazard_id)
    assert hazard.state == "reported"
    assert (hazard.control_measure_id, hazard.check_record_id, hazard.risk_point_id) == \
        (unit.measures[0].id, record.id, unit.point.id)
    assert hazard.danger_source.value == "measure_failure"
    assert hazard.description == "液位计玻璃管破裂" and "液位计完好" in hazard.title
    events = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)).all()
    assert [e.trigger for e in events] == ["report"]
    assert history.verify_hazard(events) is None


def test_routine_source_when_the_finding_is_not_the_measure_failing(world, unit):
    from app.hazards.models import Hazard

    task = _task(world, unit)
    with clock.moved_to(MONDAY):
        record = service.record_check(world.users.staff, task.id, result="abnormal", note="地面油污",
                                      danger_source="routine")
    assert db.session.get(Hazard, record.hazard_id).danger_source.value == "routine"


def test_all_normal_records_every_due_window_of_the_unit_once(world, unit):
    t1 = _task(world, unit)
    with clock.moved_to(local(2026, 3, 1, 12)):
        t2 = service.create_task(world.users.manager, unit.measures[1].id, **DAILY,
                                 assignee_user_id=world.users.staff.id)
        service.create_task(world.users.manager, unit.measures[1].id, **DAILY,
                            assignee_user_id=world.users.manager.id)  # not the staff's
    with clock.moved_to(MONDAY):
        records = service.record_all_normal(world.users.staff, unit.point.id, client_id="all-1", via_qr=True)
        assert sorted(r.task_id for r in records) == sorted([t1.id, t2.id])
        again = service.record_all_normal(world.users.staff, unit.point.id, client_id="all-1")
        assert sorted(r.id for r in again) == sorted(r.id for r in records)
        assert service.record_all_normal(world.users.staff, unit.point.id, client_id="all-2") == []
    assert _count(CheckRecord) == 2


def test_duty_task_defaults_to_the_objects_duty_person(world):
    from app.risks.models import RiskObject

    obj = RiskObject(enterprise_id=world.enterprises.a.id, name="液氯罐区", major_hazard_level=2,
                     principal_user_id=world.users.principal.id, technical_user_id=world.users.manager.id,
                     operator_user_id=world.users.staff.id)
    db.session.add(obj)
    db.session.flush()
    u = make_unit(world, name="1#液氯储罐", object_=obj)
    with clock.moved_to(local(2026, 3, 1, 12)):
        task = service.create_task(world.users.manager, u.measures[0].id, cycle=3, cycle_unit="month",
                                   starts_at="2026-01-01", task_type="technical", task_number=1)
    assert task.assignee_user_id == world.users.manager.id and task.task_number == 1


# --- calendar -------------------------------------------------------------------------------------

def test_shipped_calendar_is_in_force_and_the_admin_imports_a_year(world):
    cal = service.calendar()
    assert cal.has_year(2026) and not cal.is_workday(local(2026, 2, 16).date())
    assert service.missing_calendar_years(local(2026, 12, 1).date()) == [2027]
    text = ("year 2027\ntitle 国务院办公厅关于2027年部分节假日安排的通知\ndocument 国办发明电〔2026〕1号\n"
            "holiday 2027-01-01 2027-01-01 元旦\n")
    with pytest.raises(Forbidden):
        service.import_calendar(world.users.manager, text)
    assert service.import_calendar(world.users.admin, text) == [2027]
    assert service.missing_calendar_years(local(2026, 12, 1).date()) == []
    assert not service.calendar().is_workday(local(2027, 1, 1).date())
    assert "year 2027" in service.export_calendar()
    with pytest.raises(Invalid) as exc:
        service.import_calendar(world.users.admin, "year 2028\nholiday 2028-01-03 2028-01-01 元旦\n")
    assert "file" in exc.value.fields and "2" in exc.value.fields["file"][0]
    with pytest.raises(Invalid):
        service.delete_calendar_year(world.users.admin, 2026) if db.session.get(
            __import__("app.checks.models", fromlist=["x"]).WorkCalendarYear, 2026) else (_ for _ in ()).throw(
            Invalid())
    service.delete_calendar_year(world.users.admin, 2027)
    assert service.missing_calendar_years(local(2026, 12, 1).date()) == [2027]
