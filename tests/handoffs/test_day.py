"""Each role's day, with a real SMTP server and a real webhook receiver on loopback: who was told what, once.

Jobs run in-process after each commit here (no Redis configured): a delivery is tried as soon as the
transaction that made the reminder commits, as in ``make run``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock, todos
from app.clock import today
from app.errors import Invalid
from app.extensions import db
from app.hazards import history, service
from app.hazards.models import Hazard, HazardEvent
from app.notifications import service as notifications
from app.notifications.models import Notification
from tests.hazards.helpers import jpeg_bytes, make_hazard
from tests.jobs.receivers import HttpReceiver, SmtpReceiver


def told(user) -> list[str]:
    """The reminders a user has, oldest first."""
    return list(db.session.scalars(select(Notification.text).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def kinds(user) -> list[str]:
    return [t.kind for t in todos.items(user)]


@pytest.fixture
def receivers(app, world, monkeypatch):
    """SMTP and a signed webhook on loopback; the enterprise's people read e-mail, the inspector the webhook."""
    u = world.users
    for user in (u.staff, u.manager, u.principal, u.inspector, u.supervisor):
        user.email = f"{user.username}@example.com"
    notifications.save_preferences(u.inspector, channels={"email": False, "sms": False, "wecom": False,
                                                          "dingtalk": False, "webhook": True}, quiet_hours="")
    db.session.commit()
    with SmtpReceiver() as smtp, HttpReceiver(204) as hook:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", smtp.port)
        monkeypatch.setitem(app.config, "WEBHOOK_URL", hook.url + "/hook")
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "shared")
        yield smtp, hook


def mails_to(smtp, user) -> list[str]:
    return [msg.get_content() for rcpts, msg in smtp.messages if rcpts == [user.email]]


def test_a_self_found_hazard_from_report_to_acceptance(world, receivers):
    smtp, _hook = receivers
    u = world.users
    # Staff reports: the manager is asked to confirm (once), nobody else is told.
    hazard = service.create_hazard(u.staff, enterprise=world.enterprises.a, title="配电箱门未关闭",
                                   location="二车间", attachments=[("before", "b.jpg", jpeg_bytes())])
    db.session.commit()
    code = hazard.code
    assert told(u.manager) == [f"请确认 {code} 配电箱门未关闭：{u.staff.display_name} 新报告的隐患，请确定等级、整改责任人和整改期限。"]
    assert told(u.principal) == [] and told(u.staff) == []
    assert "hazard_confirm" in kinds(u.manager) and kinds(u.staff) == []
    assert any(code in text for text in mails_to(smtp, u.manager))

    # The manager confirms: the item leaves his list, the staff (responsible) is told and has it to rectify.
    service.confirm(hazard.id, u.manager, level="general", deadline=today() + timedelta(days=10),
                    responsible_user_id=u.staff.id, measures="关闭并加锁")
    db.session.commit()
    assert "hazard_confirm" not in kinds(u.manager)
    assert kinds(u.staff) == ["hazard_rectify"]
    assert len(told(u.staff)) == 1

    # An extension asked for a date before the current deadline: 422 on the date, nothing changed.
    before = db.session.get(Hazard, hazard.id).version
    with pytest.raises(Invalid) as refused:
        service.request_extension(hazard.id, u.staff, deadline=today() + timedelta(days=5), reason="缺配件")
    assert "deadline" in refused.value.fields
    db.session.rollback()
    assert db.session.get(Hazard, hazard.id).version == before
    assert db.session.get(Hazard, hazard.id).extension_requested is None

    # A proper request: the manager (who may extend this self-found hazard) is asked to decide.
    asked = today() + timedelta(days=20)
    service.request_extension(hazard.id, u.staff, deadline=asked.isoformat(), reason="锁具需采购")
    db.session.commit()
    assert told(u.manager)[-1].startswith(f"请审批 {code} 配电箱门未关闭 的延期申请")
    assert asked.isoformat() in told(u.manager)[-1]
    assert "extension_decide" in kinds(u.manager)

    # Granted: the deadline moves, the staff is told, the request leaves the manager's list.
    service.decide_extension(hazard.id, u.manager, granted=True, reason="同意")
    db.session.commit()
    hazard = db.session.get(Hazard, hazard.id)
    assert hazard.deadline == asked and hazard.extension_requested is None
    assert told(u.staff)[-1] == f"您对 {code} 配电箱门未关闭 的延期申请已获同意：请于 {asked.isoformat()} 前完成整改。"
    assert "extension_decide" not in kinds(u.manager)

    # Reassignment: someone of another enterprise is refused (422), the principal is accepted and told.
    with pytest.raises(Invalid) as refused:
        service.reassign(hazard.id, u.manager, responsible_user_id=u.staff_b.id, reason="调岗")
    assert "responsible_user_id" in refused.value.fields
    db.session.rollback()
    service.reassign(hazard.id, u.manager, responsible_user_id=u.principal.id, reason="原责任人调岗")
    db.session.commit()
    assert told(u.principal) == [f"请于 {asked.isoformat()} 前整改 {code} 配电箱门未关闭：您已被指定为整改责任人（原因：原责任人调岗）。"]
    assert "hazard_rectify" in kinds(u.principal) and "hazard_rectify" not in kinds(u.staff)

    # The principal submits: the manager is asked to review ("请验收 …"), once.
    service.add_attachment(hazard.id, u.principal, kind="after", filename="a.jpg", data=jpeg_bytes((9, 200, 9)))
    service.submit(hazard.id, u.principal, rectification="已加锁")
    db.session.commit()
    review = [t for t in told(u.manager) if t.startswith("请验收")]
    assert review == [f"请验收 {code} 配电箱门未关闭：{u.principal.display_name} 已提交整改，请验收或退回。"]
    assert "hazard_review" in kinds(u.manager)
    service.accept(hazard.id, u.manager, comment="合格")
    db.session.commit()
    assert kinds(u.manager) == [] and kinds(u.principal) == []

    # Every reminder went out once by e-mail to whoever it was for (nobody has switched it off).
    for user in (u.manager, u.staff, u.principal):
        assert len(mails_to(smtp, user)) == len(told(user))
    events = [e.trigger for e in db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                                                    .order_by(HazardEvent.seq))]
    assert events == ["report", "attach", "confirm", "request_extension", "decide_extension", "reassign",
                      "attach", "submit", "accept"]
    assert history.verify() == {}


