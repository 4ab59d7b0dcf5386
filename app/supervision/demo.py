"""Demo data of supervision, as it came about over the past weeks: a major hazard at 江丰化工 listed by
the city with its supervision notice and the enterprise's progress reports; a major hazard of 恒力机械
waiting in the city's queue; an orange hazard of 饶城特钢 overdue long enough for the district's queue;
a yellow one of 锦绣纺织 proposed when overdue and dismissed once the enterprise had rectified it; and
an on-site inspection of 信州新型建材 with its rectification order.

Every step is a dated action of the demo's story, played through the real services (hazard lifecycle,
the nightly scan whose listing rules make the proposals, decisions, inspections and their documents).
"""

from __future__ import annotations

from datetime import time, timedelta

from app.clock import today
from app.hazards import service as hazards
from app.hazards.demo import people_of, photo, plan
from app.supervision import inspections, service
from app.supervision.seed import ensure_references

LISTED_PLAN = plan(
    "消除液氯储罐区泄漏后无法紧急切断的风险", "储罐进出料管线增设紧急切断阀，与液位、压力及氯气泄漏报警联锁，接入SIS",
    "专项资金38万元，列入年度安全生产费用", "总经理任组长，设备部、安全环保部具体实施",
    "60日内完成并申请验收", "治理期间储罐降低液位运行，设置警戒区，执行液氯泄漏专项应急预案")
WAITING_PLAN = plan(
    "为熔炼炉冷却水系统设置应急水源，防止断水漏炉", "新建50 m³高位应急水箱并设自动切换阀，冷却水系统增设温度、流量监测报警",
    "专项资金15万元", "总经理任组长，设备部实施，铸造车间配合", "45日内完成",
    "完成前熔炼期间安排专人监视冷却水压力，停电时立即停炉并执行漏炉事故现场处置方案")


def _hazard_story(story, ctx, key: str, *, title: str, point: str, location: str, description: str,
                  factor: str, accident: str, measures: str, report_day: int, confirm_day: int,
                  deadline_days: int, major_plan: dict | None = None, seed: int = 900) -> dict:
    """Schedule report (by an employee), plan and approval (major), confirmation by the safety manager."""
    enterprise = ctx["enterprises"][key]
    people = people_of(enterprise)
    risk_point = (ctx.get("risk_points") or {}).get((key, point))
    state: dict = {}

    def report():
        hazard = hazards.create_hazard(
            people["staff"], enterprise=enterprise, title=title, description=description, location=location,
            risk_point=risk_point, nature="unsafe_condition", hazard_factor=factor, accident_type=accident,
            level="major" if major_plan else None, attachments=[("before", f"IMG_{seed:04d}.jpg", photo(seed))])
        state["hazard"] = hazard
        ctx.setdefault("hazards", []).append(hazard)

    def plan_and_approve():
        hazards.save_plan(state["hazard"].id, people["manager"], workers_congress_reported_on=today(), **major_plan)
        hazards.approve_plan(state["hazard"].id, people["principal"])

    def confirm():
        hazards.fire(state["hazard"].id, "confirm", people["manager"], level="major" if major_plan else "general",
                     deadline=today() + timedelta(days=deadline_days), responsible_user_id=people["staff2"].id,
                     responsible_department_id=people["staff2"].department_id, measures=measures)

    story.at(report_day, "09:30", report)
    if major_plan:
        story.at(confirm_day + 1, "16:00", plan_and_approve)
    story.at(confirm_day, "10:30", confirm)
    return state


