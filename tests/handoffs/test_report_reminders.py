"""The periodic report (隐患排查治理情况统计分析表) is reminded by the same tiers as hazards: before, on and
after its due date (2026-Q3: 15 October 2026), each step once, recorded (who, when), to the next person
in its hand-off (the manager generates and reviews, the principal signs, the manager submits), up to
the authority when overdue, and no more once it is submitted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from app import clock
from app.cli import scan_in_transaction
from app.dashboard import report_reminders, reports
from app.extensions import db
from app.handoffs.models import ReminderSent, ReminderTier
from app.notifications.models import Notification


def on(day: date):
    return clock.moved_to(clock.local_moment(day, 8))


def texts(user) -> list[str]:
    return list(db.session.scalars(select(Notification.text).where(
        Notification.user_id == user.id, Notification.kind == "report_due").order_by(Notification.id)))


def scan_twice(day: date) -> None:
    with on(day):
        scan_in_transaction()
        db.session.commit()
        scan_in_transaction()
        db.session.commit()


def test_the_quarterly_report_is_reminded_by_tiers_to_the_next_in_line_each_once(world, db_session, client):
    u = world.users
    scan_twice(date(2026, 10, 11))  # four days before: no tier yet
    assert texts(u.manager) == [] and texts(u.manager_b) == []
    scan_twice(date(2026, 10, 12))
    expected = "2026-Q3 隐患排查治理情况统计分析表应于 2026-10-15 前报送，还有 3 天：请生成报表并审核。"
    assert texts(u.manager) == [expected] and texts(u.manager_b) == [expected]
    assert texts(u.principal) == []
    # The manager generates and reviews it: the next reminder goes to the principal, who signs.
    with on(date(2026, 10, 13)):
        report = reports.generate(u.manager, None, "2026-Q3")
        reports.review(u.manager, report.id)
        db.session.commit()
    scan_twice(date(2026, 10, 14))
    assert texts(u.principal) == ["2026-Q3 隐患排查治理情况统计分析表应于 2026-10-15 前报送，还有 1 天：请签字。"]
    assert len(texts(u.manager)) == 1 and len(texts(u.manager_b)) == 2
    with on(date(2026, 10, 15)):
        reports.approve(u.principal, report.id)
        reports.submit(u.manager, report.id)
        db.session.commit()
    # Submitted: enterprise a hears no more; enterprise b is reminded on the day, then escalated.
    for day in (15, 16, 18, 19, 22, 23):
        scan_twice(date(2026, 10, day))
    assert len(texts(u.manager)) == 1 and len(texts(u.principal)) == 1
    assert texts(u.manager_b)[2:] == [
        "2026-Q3 隐患排查治理情况统计分析表今天到期：请生成报表并审核。",
        "2026-Q3 隐患排查治理情况统计分析表已逾期 3 天（应于 2026-10-15 前报送）：请生成报表并审核。"]
    authority_text = ("乙机械有限公司 尚未报送 2026-Q3 隐患排查治理情况统计分析表（应于 2026-10-15 前报送，已逾期 7 天），"
                      "请督促。")
    assert texts(u.inspector_b) == [authority_text] and texts(u.supervisor_b) == [authority_text]
    assert texts(u.inspector) == []
    # Recorded: who was told at which tier.
    sent = report_reminders.sent_for(world.enterprises.b.id, "2026-Q3")
    assert [(r.offset_days, r.audience) for r in sent] == [
        (-3, "responsible"), (-1, "responsible"), (0, "responsible"), (3, "enterprise"), (7, "authority")]
    assert sent[-1].recipients == sorted([u.inspector_b.id, u.supervisor_b.id])
    # The report's page lists the reminders sent for it.
    from tests.conftest import login

    login(client, u.manager)
    page = client.get(f"/dashboard/reports/{report.id}").get_data(as_text=True)
    assert "已发送的提醒" in page and "期限前 3 天 · 责任人（下一经办人）" in page and "期限前 1 天" in page
    # Long past its last tier, a later scan chases nothing.
    before = db.session.scalar(select(func.count()).select_from(ReminderSent))
    scan_twice(date(2026, 11, 5))
    assert db.session.scalar(select(func.count()).select_from(ReminderSent)) == before


def test_a_region_has_its_own_report_tiers(world, db_session):
    u = world.users
    region = world.regions.county_b
    db.session.add(ReminderTier(region_id=region.id, subject="report", offset_days=-10, audience="principal"))
    db.session.commit()
    scan_twice(date(2026, 10, 5))
    assert texts(u.manager) == [] and texts(u.manager_b) == []
    assert db.session.scalar(select(func.count()).select_from(ReminderSent).where(
        ReminderSent.object_id == world.enterprises.b.id, ReminderSent.audience == "principal")) == 1
