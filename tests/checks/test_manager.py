"""The manager: tasks defined from the register (one measure, or every measure of a control level), the
figures by department / person / task type and period, hand-counted; the drill into the missed windows;
the Excel export's numbers; who may see what."""

from __future__ import annotations

import io
from datetime import datetime

from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.checks import queries, service
from app.checks.models import CheckTask
from app.extensions import db
from tests.conftest import login


def at(day, hh=9, mm=0):
    return clock.local_moment(datetime(2026, 11, day).date(), hh, mm)


def _history(world, tank_farm):
    """Daily tasks since Sunday 1 Nov. Mon 2: all three done; Tue 3: none (task 0 recorded late on Wed);
    Wed 4: task 1 done. Seen on Thu 5 at 10:00, for 1–4 Nov: 12 planned, 4 on time, 1 late, 7 missed."""
    staff = world.users.staff
    t0, t1, _t2 = tank_farm.tasks
    with clock.moved_to(at(2)):
        service.record_all_normal(staff, tank_farm.point.id, client_id="mon")
    with clock.moved_to(at(4)):
        service.record_check(staff, t0.id, window_start="2026-11-03T00:00:00+08:00", result="normal")
    with clock.moved_to(at(4, 10)):
        service.record_check(staff, t1.id, result="normal")
    db.session.commit()


def test_figures_by_department_person_and_task_type_are_the_hand_count(world, client, tank_farm):
    _history(world, tank_farm)
    login(client, world.users.manager)
    with clock.moved_to(at(5, 10)):
        for group_by, name in (("department", "安全部"), ("user", world.users.staff.display_name),
                               ("task_type", "日常排查")):
            page = client.get(f"/checks/stats?from=2026-11-01&to=2026-11-04&group_by={group_by}").get_data(as_text=True)
            assert 'id="fig-planned">12<' in page and 'id="fig-done">4<' in page
            assert 'id="fig-late">1<' in page and 'id="fig-missed">7<' in page and 'id="fig-rate">33.3%<' in page
            assert f"<td>{name}</td>" in page
        # One day: Tuesday's three windows, none on time, one late.
        page = client.get("/checks/stats?from=2026-11-03&to=2026-11-03").get_data(as_text=True)
        assert 'id="fig-planned">3<' in page and 'id="fig-late">1<' in page and 'id="fig-missed">2<' in page
        assert 'id="fig-rate">0.0%<' in page


def test_drill_into_the_missed_windows_and_export(world, client, tank_farm):
    _history(world, tank_farm)
    login(client, world.users.manager)
    with clock.moved_to(at(5, 10)):
        page = client.get("/checks/missed?from=2026-11-01&to=2026-11-04").get_data(as_text=True)
        assert "7个时段未排查" in page
        # One row per task with its count: Sun 1 and Tue 3 for the valve (Wed 4 was done).
        assert page.count("<td>紧急切断阀完好可用</td>") == 1
        t0, t1, t2 = tank_farm.tasks
        row = page[page.index(f'id="missed-task-{t1.id}"'):]
        assert row[:row.index("</tr>")].split('<td class="num">')[1].split(">")[1].startswith("2<")
        # The task's own missed windows, a page at a time (keyset).
        windows = client.get(f"/checks/missed?from=2026-11-01&to=2026-11-04&task_id={t2.id}").get_data(as_text=True)
        assert [cell.split("</td>")[0] for cell in windows.split("<td>")[1:]] == [
            "2026-11-01 00:00 — 2026-11-02 00:00", "2026-11-03 00:00 — 2026-11-04 00:00",
            "2026-11-04 00:00 — 2026-11-05 00:00"]
        first, cursor = queries.missed_windows(world.users.manager, t2.id, from_="2026-11-01", to="2026-11-04",
                                               limit=2)
        rest, end = queries.missed_windows(world.users.manager, t2.id, from_="2026-11-01", to="2026-11-04",
                                           after=cursor, limit=2)
        assert [w["start"].day for w in first] == [1, 3] and [w["start"].day for w in rest] == [4] and end is None
        stats = client.get("/checks/stats.xlsx?from=2026-11-01&to=2026-11-04&group_by=department")
        missed = client.get("/checks/missed?from=2026-11-01&to=2026-11-04&format=xlsx")
    ws = load_workbook(io.BytesIO(stats.data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert rows[0][:8] == ["部门", "应排查", "按时完成", "逾期排查", "超期未排查", "停用/检修", "待排查", "完成率"]
    assert rows[1][:6] == ["安全部", 12, 4, 1, 7, 0]
    assert rows[-1][:6] == ["合计", 12, 4, 1, 7, 0] and abs(rows[-1][7] - 4 / 12) < 1e-9
    ws = load_workbook(io.BytesIO(missed.data)).active
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=5)]
    assert sorted(r[-1] for r in rows) == [2, 2, 3]


