"""Reminders before the deadline and escalation after it, by tiers: each step once (a second scan sends
nothing), recorded in the hazard's history (``audit verify`` stays green), the tiers of the region."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.cli import scan_in_transaction
from app.clock import today
from app.extensions import db
from app.handoffs.models import ReminderTier
from app.hazards import history, service
from app.hazards.models import HazardEvent
from app.notifications.models import Notification
from tests.hazards.helpers import make_hazard


def on(day):
    return clock.moved_to(clock.local_moment(day, 8))


def texts(user) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind.in_(["hazard_reminder", "hazard_escalation"]))
        .order_by(Notification.id)))


def reminder_events(hazard_id) -> list[dict]:
    return [e.data for e in db.session.scalars(select(HazardEvent).where(
        HazardEvent.hazard_id == hazard_id, HazardEvent.trigger == "reminder").order_by(HazardEvent.seq))]


def scan_twice(day) -> None:
    with on(day):
        scan_in_transaction()
        db.session.commit()
        scan_in_transaction()
        db.session.commit()


def test_tiers_before_at_and_after_the_deadline_each_once(world, db_session):
    u = world.users
    hazard = make_hazard(world, "rectifying")  # deadline in 30 days, the staff responsible
    deadline = hazard.deadline
    code = hazard.code

    scan_twice(deadline - timedelta(days=5))  # no tier yet
    assert texts(u.staff) == []
    scan_twice(deadline - timedelta(days=3))
    assert texts(u.staff) == [f"请抓紧整改 {code} 储罐区法兰泄漏：距整改期限 {deadline} 还有 3 天。"]
    scan_twice(deadline - timedelta(days=2))  # between tiers: nothing new
    assert len(texts(u.staff)) == 1
    scan_twice(deadline - timedelta(days=1))
    scan_twice(deadline)
    assert texts(u.staff)[1:] == [f"请抓紧整改 {code} 储罐区法兰泄漏：距整改期限 {deadline} 还有 1 天。",
                                  f"请今日完成 {code} 储罐区法兰泄漏 的整改：今天是整改期限。"]
    # Overdue: day 1 is the overdue step's reminder; then the manager (3), the principal (7), the
    # authority's inspectors and supervisors (15), each once.
    for days in (1, 3, 4, 7, 8, 15, 16, 30):
        scan_twice(deadline + timedelta(days=days))
    assert len(texts(u.staff)) == 3
    assert texts(u.manager) == [f"请督办 {code} 储罐区法兰泄漏：已逾期 3 天（期限 {deadline}），现提请您处理。"]
    assert texts(u.principal) == [f"请督办 {code} 储罐区法兰泄漏：已逾期 7 天（期限 {deadline}），现提请您处理。"]
    for user in (u.inspector, u.inspector2, u.supervisor):
        assert texts(user) == [f"请监督 {code} 储罐区法兰泄漏 的整改：已逾期 15 天（期限 {deadline}），"
                               "已提醒企业安全管理人员和主要负责人。"]
    assert texts(u.city_supervisor) == [] and texts(u.inspector_b) == []
    events = reminder_events(hazard.id)
    assert [(e["offset_days"], e["audience"]) for e in events] == [
        (-3, "responsible"), (-1, "responsible"), (0, "responsible"), (3, "manager"), (7, "principal"),
        (15, "authority")]
    assert events[3]["recipients"] == [u.manager.id]
    assert history.verify() == {}


def test_a_new_deadline_starts_the_tiers_again(world, db_session):
    u = world.users
    hazard = make_hazard(world, "rectifying")
    first = hazard.deadline
    scan_twice(first - timedelta(days=1))
    with on(first - timedelta(days=1)):
        service.extend(hazard.id, u.manager, deadline=first + timedelta(days=10), reason="设备到货延迟")
        db.session.commit()
    scan_twice(first + timedelta(days=7))
    assert [e["deadline"] for e in reminder_events(hazard.id)] == [first.isoformat(),
                                                                   (first + timedelta(days=10)).isoformat()]
    assert texts(u.staff)[-1].endswith("还有 3 天。")
    assert history.verify() == {}


def test_a_scan_that_missed_days_sends_the_furthest_tier_only(world, db_session):
    u = world.users
    hazard = make_hazard(world, "rectifying")
    scan_twice(hazard.deadline + timedelta(days=8))  # the first scan in weeks
    assert [e["offset_days"] for e in reminder_events(hazard.id)] == [7]
    assert len(texts(u.principal)) == 1 and texts(u.manager) == [] and texts(u.staff) == []


def test_a_region_has_its_own_tiers(world, db_session):
    """County B escalates to its managers after 1 day and to nobody else; county A keeps the defaults."""
    for subject, offset, audience in (("hazard", 1, "manager"), ("progress", 0, "enterprise")):
        db.session.add(ReminderTier(region_id=world.regions.county_b.id, subject=subject, offset_days=offset,
                                    audience=audience))
    for subject, offset, audience in (("hazard", -3, "responsible"), ("hazard", 15, "authority")):
        db.session.add(ReminderTier(region_id=None, subject=subject, offset_days=offset, audience=audience))
    db.session.commit()
    a = make_hazard(world, "rectifying")
    b = make_hazard(world, "rectifying", enterprise=world.enterprises.b)
    for days in (-3, 1, 2, 15):
        scan_twice(a.deadline + timedelta(days=days))
    assert [e["offset_days"] for e in reminder_events(a.id)] == [-3, 15]
    assert [e["offset_days"] for e in reminder_events(b.id)] == [1]
    assert len(texts(world.users.manager_b)) == 1


def test_an_idle_scan_costs_a_few_statements(world, db_session):
    from tests.hazards.test_scan import StatementCounter

    for _ in range(5):
        make_hazard(world, "rectifying")
    scan_twice(today() + timedelta(days=27))
    with on(today() + timedelta(days=27)), StatementCounter() as counter:
        from app.handoffs import reminders

        assert reminders.scan_step() == {"reminded": 0, "reminders": 0, "progress_reminders": 0}
    assert counter.count <= 4  # the tiers, one SELECT of hazards, at most two of listed items
    assert db.session.scalar(select(func.count()).select_from(HazardEvent).where(
        HazardEvent.trigger == "reminder")) == 5
