"""我的任务 on the phone: cards of today's due and overdue windows, a unit's measures, 全部正常, 异常 with the
hazard report filled in, one record per double tap, the permissions."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.checks.models import CheckRecord
from app.hazards.models import Hazard
from tests.checks.conftest import NOV_MONDAY as MONDAY
from tests.conftest import login


def _records():
    from app.extensions import db

    return db.session.scalars(select(CheckRecord).order_by(CheckRecord.id)).all()


def test_my_tasks_shows_the_unit_with_its_due_and_overdue_checks(world, client, tank_farm):
    login(client, world.users.staff)
    with clock.moved_to(MONDAY):
        page = client.get("/checks/").get_data(as_text=True)
    assert "液氯储罐区" in page
    # Sunday's three daily windows closed at midnight without a check: overdue; today's three are due.
    assert "今天：3项待排查，3项已超期。" in page
    with clock.moved_to(MONDAY + timedelta(days=1, hours=1)):  # Tuesday 09:30: Sunday's are a day old
        page = client.get("/checks/").get_data(as_text=True)
    assert "今天：3项待排查，3项已超期。" in page  # Monday's missed, not Sunday's any more


def test_all_normal_records_each_due_measure_once_even_tapped_twice(world, client, tank_farm):
    login(client, world.users.staff)
    with clock.moved_to(MONDAY):
        page = client.get(f"/checks/units/{tank_farm.point.id}?via=qr").get_data(as_text=True)
        assert "全部正常（3）" in page and "紧急切断阀完好可用" in page and "DCS压力高报警联锁" not in page
        form = {"client_id": "tap-1", "device_id": "phone-7", "via_qr": "1"}
        assert client.post(f"/checks/units/{tank_farm.point.id}/all-normal", data=form).status_code == 302
        client.post(f"/checks/units/{tank_farm.point.id}/all-normal", data=form)  # the double tap
    records = _records()
    assert len(records) == 3
    assert {(r.result.value, r.via_qr, r.device_id, r.late) for r in records} == {("normal", True, "phone-7", False)}
    with clock.moved_to(MONDAY):
        page = client.get(f"/checks/units/{tank_farm.point.id}").get_data(as_text=True)
    assert 'id="all-normal"' not in page and page.count(">已排查<") == 3 and page.count(">超期未排查<") == 3


def test_abnormal_opens_the_report_filled_in_and_records_a_hazard_once(world, client, tank_farm):
    login(client, world.users.staff)
    task = tank_farm.tasks[1]
    with clock.moved_to(MONDAY):
        page = client.get(f"/checks/tasks/{task.id}/abnormal").get_data(as_text=True)
        assert "紧急切断阀完好可用" in page and "液氯储罐区" in page
        assert 'capture="environment"' in page and 'accept="image/*"' in page
        empty = client.post(f"/checks/tasks/{task.id}/abnormal", data={"note": "", "client_id": "x1"})
        assert empty.status_code == 422 and _records() == []
        data = {"note": "切断阀执行机构漏气", "client_id": "abn-1", "device_id": "phone-7"}
        first = client.post(f"/checks/tasks/{task.id}/abnormal", data=data)
        again = client.post(f"/checks/tasks/{task.id}/abnormal", data=data)
    assert first.status_code == again.status_code == 302
    assert first.headers["Location"] == again.headers["Location"]
    [record] = _records()
    hazard = db_get(Hazard, record.hazard_id)
    assert record.result.value == "abnormal" and hazard.description == "切断阀执行机构漏气"
    assert hazard.control_measure_id == tank_farm.measures[1].id and hazard.risk_point_id == tank_farm.point.id
    assert hazard.reported_by_duty is True  # the member of staff is the source's 操作负责人


def db_get(model, ident):
    from app.extensions import db

    return db.session.get(model, ident)


def test_an_overdue_window_is_recorded_late(world, client, tank_farm):
    login(client, world.users.staff)
    sunday = (MONDAY - timedelta(days=1)).replace(hour=0, minute=0)
    with clock.moved_to(MONDAY.replace(hour=0, minute=30)):
        page = client.get("/checks/").get_data(as_text=True)
        assert "3项已超期" in page
        resp = client.post(f"/checks/tasks/{tank_farm.tasks[0].id}/normal",
                           data={"window_start": sunday.isoformat(), "client_id": "late-1"})
    assert resp.status_code == 302
    [record] = _records()
    assert record.late is True


def test_permissions_foreign_unit_404_not_assigned_403(world, client, tank_farm):
    task = tank_farm.tasks[0]
    login(client, world.users.staff_b)
    assert client.get(f"/checks/units/{tank_farm.point.id}").status_code == 404
    assert client.post(f"/checks/tasks/{task.id}/normal", data={}).status_code == 404
    assert client.get(f"/checks/tasks/{task.id}/abnormal").status_code == 404
    login(client, world.users.principal)  # same enterprise, not assigned
    with clock.moved_to(MONDAY):
        assert client.post(f"/checks/tasks/{task.id}/normal", data={}).status_code == 403
        assert client.get(f"/checks/tasks/{task.id}/abnormal").status_code == 403
        page = client.get(f"/checks/units/{tank_farm.point.id}").get_data(as_text=True)
    assert "今天没有您在本单元的排查" in page
    assert _records() == []


def test_the_old_checklist_address_leads_to_my_tasks(world, client):
    login(client, world.users.staff)
    resp = client.get("/risks/checks")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/checks/")
