"""What other features read of hazards, in one place: the risk register asks here for a point's
hazards and for the open ones whose level raises its grade.

Read-only; it imports no other feature, so a feature may import it at the top of its modules.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.extensions import db
from app.hazards.models import Hazard
from workflows.hazard_states import OPEN_STATES, HazardLevel


def of_risk_point(point_id: int, *, limit: int = 20) -> list[Hazard]:
    """The point's hazards, newest first (the risk point's page lists them, through
    ``signals.risk_point_hazards``)."""
    return list(db.session.scalars(select(Hazard).where(Hazard.risk_point_id == point_id)
                                   .order_by(Hazard.id.desc()).limit(limit)))


def open_of_risk_point(point_id: int, levels: Iterable[HazardLevel], *,
                       limit: int = 50) -> list[tuple[int, HazardLevel, int | None]]:
    """(id, level, control measure id) of the point's open hazards of one of ``levels``, oldest first
    (risks asks it through ``signals.risk_point_open_hazards``)."""
    levels = list(levels)
    if not levels:
        return []
    return [(i, lvl, m) for i, lvl, m in db.session.execute(
        select(Hazard.id, Hazard.level, Hazard.control_measure_id)
        .where(Hazard.risk_point_id == point_id, Hazard.state.in_(OPEN_STATES), Hazard.level.in_(levels))
        .order_by(Hazard.id).limit(limit))]
