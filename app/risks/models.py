"""Risk points (风险点) and their assessments. The grade is always computed by the server."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.organisations.models import Enterprise, enum_column
from workflows.grades import Grade


class RiskPointKind(enum.StrEnum):
    operation = "operation"
    equipment = "equipment"
    place = "place"
    process = "process"


class RiskPointStatus(enum.StrEnum):
    active = "active"
    retired = "retired"


class RiskPoint(db.Model):
    __tablename__ = "risk_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    area: Mapped[str] = mapped_column(String(128), default="")
    kind: Mapped[RiskPointKind] = enum_column(RiskPointKind, default=RiskPointKind.place)
    # The grade of the latest assessment (None until assessed); the effective grade adds open hazards.
    assessed_grade: Mapped[Grade | None] = enum_column(Grade, nullable=True, index=True)
    status: Mapped[RiskPointStatus] = enum_column(RiskPointStatus, default=RiskPointStatus.active)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
