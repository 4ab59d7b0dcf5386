"""Demo data of credit: a refused inspection recorded by 信州区 at 信州新型建材, and that enterprise
proposed for the serious-dishonesty list by an inspector and listed by the supervisor (its numbered
decision issued); the automatic records (a listed major hazard overdue, a failed review) come by
themselves from the story of the other features when they happen."""

from __future__ import annotations

from app.clock import today
from app.credit import dishonesty, service


def seed(ctx: dict) -> None:
    story, users = ctx.get("story"), ctx.get("users") or {}
    if story is None or "xz_inspector" not in users or "xinzhou_materials" not in (ctx.get("enterprises") or {}):
        return
    enterprise = ctx["enterprises"]["xinzhou_materials"]
    state: dict = {}

    def refused():
        service.create(users["xz_inspector"], enterprise.id, kind="inspection_refused",
                       source="信州区应急管理局现场检查：企业以生产繁忙为由拒绝执法人员进入成品库检查（检查人员现场记录）")

    def propose():
        state["entry"] = dishonesty.propose(
            users["xz_inspector"], enterprise_id=enterprise.id, condition="unlicensed",
            penalty_decision="（信）应急罚〔2026〕12号",
            evidence={"unlicensed": "安全生产许可证被暂扣期间擅自恢复粉磨车间生产，已受行政处罚"})

    def decide():
        dishonesty.decide(users["xz_supervisor"], state["entry"].id, action="list", notified_on=today())

    story.at(20, "10:00", refused)
    story.at(12, "15:00", propose)
    story.at(10, "09:30", decide)