def seed(ctx: dict) -> None:
    # The tables inspectors pick from: a migrated database has them; a demo on a bare schema needs them.
    ensure_references()
    story, users = ctx.get("story"), ctx.get("users") or {}
    if story is None or "jiangfeng_manager" not in users:
        return

    # 江丰化工 (广丰区): a red major hazard, proposed to the city on confirmation and listed by it.
    listed = _hazard_story(
        story, ctx, "jiangfeng", title="液氯储罐区未设置紧急切断装置", point="液氯储罐区", location="罐区液氯储罐V-101至V-104",
        description="液氯储罐区构成二级重大危险源，储罐进出料管线未设置紧急切断装置，属重大事故隐患判定标准第六项情形。",
        factor="2101", accident="19", measures="按治理方案增设紧急切断阀并实现联锁。", report_day=58, confirm_day=53,
        deadline_days=60, major_plan=LISTED_PLAN, seed=901)

    def list_it():
        proposal = service.active_listing_or_proposal(listed["hazard"].id)
        deadline = listed["hazard"].deadline  # the deadline of the approved plan
        service.decide(proposal.id, users["sr_supervisor"], "list", deadline=deadline,
                       requirements=f"于{deadline.year}年{deadline.month}月{deadline.day}日前完成紧急切断装置的安装和联锁调试，"
                                    "治理期间落实监控措施，每月报告整改进展。")
        listed["listing"] = proposal

    story.at(50, "15:00", list_it)
    for day, text in ((28, "紧急切断阀选型及设计变更已完成，设备已订货，储罐已降液位运行。"),
                      (5, "紧急切断阀已到货，V-101、V-102储罐已倒空置换，计划下周安装并联锁调试。")):
        story.at(day, "17:00", lambda text=text: service.report_progress(
            listed["listing"].id, users["jiangfeng_manager"], text))

    # 恒力机械 (信州区): a major hazard confirmed a week ago waits in the city's queue.
    _hazard_story(
        story, ctx, "hengli", title="熔炼炉冷却水系统未设置应急水源", point="中频感应熔炼炉", location="铸造车间1号、2号中频炉",
        description="中频炉冷却水系统仅有市政供水一路水源，未设置应急水源，停电或断水时可能漏炉。",
        factor="2101", accident="18", measures="按治理方案设置应急水源并完善监测报警。", report_day=12, confirm_day=8,
        deadline_days=45, major_plan=WAITING_PLAN, seed=902)

    # 饶城特钢 (广信区): an orange hazard overdue by more than 15 days; the nightly scan proposed it.
    _hazard_story(
        story, ctx, "raocheng_steel", title="煤气区域固定式一氧化碳报警仪未定期校验", point="高炉煤气净化区域",
        location="高炉重力除尘器平台", description="重力除尘器平台3台固定式一氧化碳报警仪校验有效期已过。",
        factor="2112", accident="19", measures="委托检定机构校验报警仪，期间配备便携式报警仪。", report_day=45,
        confirm_day=44, deadline_days=24, seed=903)

    # 锦绣纺织 (广丰区): a yellow hazard overdue by more than 30 days was proposed; the enterprise then
    # submitted its rectification and the district dismissed the proposal.
    dismissed = _hazard_story(
        story, ctx, "guangfeng_textile", title="织造车间配电箱门缺失", point="织造车间配电箱", location="织造车间3号配电箱",
        description="配电箱门缺失，箱内积聚飞花，带电部位外露。", factor="2103", accident="05",
        measures="更换配电箱门并上锁，清理箱内飞花。", report_day=72, confirm_day=71, deadline_days=30, seed=904)

    def submit_dismissed():
        people = people_of(ctx["enterprises"]["guangfeng_textile"])
        hazard_id = dismissed["hazard"].id
        hazards.add_attachment(hazard_id, people["staff2"], kind="after", filename="IMG_5904.jpg",
                               data=photo(904, after=True))
        hazards.fire(hazard_id, "submit", people["staff2"], rectification="已更换配电箱门并上锁，箱内飞花已清理。")

    def dismiss():
        proposal = service.active_listing_or_proposal(dismissed["hazard"].id)
        service.decide(proposal.id, users["gf_supervisor"], "dismiss",
                       reason="企业已完成整改并提交验收，由企业组织验收销号，不予挂牌督办。")

    story.at(8, "11:00", submit_dismissed)
    story.at(7, "15:30", dismiss)

    # 信州新型建材 (信州区): an on-site inspection three days ago, with its rectification order.
    def inspect():
        inspection = inspections.record(
            users["xz_inspector"], enterprise_id=ctx["enterprises"]["xinzhou_materials"].id, inspected_on=today(),
            start_time=time(9, 30), end_time=time(11, 45), place="粉磨车间、成品库、包装车间",
            second_officer_id=users["xz_inspector2"].id, findings="重点检查有限空间作业、设备防护和粉尘防治。",
            problems=[
                inspections.Problem("水泥筒仓清库作业未编制专项作业方案", location="成品库",
                                    deadline=today() + timedelta(days=7)),
                inspections.Problem("粉磨车间皮带输送机尾轮未设置防护罩", location="粉磨车间",
                                    deadline=today() + timedelta(days=15)),
                inspections.Problem("包装车间除尘器集尘罩破损", location="包装车间",
                                    deadline=today() + timedelta(days=15)),
            ])
        ctx.setdefault("hazards", []).extend(item.hazard for item in inspection.items)

    story.at(3, "11:50", inspect)
