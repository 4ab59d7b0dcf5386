"""Keeps ``RiskSummary`` (counts per effective grade and enterprise) in step with the risk points.

After each flush that added a point or changed a point's effective grade, status or enterprise, the
counts of the enterprises concerned are recomputed from the points, in the same transaction. The
summary row is locked first (SELECT ... FOR UPDATE, its own statement) so that the recount of two
concurrent transactions sees each other's committed points and no count is lost.
"""

from __future__ import annotations

from sqlalchemy import delete, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from app.risks.models import RiskPoint, RiskPointStatus, RiskSummary
from workflows.grades import Grade

WATCHED = ("effective_grade", "status", "enterprise_id")


def _counts(enterprise_id=None):
    grade = RiskPoint.effective_grade

    def count(cond):
        stmt = select(func.count()).select_from(RiskPoint).where(RiskPoint.status == RiskPointStatus.active, cond)
        return stmt.where(RiskPoint.enterprise_id == enterprise_id).scalar_subquery()

    return {g.value: count(grade == g) for g in Grade} | {"unassessed": count(grade.is_(None))}


def recount(conn, enterprise_ids) -> None:
    for ent_id in sorted(set(enterprise_ids)):  # one lock order: no deadlock between two recounts
        if conn.execute(select(RiskSummary.enterprise_id).where(RiskSummary.enterprise_id == ent_id)
                        .with_for_update()).first() is None:
            if conn.dialect.name == "postgresql":
                # the dialect's own upsert
                from sqlalchemy.dialects.postgresql import insert as pg_insert

                conn.execute(pg_insert(RiskSummary).values(enterprise_id=ent_id).on_conflict_do_nothing())
            else:
                conn.execute(insert(RiskSummary).values(enterprise_id=ent_id).prefix_with("OR IGNORE"))
            conn.execute(select(RiskSummary.enterprise_id).where(RiskSummary.enterprise_id == ent_id)
                         .with_for_update())
        conn.execute(update(RiskSummary).where(RiskSummary.enterprise_id == ent_id).values(**_counts(ent_id)))


def rebuild_all(conn) -> int:
    """Recompute every summary (after bulk loads; also a cheap consistency repair). Returns the rows."""
    grade = RiskPoint.effective_grade
    per_grade = [func.count().filter(grade == g).label(g.value) for g in Grade]
    rows = conn.execute(select(RiskPoint.enterprise_id, *per_grade, func.count().filter(grade.is_(None)))
                        .where(RiskPoint.status == RiskPointStatus.active)
                        .group_by(RiskPoint.enterprise_id)).all()
    conn.execute(delete(RiskSummary))
    if rows:
        keys = [g.value for g in Grade] + ["unassessed"]
        conn.execute(insert(RiskSummary), [{"enterprise_id": r[0]} | dict(zip(keys, r[1:], strict=True))
                                           for r in rows])
    return len(rows)


def _changed(session: Session) -> set[int]:
    ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, RiskPoint):
            ids.add(obj.enterprise_id)
    for obj in session.dirty:
        if isinstance(obj, RiskPoint):
            state = inspect(obj)
            for name in WATCHED:
                hist = state.attrs[name].history
                if hist.has_changes():
                    ids.add(obj.enterprise_id)
                    ids.update(v for v in hist.deleted if name == "enterprise_id" and v)
    for obj in session.deleted:
        if isinstance(obj, RiskPoint):
            ids.add(obj.enterprise_id)
    return {i for i in ids if i is not None}


def _after_flush(session: Session, _ctx) -> None:
    ids = _changed(session)
    if ids:
        recount(session.connection(), ids)


def connect() -> None:
    if not event.contains(Session, "after_flush", _after_flush):
        event.listen(Session, "after_flush", _after_flush)
