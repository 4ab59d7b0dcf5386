"""The figures, recounted by hand on a small fixture (issue 13 items 3, 7, 8): planned, done, late, missed,
suspended, completion rate = done ÷ (planned − suspended), per group and per period; and the windows list."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from app.checks import queries, service
from app.checks.models import CheckTask
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from tests.checks.conftest import local, make_unit
from workflows.check_figures import task_figures


def utc(dt):
    return dt.replace(tzinfo=None) - timedelta(hours=8)


@pytest.fixture
def week(world):
    """Week of Monday 2 March 2026 (no holiday), enterprise a:

    * daily task (staff), unit A: 2 Mar done, 3 done, 4 recorded on the 6th (late), 5 missed, 6 done (a
      suspension that day too: the record wins), 7 suspended (unit stopped 08–12), 8 missed;
    * weekly task (manager), unit B: 2–8 Mar, done on the 5th;
    * 4-hourly task on working days 08–16 (staff), unit C: 2 windows a working day, 10 in the week;
      2 Mar 08–12 done, 12–16 recorded at 17:00 (late), the 8 others missed.

    Hand count for 2–8 Mar: planned 7 + 1 + 10 = 18; done 3 + 1 + 1 = 5; late 1 + 0 + 1 = 2;
    suspended 1; missed 2 + 0 + 8 = 10; rate 5 / (18 − 1) = 5/17.
    """
    from app.risks.models import Suspension

    m, staff = world.users.manager, world.users.staff
    a, b, c = make_unit(world, name="A"), make_unit(world, name="B"), make_unit(world, name="C")
    with clock.moved_to(local(2026, 3, 1, 12)):
        daily = service.create_task(m, a.measures[0].id, cycle=1, cycle_unit="day", starts_at="2026-03-02",
                                    assignee_user_id=staff.id)
        weekly = service.create_task(m, b.measures[0].id, cycle=1, cycle_unit="week", starts_at="2026-03-02",
                                     assignee_user_id=m.id)
        hourly = service.create_task(m, c.measures[0].id, cycle=4, cycle_unit="hour", starts_at="2026-03-02",
                                     workday_type="workdays", work_start="08:00", work_end="16:00",
                                     assignee_user_id=staff.id)
    db.session.add_all([
        Suspension(enterprise_id=a.point.enterprise_id, risk_point_id=a.point.id,
                   starts_at=utc(local(2026, 3, 7, 8)), ends_at=utc(local(2026, 3, 7, 12)), reason="检修"),
        Suspension(enterprise_id=a.point.enterprise_id, risk_point_id=a.point.id,
                   starts_at=utc(local(2026, 3, 6, 12)), ends_at=utc(local(2026, 3, 6, 13)), reason="停电"),
    ])
    db.session.flush()

    def rec(when, task, user, start=None):
        with clock.moved_to(when):
            return service.record_check(user, task.id, result="normal", window_start=start)

    rec(local(2026, 3, 2, 9), daily, staff)
    rec(local(2026, 3, 3, 9), daily, staff)
    rec(local(2026, 3, 6, 9), daily, staff, "2026-03-04T00:00:00+08:00")
    rec(local(2026, 3, 6, 10), daily, staff)
    rec(local(2026, 3, 5, 15), weekly, m)
    rec(local(2026, 3, 2, 9), hourly, staff)
    rec(local(2026, 3, 2, 17), hourly, staff, "2026-03-02T12:00:00+08:00")
    return daily, weekly, hourly


NOW = local(2026, 3, 9, 10)


def stats(user, **kw):
    with clock.moved_to(NOW):
        return queries.check_stats(user, **kw)


def test_enterprise_week_recounted_by_hand(world, week):
    s = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-08")
    assert {k: s[k] for k in ("planned", "done", "late", "missed", "suspended")} == \
        {"planned": 18, "done": 5, "late": 2, "missed": 10, "suspended": 1}
    assert s["completion_rate"] == pytest.approx(5 / 17)
    assert s["due"] == 0  # the period ended before now


def test_every_task_equals_the_cores_reference_walk(world, week):
    from app.checks.service import suspensions_for_points

    a, b = local(2026, 3, 2).replace(tzinfo=None), local(2026, 3, 9).replace(tzinfo=None)
    counts = None
    with clock.moved_to(NOW):
        counts = queries.task_counts([world.enterprises.a.id], a, b + timedelta(days=1))
        periods = suspensions_for_points({t.risk_point_id for t in week})
        for task in week:
            recs = {r.window_start + timedelta(hours=8): r.recorded_at + timedelta(hours=8)
                    for r in db.session.scalars(db.select(__import__("app.checks.models", fromlist=["x"]).CheckRecord)
                                                .where(__import__("app.checks.models", fromlist=["x"]).CheckRecord.task_id == task.id))}
            ref = task_figures(task.schedule, a, b + timedelta(days=1), NOW.replace(tzinfo=None), recs,
                               periods.get(task.risk_point_id, ()), service.calendar())
            row = next(r for r in counts if r.id == task.id)
            assert counts[row] == [ref.planned, ref.done, ref.late, ref.suspended, ref.due]


def test_the_open_window_is_due_not_planned(world, week):
    s = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-09")
    # 9 March: the daily window and the 08–12 window are open (due); the weekly one opened today too.
    assert (s["planned"], s["due"]) == (18, 3)


def test_consecutive_periods_add_up(world, week):
    whole = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-08")
    first = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-04")
    second = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-05", to="2026-03-08")
    for key in ("planned", "done", "late", "missed", "suspended"):
        assert first[key] + second[key] == whole[key]
    assert (first["planned"], first["done"], first["late"]) == (3 + 6, 2 + 1, 1 + 1)


def test_groups_by_person_department_and_type(world, week):
    by_user = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02",
                    to="2026-03-08", group_by="user")
    rows = {g["user_id"]: g for g in by_user["groups"]}
    staff, manager = rows[world.users.staff.id], rows[world.users.manager.id]
    assert (staff["planned"], staff["done"], staff["late"], staff["missed"], staff["suspended"]) == (17, 4, 2, 10, 1)
    assert (manager["planned"], manager["done"], manager["completion_rate"]) == (1, 1, 1.0)
    assert staff["name"] == world.users.staff.display_name
    by_dept = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02",
                    to="2026-03-08", group_by="department")
    depts = {g["department_id"]: g["planned"] for g in by_dept["groups"]}
    assert depts == {world.departments.a.id: 17, None: 1}
    by_type = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02",
                    to="2026-03-08", group_by="task_type")
    assert [(g["task_type"], g["planned"], g["name"]) for g in by_type["groups"]] == [("routine", 18, "日常排查")]


def test_authorities_see_their_regions_figures_and_nobody_elses(world, week):
    county = stats(world.users.inspector, region_id=world.regions.county_a.id, from_="2026-03-02",
                   to="2026-03-08", group_by="enterprise")
    assert county["planned"] == 18
    assert [(g["enterprise_id"], g["planned"]) for g in county["groups"]] == [(world.enterprises.a.id, 18)]
    city = stats(world.users.city_supervisor, region_id=world.regions.city.id, from_="2026-03-02", to="2026-03-08")
    assert city["planned"] == 18
    other = stats(world.users.inspector_b, from_="2026-03-02", to="2026-03-08")
    assert other["planned"] == 0 and other["completion_rate"] is None
    with pytest.raises(NotFound):
        stats(world.users.inspector_b, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-08")
    with pytest.raises(NotFound):
        stats(world.users.inspector_b, region_id=world.regions.county_a.id, from_="2026-03-02", to="2026-03-08")
    with pytest.raises(NotFound):
        stats(world.users.manager_b, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-08")
    with pytest.raises(Forbidden):
        stats(world.users.staff, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-08")
    with pytest.raises(Invalid) as exc:
        stats(world.users.manager, from_="2026-03-08", to="2026-03-01")
    assert "to" in exc.value.fields


def test_a_deactivated_task_stops_counting(world, week):
    daily = week[0]
    with clock.moved_to(local(2026, 3, 5, 12)):
        service.update_task(world.users.manager, daily.id, active=False)
    s = stats(world.users.manager, enterprise_id=world.enterprises.a.id, from_="2026-03-02", to="2026-03-08",
              group_by="user")
    staff = next(g for g in s["groups"] if g["user_id"] == world.users.staff.id)
    # daily: 2, 3, 4 (late), 5 (open when deactivated: still counts) → 4 windows, missed 1 (the 5th)
    assert (staff["planned"], staff["done"], staff["late"], staff["missed"]) == (4 + 10, 2 + 1, 1 + 1, 1 + 8)


def test_my_windows_today_and_the_missed_ones_of_the_week(world, week):
    with clock.moved_to(NOW):
        today = queries.windows_for(world.users.staff, assignee="me")
        states = [(w["task_id"], w["starts_at"] + timedelta(hours=8), w["state"]) for w in today]
        daily, _weekly, hourly = week
        assert states == [
            (daily.id, local(2026, 3, 9).replace(tzinfo=None), "due"),
            (hourly.id, local(2026, 3, 9, 8).replace(tzinfo=None), "due"),
            (hourly.id, local(2026, 3, 9, 12).replace(tzinfo=None), "upcoming"),
        ]
        missed = queries.windows_for(world.users.staff, assignee="me", state="missed", from_="2026-03-02",
                                     to="2026-03-08")
        assert len(missed) == 10
        suspended = queries.windows_for(world.users.manager, state="suspended", from_="2026-03-02", to="2026-03-08")
        assert [w["starts_at"] + timedelta(hours=8) for w in suspended] == [local(2026, 3, 7).replace(tzinfo=None)]
        # Staff see only their own windows, whatever they ask; other enterprises nothing.
        assert {w["task_id"] for w in queries.windows_for(world.users.staff, from_="2026-03-02",
                                                             to="2026-03-08")} == {daily.id, hourly.id}
        assert queries.windows_for(world.users.staff_b, assignee="me") == []
        with pytest.raises(NotFound):
            queries.windows_for(world.users.manager_b, enterprise_id=world.enterprises.a.id)
        inspector = queries.windows_for(world.users.inspector, from_="2026-03-02", to="2026-03-08")
        assert len(inspector) == 7 + 1 + 10  # read-only: every window of the enterprise
    assert all(isinstance(w["state"], str) for w in inspector)
    assert db.session.query(CheckTask).count() == 3