def test_manager_defines_a_task_and_a_control_level_in_bulk(world, client, tank_farm):
    login(client, world.users.manager)
    manual, automatic = tank_farm.measures[0], tank_farm.measures[3]
    with clock.moved_to(at(5, 10)):
        page = client.get("/checks/register").get_data(as_text=True)
        assert "液氯储罐区" in page and "DCS压力高报警联锁" in page and "自动化监控" in page
        bad = client.post(f"/checks/measures/{manual.id}/tasks/new",
                          data={"cycle": "0", "cycle_unit": "hour", "starts_on": "2026-11-05",
                                "workday_type": "every_day", "assignee": f"u:{world.users.staff.id}",
                                "task_type": "routine"})
        assert bad.status_code == 422
        text = bad.get_data(as_text=True)
        assert "周期必须是正整数" in text and "按小时排查的任务须填写工作时段" in text
        auto = client.post(f"/checks/measures/{automatic.id}/tasks/new",
                           data={"cycle": "1", "cycle_unit": "day", "starts_on": "2026-11-05",
                                 "workday_type": "every_day", "assignee": f"u:{world.users.staff.id}",
                                 "task_type": "routine"})
        assert auto.status_code == 422 and "由自动化监控" in auto.get_data(as_text=True)
        before = db.session.scalar(select(db.func.count()).select_from(CheckTask))
        ok = client.post(f"/checks/measures/{manual.id}/tasks/new",
                         data={"cycle": "2", "cycle_unit": "hour", "starts_on": "2026-11-05", "work_start": "08:00",
                               "work_end": "18:00", "workday_type": "workdays",
                               "assignee": f"d:{world.departments.a.id}", "task_type": "routine"})
        assert ok.status_code == 302
        task = db.session.scalars(select(CheckTask).order_by(CheckTask.id.desc())).first()
        assert (task.cycle, task.cycle_unit.value, task.work_start, task.assignee_department_id) == \
            (2, "hour", "08:00", world.departments.a.id)
        tank_farm.point.control_level = "team"
        db.session.commit()
        bulk = client.post("/checks/tasks/bulk", data={"control_level": "team", "cycle": "1", "cycle_unit": "week",
                                                       "starts_on": "2026-11-02", "workday_type": "every_day",
                                                       "assignee": f"u:{world.users.manager.id}",
                                                       "task_type": "routine"})
        assert bulk.status_code == 302
        again = client.post("/checks/tasks/bulk", data={"control_level": "team", "cycle": "1", "cycle_unit": "week",
                                                        "starts_on": "2026-11-02", "workday_type": "every_day",
                                                        "assignee": f"u:{world.users.manager.id}",
                                                        "task_type": "routine"})
        assert again.status_code == 302
    assert db.session.scalar(select(db.func.count()).select_from(CheckTask)) == before + 1 + 3


def test_who_sees_the_figures_and_defines_tasks(world, client, tank_farm):
    measure = tank_farm.measures[0]
    login(client, world.users.staff)
    assert client.get("/checks/stats").status_code == 403
    assert client.get("/checks/register").status_code == 403
    assert client.get(f"/checks/measures/{measure.id}/tasks/new").status_code == 403
    login(client, world.users.manager_b)
    assert client.get(f"/checks/measures/{measure.id}/tasks/new").status_code == 404
    assert client.get(f"/checks/stats?enterprise_id={world.enterprises.a.id}").status_code == 200  # his own
    login(client, world.users.principal)
    assert client.get("/checks/stats").status_code == 200
    login(client, world.users.inspector_b)  # another county: enterprise a is not his
    assert client.get(f"/checks/stats?enterprise_id={world.enterprises.a.id}").status_code == 404


def test_the_authority_sees_the_figures_per_enterprise_of_its_region(world, client, tank_farm):
    _history(world, tank_farm)
    login(client, world.users.city_inspector)
    with clock.moved_to(at(5, 10)):
        page = client.get("/checks/stats?from=2026-11-01&to=2026-11-04").get_data(as_text=True)
        assert 'id="fig-planned">12<' in page and 'id="fig-missed">7<' in page
        row = page[page.index("<td>甲化工有限公司</td>"):]
        row = row[:row.index("</tr>")]
        assert [c.split("</td>")[0].split(">")[-1] for c in row.split('<td class="num">')[1:4]] == ["12", "4", "1"]
        drill = client.get(f"/checks/missed?from=2026-11-01&to=2026-11-04&group_by=enterprise"
                           f"&key={world.enterprises.a.id}").get_data(as_text=True)
        assert "7个时段未排查" in drill and "甲化工有限公司" in drill
    login(client, world.users.inspector_b)
    with clock.moved_to(at(5, 10)):
        page = client.get("/checks/stats?from=2026-11-01&to=2026-11-04").get_data(as_text=True)
    assert 'id="fig-planned">0<' in page and "甲化工有限公司" not in page.split('id="groups"')[1]
