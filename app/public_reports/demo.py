"""The demo's public reports: filed by the public a few weeks ago, handled through the real services
(one substantiated, made a hazard and rewarded; one not accepted; one waiting)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import Role, User
from app.clock import today
from app.extensions import db
from app.public_reports import service
from app.public_reports.models import ReportDesignee


def _first(role: Role):
    return db.session.scalars(select(User).where(User.role == role, User.active.is_(True),
                                                 User.authority_id.is_not(None)).order_by(User.id)).first()


def seed(ctx: dict) -> None:
    story = ctx.get("story")
    inspector = _first(Role.inspector)
    if story is None or inspector is None:
        return
    supervisor = db.session.scalars(select(User).where(
        User.role == Role.supervisor, User.authority_id == inspector.authority_id)).first()
    state: dict = {}

    def file_reports():
        names = service.enterprises_for_form(inspector.authority, 1)
        state["a"], _s = service.submit(
            category="major_hazard", enterprise_name=names[0] if names else "", location="厂区东侧液氨罐区",
            description="液氨储罐区可燃气体报警器长期处于关闭状态，夜间无人巡检。", name="王小明", phone="13800138000",
            authority_id=inspector.authority_id)
        state["b"], _s = service.submit(
            category="other", location="城东农贸市场旁小作坊", description="有人在居民楼底层私自灌装液化气。",
            authority_id=inspector.authority_id)
        state["c"], _s = service.submit(
            category="violation", location="工业园区3号路", description="夜间有货车在厂区外非法倾倒化工废液。",
            authority_id=inspector.authority_id)
        if db.session.scalar(select(ReportDesignee.id).where(ReportDesignee.user_id == inspector.id)) is None:
            db.session.add(ReportDesignee(user_id=inspector.id, authority_id=inspector.authority_id,
                                          designated_by_id=supervisor.id if supervisor else inspector.id))

    def handle():
        service.decide(inspector, state["a"].id, "accept")
        service.decide(inspector, state["b"].id, "reject", reason="举报事项属于燃气经营管理，已告知向住建部门反映。")

    def verify():
        service.verify(inspector, state["a"].id, substantiated=True,
                       findings="现场核查属实：可燃气体报警器处于关闭状态，已责令立即恢复并限期整改。")
        service.close(inspector, state["a"].id, result="举报属实，已责令企业整改并依法处罚。感谢您的监督。")

    def reward():
        proposal = service.compute(inspector, state["a"].id, fine=20000)
        service.propose_reward(inspector, state["a"].id, amount=proposal.amount, basis=proposal.basis)
        if supervisor is not None:
            service.decide_reward(supervisor, state["a"].id, approved=True)
            service.pay_reward(inspector, state["a"].id, paid_on=today() - timedelta(days=1), method="银行转账")

    story.at(20, "10:00", file_reports)
    story.at(18, "09:30", handle)
    story.at(10, "15:00", verify)
    story.at(3, "11:00", reward)
