"""The veto items (否决项) of the weekly score: each item of a rule set is either decided by the system from
its own data (``AUTOMATIC``: a query per item, counted for the week) or entered by an authority for one
enterprise and week with a reason (``ScoreVeto``, recorded, never edited). Either way the score keeps, per
veto, its basis in words (``WeeklyScoreRecord.veto_basis``), shown on the score page.

Of the default rule set's items (workflows.weekly_score.DEFAULT_VETOES) only 存在逾期未整改的重大事故隐患 can
be decided from the data: the system records no accidents (本周发生造成人员死亡的生产安全事故) and cannot
judge records falsified (排查或整改记录弄虚作假); those two are entered by the authority.

Use cases ``(actor, id, **fields)``: check scope and permission inside, never commit.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from app import access
from app.auth.models import User
from app.clock import to_local
from app.dashboard.models import ScoreVeto, WeeklyScoreRecord
from app.dashboard.stats import local_day_start_utc
from app.errors import Conflict, Invalid
from app.extensions import db
from app.hazards.models import Hazard
from app.organisations.models import Enterprise, Region
from workflows.hazard_states import OPEN_STATES, HazardLevel, HazardState
from workflows.isoweek import IsoWeek, parse_week
from workflows.rulesets import RuleSetError
from workflows.weekly_score import REGISTRY, ruleset_for

REASON_MAX = 2000


def _major_hazard_overdue(week: IsoWeek, ids: list[int]) -> dict[int, str]:
    """A major hazard past its deadline and not closed when the week ended (Sunday 24:00, China time)."""

    end = local_day_start_utc(week.sunday + timedelta(days=1))
    rows = db.session.execute(select(Hazard.enterprise_id, func.count()).where(
        Hazard.enterprise_id.in_(ids), Hazard.level == HazardLevel.major, Hazard.deadline <= week.sunday,
        Hazard.created_at < end,
        or_(Hazard.state.in_(OPEN_STATES), and_(Hazard.state == HazardState.closed, Hazard.closed_at >= end)))
        .group_by(Hazard.enterprise_id)).all()
    return {eid: f"系统判定：截至{week.sunday.isoformat()}，有 {n} 项重大事故隐患已过整改期限仍未销号。"
            for eid, n in rows if n}


# code -> (week, enterprise ids) -> {enterprise id: basis}; the items the system decides from its data.
AUTOMATIC: dict[str, Callable[[IsoWeek, list[int]], dict[int, str]]] = {
    "major_hazard_overdue": _major_hazard_overdue,
}


def _entered_basis(v: ScoreVeto, name: str) -> str:
    return f"监管部门录入：{name}于{to_local(v.entered_at):%Y-%m-%d %H:%M}录入，理由：{v.reason}"


def decided(week: IsoWeek, ids: list[int]) -> dict[int, dict[str, str]]:
    """{enterprise: {veto code: basis}} for ``week``: the automatic items and the entered ones (not yet
    filtered by each enterprise's rule set: ``compute_week`` keeps the items its rule set has)."""
    out: dict[int, dict[str, str]] = {}
    for code, decide in AUTOMATIC.items():
        for eid, basis in decide(week, ids).items():
            out.setdefault(eid, {})[code] = basis
    entered = db.session.execute(select(ScoreVeto, User.display_name).join(User, User.id == ScoreVeto.entered_by_id)
                                 .where(ScoreVeto.week == str(week), ScoreVeto.enterprise_id.in_(ids))).all()
    for v, name in entered:
        out.setdefault(v.enterprise_id, {})[v.code] = _entered_basis(v, name)
    return out


def rule_set_of(enterprise: Enterprise, week: IsoWeek):
    code = db.session.scalar(select(Region.code).where(Region.id == enterprise.region_id))
    return ruleset_for(code, week.monday)


def enterable(enterprise: Enterprise, week: IsoWeek) -> dict[str, str]:
    """The veto items of the enterprise's rule set that an authority enters (the others the system decides)."""
    return {c: t for c, t in rule_set_of(enterprise, week).vetoes.items() if c not in AUTOMATIC}


def enter(actor: User, enterprise_id: int, *, week: str, code: str, reason: str) -> ScoreVeto:
    """An authority records that a veto item applies to an enterprise in a closed week, with its reason.
    A frozen score of that week takes it at once (α = 0, under the rule set it was frozen with)."""
    from app.dashboard.scores import latest_week  # inside: scores imports this module

    access.require(actor, "score.veto")
    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    errors = {}
    try:
        iso = parse_week(week or "")
    except RuleSetError:
        raise Invalid(fields={"week": "没有这一周（格式如 2026-W48）。"}) from None
    if iso > latest_week():
        errors["week"] = "这一周尚未结束。"
    items = rule_set_of(enterprise, iso).vetoes
    if code in AUTOMATIC:
        errors["code"] = "该否决项由系统依据数据自动判定，不能录入。"
    elif code not in items:
        errors["code"] = "所用规则集中没有这个否决项。"
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "请写明认定该否决项的理由。"
    elif len(reason) > REASON_MAX:
        errors["reason"] = f"理由不能超过 {REASON_MAX} 字。"
    if errors:
        raise Invalid(fields=errors)
    if db.session.scalar(select(ScoreVeto.id).where(ScoreVeto.enterprise_id == enterprise.id,
                                                    ScoreVeto.week == str(iso), ScoreVeto.code == code)):
        raise Conflict(fields={"code": "该企业本周已录入这个否决项。"})
    veto = ScoreVeto(enterprise_id=enterprise.id, week=str(iso), code=code, reason=reason, entered_by_id=actor.id)
    db.session.add(veto)
    db.session.flush()
    record = db.session.scalar(select(WeeklyScoreRecord).where(WeeklyScoreRecord.enterprise_id == enterprise.id,
                                                               WeeklyScoreRecord.week == str(iso))
                               .with_for_update())
    if record is not None:
        _apply(record, code, _entered_basis(veto, actor.display_name))
    return veto


def _apply(record: WeeklyScoreRecord, code: str, basis: str) -> None:
    """A veto entered after the week was frozen: α = 0 under the record's own rule set (its version kept)."""

    rs = REGISTRY.by_label(record.rule_set)
    if code not in rs.vetoes:  # the frozen rule set had no such item: the score stays as frozen
        return
    record.vetoes = sorted({*(record.vetoes or ()), code})
    record.veto_basis = {**(record.veto_basis or {}), code: basis}
    record.alpha, record.score = 0, 0.0
    record.run_level = rs.run_level(0.0).level
    db.session.flush()
    from app.dashboard.scores import refresh_region_rollup  # inside: scores imports this module

    refresh_region_rollup(record.week, db.session.scalar(select(Enterprise.region_id).where(
        Enterprise.id == record.enterprise_id)))


def listed(actor: User, *, week: str | None = None, enterprise_id: int | None = None):
    """The entered veto items the actor may see, newest first (a select for the paginator)."""
    stmt = select(ScoreVeto).where(access.enterprise_condition(ScoreVeto.enterprise_id, actor))
    if week:
        stmt = stmt.where(ScoreVeto.week == week)
    if enterprise_id:
        stmt = stmt.where(ScoreVeto.enterprise_id == enterprise_id)
    return stmt.order_by(ScoreVeto.id.desc())
