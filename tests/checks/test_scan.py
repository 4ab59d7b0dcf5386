"""The periodic scan reminds the assignee and the managers of each missed window once (issue 13 item 9)."""

from __future__ import annotations

from sqlalchemy import select

from app import clock
from app.checks import scan, service
from app.cli import SCAN_STEPS
from app.extensions import db
from app.notifications.models import Notification
from tests.checks.conftest import local


def _notes():
    return db.session.execute(select(Notification.user_id, Notification.dedupe_key, Notification.text)
                              .where(Notification.kind == "check_missed").order_by(Notification.id)).all()


def test_registered_as_a_scan_step():
    assert "checks.missed" in [name for name, _fn in SCAN_STEPS]


def test_a_missed_window_is_reminded_once_to_the_assignee_and_the_manager(world, unit):
    staff, manager = world.users.staff, world.users.manager
    with clock.moved_to(local(2026, 3, 1, 12)):
        task = service.create_task(manager, unit.measures[0].id, cycle=1, cycle_unit="day", starts_at="2026-03-02",
                                   assignee_user_id=staff.id)
        scan.scan_missed()  # the first run looks one day back: nothing has closed yet
    with clock.moved_to(local(2026, 3, 2, 10)):
        service.record_check(staff, task.id, result="normal")  # 2 March: done
    with clock.moved_to(local(2026, 3, 4, 2)):
        counts = scan.scan_missed()
    # 3 March closed without a record: missed, reminded to the staff and the manager.
    assert counts == {"missed": 1, "reminders": 2}
    notes = _notes()
    assert sorted(n.user_id for n in notes) == sorted([staff.id, manager.id])
    assert {n.dedupe_key for n in notes} == {f"check_missed:{task.id}:202603030000"}
    assert "2026-03-03 00:00" in notes[0].text and "超期未排查" in notes[0].text
    with clock.moved_to(local(2026, 3, 4, 3)):
        assert scan.scan_missed() == {"missed": 0, "reminders": 0}
    # Even a scan that looks again at the same windows (its mark lost) reminds nobody twice.
    from app.checks.models import CheckScanState

    db.session.get(CheckScanState, 1).scanned_until = local(2026, 3, 2, 12).replace(tzinfo=None)
    with clock.moved_to(local(2026, 3, 4, 4)):
        assert scan.scan_missed()["reminders"] == 0
    assert len(_notes()) == 2


def test_a_late_record_before_the_scan_is_not_a_miss_and_suspended_windows_are_not_reminded(world, unit):
    from datetime import timedelta

    from app.risks.models import Suspension

    staff, manager = world.users.staff, world.users.manager
    with clock.moved_to(local(2026, 3, 1, 12)):
        task = service.create_task(manager, unit.measures[0].id, cycle=1, cycle_unit="day", starts_at="2026-03-02",
                                   assignee_user_id=staff.id)
        scan.scan_missed()
    db.session.add(Suspension(enterprise_id=unit.point.enterprise_id, risk_point_id=unit.point.id,
                              starts_at=local(2026, 3, 3, 8).replace(tzinfo=None) - timedelta(hours=8),
                              ends_at=local(2026, 3, 3, 20).replace(tzinfo=None) - timedelta(hours=8)))
    with clock.moved_to(local(2026, 3, 3, 1)):
        service.record_check(staff, task.id, result="normal", window_start="2026-03-02T00:00:00+08:00")  # late
    with clock.moved_to(local(2026, 3, 4, 2)):
        assert scan.scan_missed() == {"missed": 0, "reminders": 0}


def test_department_tasks_remind_the_departments_members(world, unit):
    manager = world.users.manager
    with clock.moved_to(local(2026, 3, 1, 12)):
        service.create_task(manager, unit.measures[0].id, cycle=1, cycle_unit="day", starts_at="2026-03-02",
                            assignee_department_id=world.departments.a.id)
        scan.scan_missed()
    with clock.moved_to(local(2026, 3, 3, 2)):
        assert scan.scan_missed(batch=1)["missed"] == 1
    assert sorted(n.user_id for n in _notes()) == sorted([world.users.staff.id, manager.id])