def test_a_refused_extension_keeps_the_deadline_and_needs_a_reason(world, db_session):
    u = world.users
    hazard = make_hazard(world, "rectifying")
    deadline = hazard.deadline
    service.request_extension(hazard.id, u.staff, deadline=deadline + timedelta(days=9), reason="停产检修后")
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        service.decide_extension(hazard.id, u.manager, granted=False)
    assert "reason" in refused.value.fields
    db.session.rollback()
    service.decide_extension(hazard.id, u.manager, granted=False, reason="风险较大，不予延期")
    db.session.commit()
    hazard = db.session.get(Hazard, hazard.id)
    assert hazard.deadline == deadline and hazard.extension_requested is None
    assert "未获同意（风险较大，不予延期）" in told(u.staff)[-1]
    event = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                               .order_by(HazardEvent.seq.desc())).first()
    assert event.trigger == "decide_extension" and event.data["granted"] is False
    # Nothing waits any more: a second decision is refused.
    with pytest.raises(Invalid):
        service.decide_extension(hazard.id, u.manager, granted=True)
    db.session.rollback()
    assert history.verify() == {}


def test_the_inspectors_order_and_review_tell_the_enterprise(world, receivers):
    """Government-found: the order tells the manager and principal what to do; submitted items ask the
    inspectors of the authority (over the webhook for the one who chose it); the opinion tells the result."""
    from app.supervision import inspections

    smtp, hook = receivers
    u = world.users
    problem = inspections.Problem(title="消防通道堵塞", description="", location="仓库", measures="",
                                  deadline=today() + timedelta(days=7))
    inspection = inspections.record(u.inspector, enterprise_id=world.enterprises.a.id, inspected_on=today(),
                                    start_time=clock.local_moment(today(), 9).time(),
                                    end_time=clock.local_moment(today(), 10).time(),
                                    second_officer_id=u.inspector2.id, problems=[problem])
    db.session.commit()
    order = db.session.get(type(inspection), inspection.id)
    (item,) = order.items
    for user in (u.manager, u.principal):
        (text,) = [t for t in told(user) if t.startswith("请查收责令限期整改指令书")]
        assert "1 项隐患" in text
    assert not any(t.startswith("请确认") for t in told(u.manager))  # the order is the confirmation

    responsible = db.session.get(Hazard, item.hazard_id).responsible_user
    service.add_attachment(item.hazard_id, responsible, kind="after", filename="a.jpg", data=jpeg_bytes())
    service.submit(item.hazard_id, responsible, rectification="已清理")
    db.session.commit()
    code = db.session.get(Hazard, item.hazard_id).code
    for inspector in (u.inspector, u.inspector2):
        assert [t for t in told(inspector) if t.startswith("请验收")] == [
            f"请验收 {code} 消防通道堵塞：{responsible.display_name} 已提交整改，请验收或退回。"]
    assert "hazard_review" in kinds(u.inspector) and "hazard_review" not in kinds(u.manager)
    assert [r for r in hook.requests if code in r["body"].decode()], "the inspector's webhook was called"

    inspections.review(u.inspector, inspection.id, [inspections.Verdict(item.id, "accept")], opinion="整改合格")
    db.session.commit()
    for user in (u.manager, u.principal):
        assert len([t for t in told(user) if t.startswith("请查阅整改复查意见书")]) == 1
    assert "hazard_review" not in kinds(u.inspector)


