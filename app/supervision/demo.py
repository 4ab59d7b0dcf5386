"""Demo data of supervision: proposals waiting, one listed major hazard with its supervision notice,
one dismissed proposal, and an on-site inspection with its rectification order.

Everything goes through the real services (hazard lifecycle, rules, decisions, documents)."""

from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from app import clock
from app.cli import demo_step
from app.clock import today
from app.extensions import db
from app.hazards import service as hazards
from app.hazards.models import Hazard
from app.risks.models import RiskPoint, RiskPointKind
from app.supervision import inspections, service
from workflows.grades import Grade

PLAN = {
    "goal": "消除液氯储罐区泄漏及超压风险", "measures": "增设紧急切断阀和泄漏报警联锁，更换老化管线",
    "funds": "专项资金38万元", "organisation": "总经理牵头，设备部、安全环保部具体实施",
    "time_requirements": "60日内完成并申请验收", "safety_and_emergency": "治理期间储罐区停用，设置警戒区，执行液氯泄漏专项应急预案",
    "workers_congress_how": "职工代表大会专题通报",
}


def _point(enterprise, name: str, grade: Grade) -> RiskPoint:
    # Prefer a point of the risk register's demo (same grade) over making one of our own.
    existing = db.session.scalar(select(RiskPoint).where(RiskPoint.enterprise_id == enterprise.id,
                                                         RiskPoint.assessed_grade == grade).limit(1))
    if existing is not None:
        return existing
    point = RiskPoint(enterprise_id=enterprise.id, name=name, area=name, kind=RiskPointKind.place,
                      assessed_grade=grade)
    db.session.add(point)
    db.session.flush()
    return point


def _confirmed(users, key: str, enterprise, title: str, *, level="general", risk_point=None, days=30,
               overdue_by: int | None = None) -> Hazard:
    if overdue_by is not None:  # recorded as of the day of its confirmation, ``days`` before the deadline
        with clock.shifted(timedelta(days=-(days + overdue_by))):
            return _confirmed(users, key, enterprise, title, level=level, risk_point=risk_point, days=days)
    manager, principal, staff = (users[f"{key}_manager"], users[f"{key}_principal"], users[f"{key}_staff"])
    hazard = hazards.create_hazard(staff, enterprise=enterprise, title=title, description=f"{title}，存在事故风险。",
                                   location=risk_point.name if risk_point else "厂区", risk_point=risk_point)
    if level == "major":
        hazards.save_plan(hazard.id, manager, workers_congress_reported_on=today(), **PLAN)
        hazards.approve_plan(hazard.id, principal)
    hazards.fire(hazard.id, "confirm", manager, level=level, deadline=today() + timedelta(days=days),
                 responsible_user_id=staff.id, measures="按治理方案整改")
    return hazard


@demo_step("supervision")
def seed(ctx: dict) -> None:
    from app.hazards.scan import scan_overdue

    users, ents = ctx["users"], ctx["enterprises"]
    made = ctx.setdefault("hazards", [])
    # A major hazard at 江丰化工 (广丰区): confirmation proposes it to the city, which lists it.
    major = _confirmed(users, "jiangfeng", ents["jiangfeng"], "液氯储罐区未设置紧急切断装置", level="major",
                       days=60)
    proposal = service.active_listing_or_proposal(major.id)
    service.decide(proposal.id, users["sr_supervisor"], "list", deadline=today() + timedelta(days=60))
    service.report_progress(proposal.id, users["jiangfeng_manager"], "紧急切断阀已到货，储罐已倒空置换，计划下周安装。")
    # Proposals waiting: a second major hazard (city) and an orange one overdue by 20 days (county).
    second = _confirmed(users, "hengli", ents["hengli"], "铸造车间熔炼炉冷却水系统无应急水源", level="major", days=45)
    steel_point = _point(ents["raocheng_steel"], "高炉煤气区域", Grade.orange)
    overdue = _confirmed(users, "raocheng_steel", ents["raocheng_steel"], "煤气区域固定式报警仪未定期校验",
                         risk_point=steel_point, overdue_by=20)
    # A dismissed proposal: yellow, overdue by 40 days, dismissed by the district with a reason.
    textile_point = _point(ents["guangfeng_textile"], "织造车间", Grade.yellow)
    dismissed = _confirmed(users, "guangfeng_textile", ents["guangfeng_textile"], "织造车间配电箱门缺失",
                           risk_point=textile_point, overdue_by=40)
    # The periodic scan records them overdue; its signal makes the proposals (the rules fire).
    scan_overdue()
    waiting = service.active_listing_or_proposal(dismissed.id)
    service.decide(waiting.id, users["gf_supervisor"], "dismiss",
                   reason="企业已于检查当日完成整改，待企业提交验收即可，不再挂牌。")
    # An on-site inspection of 信州新型建材 by 信州区 with its rectification order.
    inspection = inspections.record(
        users["xz_inspector"], enterprise_id=ents["xinzhou_materials"].id, inspected_on=today(),
        start_time=time(9, 30), end_time=time(11, 45), place="粉磨车间、成品仓库",
        second_officer_id=users["xz_inspector2"].id, findings="重点检查粉尘防爆与有限空间作业。",
        problems=[
            inspections.Problem("粉磨车间除尘器未设置泄爆装置", deadline=today() + timedelta(days=15)),
            inspections.Problem("除尘系统未采取防静电接地措施", deadline=today() + timedelta(days=15)),
            inspections.Problem("有限空间作业未执行审批制度", deadline=today() + timedelta(days=7)),
        ])
    made.extend([major, second, dismissed, overdue, *(item.hazard for item in inspection.items)])
    db.session.flush()
