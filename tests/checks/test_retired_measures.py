"""A control measure retired, or its whole unit retired, is checked no more: its tasks end then, so its
later windows are not missed (and nobody is reminded of them); what was recorded before stays."""

from __future__ import annotations

from app import clock
from app.checks import queries, service
from app.extensions import db
from app.risks import events
from app.risks import service as risks
from tests.checks.conftest import local


def _daily(world, measure):
    return service.create_task(world.users.manager, measure.id, cycle=1, cycle_unit="day", starts_at="2026-03-02",
                               assignee_user_id=world.users.staff.id)


def test_retiring_a_measure_ends_its_tasks(world, unit):
    with clock.moved_to(local(2026, 3, 1, 12)):
        task, other = _daily(world, unit.measures[0]), _daily(world, unit.measures[1])
        db.session.commit()
    with clock.moved_to(local(2026, 3, 2, 10)):
        service.record_check(world.users.staff, task.id, result="normal")
    with clock.moved_to(local(2026, 3, 3, 9)):
        events.update_measure(world.users.manager, unit.measures[0].id, active=False)
        db.session.commit()
    db.session.refresh(task), db.session.refresh(other)
    assert not task.active and task.ends_at is not None
    assert other.active
    with clock.moved_to(local(2026, 3, 10, 2)):
        windows = queries.windows_for(world.users.manager, from_="2026-03-02", to="2026-03-09")
    by_task = {t: [w["state"] for w in windows if w["task_id"] == t] for t in (task.id, other.id)}
    # The retired measure's task: 2 March done, 3 March open when it ended; no window after that.
    assert by_task[task.id][0] == "done" and len(by_task[task.id]) == 2
    # The other measure's task goes on: 3 to 8 March closed without a record.
    assert by_task[other.id].count("missed") >= 6


def test_retiring_a_unit_ends_the_tasks_of_all_its_measures(world, unit):
    with clock.moved_to(local(2026, 3, 1, 12)):
        tasks = [_daily(world, m) for m in unit.measures]
        db.session.commit()
    with clock.moved_to(local(2026, 3, 5, 9)):
        risks.update_point(world.users.manager, unit.point.id, status="retired")
        db.session.commit()
    for task in tasks:
        db.session.refresh(task)
        assert not task.active and task.ends_at is not None