def test_plan_proposal_listing_and_progress(world, db_session):
    """Major hazard: the complete plan asks the principal; confirming proposes to the city, whose supervisor
    is asked; the listing tells the manager and principal, who then owe a monthly progress report."""
    from app.supervision import service as supervision
    from app.supervision.models import Listing

    u = world.users
    hazard = service.create_hazard(u.staff, enterprise=world.enterprises.a, title="液氨储罐无紧急切断",
                                   attachments=[("before", "b.jpg", jpeg_bytes())])
    service.save_plan(hazard.id, u.manager, goal="加装", measures="紧急切断阀", funds="20万", organisation="设备部",
                      time_requirements="30天", safety_and_emergency="停用", workers_congress_reported_on=today())
    db.session.commit()
    assert [t for t in told(u.principal) if "治理方案" in t] == [
        f"请审批 {hazard.code} 液氨储罐无紧急切断 的治理方案：方案已编制完整，等待您批准。"]
    assert kinds(u.principal) == ["plan_approve"]
    service.approve_plan(hazard.id, u.principal)
    db.session.commit()
    assert kinds(u.principal) == []

    service.confirm(hazard.id, u.manager, level="major", deadline=today() + timedelta(days=60),
                    responsible_user_id=u.staff.id, measures="加装紧急切断阀")
    db.session.commit()
    listing = db.session.scalar(select(Listing).where(Listing.hazard_id == hazard.id))
    asked = [t for t in told(u.city_supervisor) if t.startswith("请审议是否对 甲化工有限公司")]
    # The rule in words, as the proposal's page shows it, never its code.
    assert asked == [f"请审议是否对 甲化工有限公司 的 {hazard.code} 液氨储罐无紧急切断 挂牌督办"
                     f"（规则：{supervision.rule_text(listing.rule)}）。"], asked
    assert listing.rule not in asked[0] and "重大" in asked[0]
    assert "listing_decide" in kinds(u.city_supervisor) and kinds(u.supervisor) == []

    supervision.decide(listing.id, u.city_supervisor, "list")
    db.session.commit()
    assert "listing_decide" not in kinds(u.city_supervisor)
    for user in (u.manager, u.principal):
        assert [t for t in told(user) if "已被挂牌督办" in t][0].endswith("并每月在隐患页面报送整改进展。")
        assert "progress_report" in kinds(user)
    supervision.report_progress(listing.id, u.manager, "阀门已采购，待安装")
    db.session.commit()
    assert "progress_report" not in kinds(u.manager) and "progress_report" not in kinds(u.principal)


def test_the_enterprise_files_its_monthly_report_from_the_hazard_page(client, world, db_session):
    from app.supervision import service as supervision
    from app.supervision.models import Listing, ListingProgress
    from tests.conftest import login

    u = world.users
    hazard = make_hazard(world, "rectifying", level="major")
    listing = db.session.scalar(select(Listing).where(Listing.hazard_id == hazard.id))
    supervision.decide(listing.id, u.city_supervisor, "list")
    db.session.commit()
    login(client, u.principal)
    page = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "月度整改进展报告" in page and f'action="/supervision/listings/{listing.id}"' in page
    resp = client.post(f"/supervision/listings/{listing.id}", data={"progress-text": "切断阀已安装，待调试"})
    assert resp.status_code == 302
    assert db.session.scalar(select(ListingProgress.text).where(ListingProgress.listing_id == listing.id)) == \
        "切断阀已安装，待调试"
    assert "本月已报送" in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "progress_report" not in kinds(u.principal)
    # The staff sees the hazard but does not report for the enterprise: no form.
    login(client, u.staff)
    assert "月度整改进展报告" not in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)


def test_progress_reminders_before_the_month_ends_and_escalation_after(world, db_session):
    """The monthly report: the enterprise is reminded 3 days and 1 day before the month's end and on the day;
    5 days into the next month without one the listing authority is told; each once."""
    from datetime import date

    from app.cli import scan_in_transaction
    from app.supervision import service as supervision
    from app.supervision.models import Listing

    u = world.users
    day = date(2026, 10, 10)
    with clock.moved_to(clock.local_moment(day, 9)):
        hazard = make_hazard(world, "rectifying", level="major")
        listing = db.session.scalar(select(Listing).where(Listing.hazard_id == hazard.id))
        supervision.decide(listing.id, u.city_supervisor, "list")
        db.session.commit()

    def progress_texts(user):
        return list(db.session.scalars(select(Notification.text).where(
            Notification.user_id == user.id, Notification.kind == "progress_due").order_by(Notification.id)))

    for d in (date(2026, 10, 27), date(2026, 10, 28), date(2026, 10, 29), date(2026, 10, 30), date(2026, 10, 31),
              date(2026, 11, 3), date(2026, 11, 5), date(2026, 11, 6)):
        for _ in range(2):
            with clock.moved_to(clock.local_moment(d, 9)):
                scan_in_transaction()
                db.session.commit()
    for user in (u.manager, u.principal):
        texts = progress_texts(user)
        assert len(texts) == 3 and all("2026-10-31" in t for t in texts)
    (escalated,) = progress_texts(u.city_supervisor)
    assert "2026-10 未报送整改进展" in escalated
    assert progress_texts(u.supervisor) == []
