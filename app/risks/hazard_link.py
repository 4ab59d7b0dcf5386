"""Turning a failed check into a reported hazard linked to its risk point, in one step.

Uses the hazards feature's own use case (``app.hazards.service.create_hazard``): numbering, history
event, permission check and the ``hazard_created`` signal all happen there.
"""

from __future__ import annotations

from app.auth.models import User
from app.hazards.service import create_hazard
from app.risks.models import RiskPoint


def report_hazard(point: RiskPoint, actor: User, *, title: str, description: str = ""):
    return create_hazard(actor, enterprise=point.enterprise, title=title, description=description,
                         location=point.area or point.name, risk_point=point,
                         hazard_factor=(point.hazard_factors or [None])[0],
                         accident_type=(point.accident_types or [None])[0])
