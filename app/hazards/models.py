"""The hazard (隐患) and its register. Its state changes only through ``app.hazards.service``."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import today, utcnow
from app.extensions import db
from app.organisations.models import Authority, Department, Enterprise, enum_column
from workflows.grades import Grade, stricter
from workflows.hazard_states import (
    LEVEL_GRADE,
    OPEN_STATES,
    HazardLevel,
    HazardNature,
    HazardSource,
    HazardState,
)


class ProductionSuspension(enum.StrEnum):
    none = "none"
    partial = "partial"
    full = "full"


class Hazard(db.Model):
    __tablename__ = "hazards"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "code"),
        # The register's common filters: state (+ deadline for overdue) within an enterprise.
        Index("ix_hazards_enterprise_state_deadline", "enterprise_id", "state", "deadline"),
        Index("ix_hazards_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # YH-2026-0001, unique per enterprise
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[HazardSource] = enum_column(HazardSource, default=HazardSource.self_inspection)
    nature: Mapped[HazardNature | None] = enum_column(HazardNature, nullable=True)
    level: Mapped[HazardLevel | None] = enum_column(HazardLevel, nullable=True)  # set on confirm
    risk_point_id: Mapped[int | None] = mapped_column(ForeignKey("risk_points.id"), index=True)
    hazard_factor: Mapped[str | None] = mapped_column(String(16))  # GB/T 13861 code
    accident_type: Mapped[str | None] = mapped_column(String(16))  # GB 6441 code
    reported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The authority whose inspection found it (government_inspection); it reviews the rectification.
    found_by_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    responsible_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    measures: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[date | None] = mapped_column(index=True)
    rectification: Mapped[str] = mapped_column(Text, default="")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    production_suspension: Mapped[ProductionSuspension] = enum_column(
        ProductionSuspension, default=ProductionSuspension.none)
    state: Mapped[HazardState] = enum_column(HazardState, default=HazardState.reported, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    # Optimistic locking: a concurrent update of the same row raises StaleDataError (→ 409).
    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id])
    responsible_user: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id])
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    responsible_department: Mapped[Department | None] = relationship()
    found_by_authority: Mapped[Authority | None] = relationship()
    risk_point = relationship("RiskPoint")

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def overdue(self) -> bool:
        """Derived: open and past its deadline (local date)."""
        return self.is_open and self.deadline is not None and self.deadline < today()

    @property
    def effective_grade(self) -> Grade | None:
        """The stricter of the risk point's grade and the grade the hazard's level implies (从严从高)."""
        point = self.risk_point
        # The point's effective grade (kept by app.risks.service from its open hazards), never below
        # its assessed grade.
        point_grade = stricter(point.assessed_grade, point.effective_grade) if point is not None else None
        return stricter(point_grade, LEVEL_GRADE.get(self.level) if self.level else None)
