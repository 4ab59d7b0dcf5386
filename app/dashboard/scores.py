"""The weekly effectiveness score per enterprise and ISO week: inputs counted set-based, the formula and
its rule sets in ``workflows.weekly_score`` (docs/weekly-score.md), frozen rows in ``weekly_scores``.

The periodic scan scores the week just ended (``scan_step``): idempotent (an enterprise already scored
for the week is skipped), and a stored score is never recomputed: it keeps the rule set it used.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, delete, func, or_, select

from app.clock import utcnow
from app.dashboard import checks, vetoes
from app.dashboard.models import ScoreRegionStat, WeeklyScoreRecord
from app.dashboard.stats import closed_on_time_condition, local_day_start_utc
from app.extensions import db
from app.hazards.models import Hazard
from app.organisations.models import Enterprise, Region
from workflows.check_figures import CheckFigures
from workflows.hazard_states import OPEN_STATES, HazardState
from workflows.isoweek import IsoWeek, last_complete_week
from workflows.weekly_score import REGISTRY, WeekInputs, compute, explain, ruleset_for

BATCH = 2000


def _grouped(stmt) -> dict[int, int]:
    return {eid: int(n) for eid, n in db.session.execute(stmt).all()}


def week_inputs(week: IsoWeek, enterprise_ids: list[int] | None = None) -> dict[int, WeekInputs]:
    """The facts of ``week`` for each enterprise (all when ``enterprise_ids`` is None), in a few grouped
    queries (docs/weekly-score.md gives each definition)."""

    monday, sunday = week.monday, week.sunday
    start, end = local_day_start_utc(monday), local_day_start_utc(sunday + timedelta(days=1))
    if enterprise_ids is None:
        enterprise_ids = list(db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)))
    out: dict[int, WeekInputs] = {}
    # Check windows and 包保 duties of the week, per enterprise (app.checks through the adapter), read once.
    one = {"enterprise_id": enterprise_ids[0]} if len(enterprise_ids) == 1 else {}
    window_figures = checks.check_figures(None, from_=monday, to=sunday, group_by="enterprise", **one)
    duty_figures = checks.duties(None, from_=monday, to=sunday, by_enterprise=True, **one)
    for i in range(0, len(enterprise_ids), BATCH):
        ids = enterprise_ids[i:i + BATCH]
        ent = Hazard.enterprise_id.in_(ids)
        not_voided = Hazard.state != HazardState.voided
        in_week = and_(Hazard.deadline >= monday, Hazard.deadline <= sunday)
        # Older ones still open past their deadline when the week began.
        carried = and_(Hazard.deadline < monday, or_(Hazard.state.in_(OPEN_STATES),
                                                      and_(Hazard.state == HazardState.closed,
                                                           Hazard.closed_at >= start)))
        due = _grouped(select(Hazard.enterprise_id, func.count()).where(ent, not_voided, or_(in_week, carried))
                       .group_by(Hazard.enterprise_id))
        accepted = _grouped(select(Hazard.enterprise_id, func.count()).where(
            ent, in_week, Hazard.state == HazardState.closed, closed_on_time_condition())
            .group_by(Hazard.enterprise_id))
        found = _grouped(select(Hazard.enterprise_id, func.count()).where(
            ent, Hazard.created_at >= start, Hazard.created_at < end).group_by(Hazard.enterprise_id))
        for eid in ids:
            duties = duty_figures.get(eid, CheckFigures())
            out[eid] = WeekInputs(
                checks=window_figures.get(eid, CheckFigures()), due_hazards=due.get(eid, 0),
                accepted_hazards=min(accepted.get(eid, 0), due.get(eid, 0)), hazards_found=found.get(eid, 0),
                duties_planned=duties.expected, duties_done=duties.done)
    return out


def _region_codes(enterprise_ids: list[int]) -> dict[int, str]:
    rows = db.session.execute(select(Enterprise.id, Region.code).join(Region, Region.id == Enterprise.region_id)
                              .where(Enterprise.id.in_(enterprise_ids))).all()
    return dict(rows)


def compute_week(week: IsoWeek, enterprise_ids: list[int] | None = None) -> dict[int, tuple]:
    """{enterprise: (WeeklyScore, WeekInputs, ScoreRuleSet)} for ``week``, not stored."""
    inputs = week_inputs(week, enterprise_ids)
    codes = {}
    ids = list(inputs)
    for i in range(0, len(ids), BATCH):
        codes.update(_region_codes(ids[i:i + BATCH]))
    decided: dict[int, dict[str, str]] = {}
    for i in range(0, len(ids), BATCH):
        decided.update(vetoes.decided(week, ids[i:i + BATCH]))
    out = {}
    for eid, facts in inputs.items():
        rs = ruleset_for(codes.get(eid), week.monday)
        # Only the items of the enterprise's own rule set apply (another province may not have one).
        basis = {c: b for c, b in decided.get(eid, {}).items() if c in rs.vetoes}
        facts = replace(facts, vetoes=frozenset(basis), veto_basis=basis)
        out[eid] = (compute(facts, rs, week), facts, rs)
    return out


def _record(eid: int, week: IsoWeek, result, facts: WeekInputs) -> dict:
    return {"enterprise_id": eid, "week": str(week), "week_start": week.monday, "planned": result.planned,
            "expected": result.expected, "done": result.done, "late": facts.checks.late,
            "due_hazards": result.due_hazards, "accepted_hazards": result.accepted_hazards,
            "hazards_found": facts.hazards_found, "duties_planned": facts.duties_planned,
            "duties_done": facts.duties_done, "a": result.a, "b": result.b, "alpha": result.alpha,
            "score": result.score, "run_level": result.run_level, "rule_set": result.rule_set,
            "vetoes": list(result.vetoes), "veto_basis": dict(facts.veto_basis), "computed_at": utcnow()}


def freeze_week(week: IsoWeek) -> int:
    """Score and store ``week`` for every enterprise not scored yet (idempotent). Returns rows added."""
    done = set(db.session.scalars(select(WeeklyScoreRecord.enterprise_id).where(WeeklyScoreRecord.week == str(week))))
    todo = [e for e in db.session.scalars(select(Enterprise.id).order_by(Enterprise.id)) if e not in done]
    if not todo:
        return 0
    rows = [_record(eid, week, result, facts) for eid, (result, facts, _rs) in compute_week(week, todo).items()]
    for i in range(0, len(rows), BATCH):
        db.session.execute(WeeklyScoreRecord.__table__.insert(), rows[i:i + BATCH])
    refresh_region_rollup(str(week))
    return len(rows)


def refresh_region_rollup(week: str, region_id: int | None = None) -> None:
    """The frozen scores of ``week`` summed per region of the enterprises (one region: after a veto)."""

    r = WeeklyScoreRecord
    cols = ("planned", "expected", "done", "late", "duties_planned", "duties_done")
    rows = (select(Enterprise.region_id, r.week, func.count(), func.sum(r.score), *(func.sum(getattr(r, c)) for c in cols))
            .join(Enterprise, Enterprise.id == r.enterprise_id).where(r.week == week)
            .group_by(Enterprise.region_id, r.week))
    old = delete(ScoreRegionStat).where(ScoreRegionStat.week == week)
    if region_id is not None:
        rows, old = rows.where(Enterprise.region_id == region_id), old.where(ScoreRegionStat.region_id == region_id)
    db.session.execute(old)
    db.session.execute(ScoreRegionStat.__table__.insert().from_select(
        ["region_id", "week", "scored", "score_total", *cols], rows))


def _missing_rollups() -> None:
    """Weeks frozen before the rollups existed get theirs (once)."""

    for week in db.session.scalars(select(WeeklyScoreRecord.week).distinct().except_(
            select(ScoreRegionStat.week).distinct())).all():
        refresh_region_rollup(week)


def scan_step(now: datetime | None = None) -> dict:
    """The scan's step: the week just ended (China time), scored and frozen."""
    now = now or utcnow()
    week = last_complete_week(now.replace(tzinfo=UTC) if now.tzinfo is None else now)
    scored = freeze_week(week)
    _missing_rollups()
    return {"week": str(week), "scored": scored}


def explain_record(record: WeeklyScoreRecord):
    """How to improve a stored score, under the rule set it was computed with."""

    rs = REGISTRY.by_label(record.rule_set)
    facts = WeekInputs(checks=CheckFigures(planned=record.planned, done=record.done, late=record.late,
                                           suspended=record.planned - record.expected),
                       due_hazards=record.due_hazards, accepted_hazards=record.accepted_hazards,
                       hazards_found=record.hazards_found, duties_planned=record.duties_planned,
                       duties_done=record.duties_done, vetoes=frozenset(record.vetoes or ()))
    return explain(compute(facts, rs, record.week), facts, rs)


def latest_week() -> IsoWeek:
    """The week just ended: the latest a score can exist for."""
    return last_complete_week(utcnow().replace(tzinfo=UTC))
