"""Turning a failed check into a reported hazard linked to its risk point, in one step.

Uses the hazards feature's own use case (``app.hazards.service.create_hazard``): numbering, history
event, permission check and the ``hazard_created`` signal all happen there.
"""

from __future__ import annotations

from app.auth.models import User
from app.hazards.service import create_hazard
from app.risks.models import RiskPoint
from workflows.national_codes import DangerSource


def report_hazard(point: RiskPoint, actor: User, *, title: str, description: str = "",
                  control_measure_id: int | None = None):
    """A failed check of a measure: the hazard is bound to the measure, its source 管控措施失效."""
    return create_hazard(actor, enterprise=point.enterprise, title=title, description=description,
                         location=point.area or point.name, risk_point=point,
                         hazard_factor=(point.hazard_factors or [None])[0],
                         accident_type=(point.accident_types or [None])[0], control_measure_id=control_measure_id,
                         danger_source=DangerSource.measure_failure if control_measure_id else None)
