"""Turning a failed check into a reported hazard linked to its risk point.

The hazards feature owns the Hazard lifecycle; until ``app.hazards.service.create_hazard`` exists on
main this small function creates the row in state ``reported`` itself, numbers it like the register
(YH-YYYY-NNNN per enterprise) and sends ``hazard_created``. Switch to the hazards service once merged.
"""

from __future__ import annotations

from sqlalchemy import select

from app import signals
from app.auth.models import User
from app.clock import today
from app.extensions import db
from app.risks.models import RiskPoint


def _next_code(enterprise_id: int) -> str:
    from app.hazards.models import Hazard

    prefix = f"YH-{today().year}-"
    codes = db.session.scalars(select(Hazard.code).where(Hazard.enterprise_id == enterprise_id,
                                                         Hazard.code.startswith(prefix))).all()
    numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def report_hazard(point: RiskPoint, actor: User, *, title: str, description: str = ""):
    from app.hazards.models import Hazard
    from workflows.hazard_states import HazardSource, HazardState

    hazard = Hazard(enterprise_id=point.enterprise_id, code=_next_code(point.enterprise_id), title=title,
                    description=description, location=point.area or point.name,
                    source=HazardSource.self_inspection, risk_point_id=point.id,
                    hazard_factor=(point.hazard_factors or [None])[0],
                    accident_type=(point.accident_types or [None])[0],
                    reported_by_id=actor.id, state=HazardState.reported)
    db.session.add(hazard)
    db.session.flush()
    signals.hazard_created.send(hazard, actor=actor)
    return hazard
