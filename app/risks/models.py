"""Risk points (风险点) and their assessments. The grade is always computed by the server."""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db, enum_column
from app.organisations.models import Department, Enterprise
from workflows.grades import Grade
from workflows.grading import ControlLevel
from workflows.labels import C_, N_, labelled


class RiskPointKind(enum.StrEnum):
    operation = "operation"
    equipment = "equipment"
    place = "place"
    process = "process"


labelled(RiskPointKind, {RiskPointKind.operation: N_("Operation"), RiskPointKind.equipment: N_("Equipment"),
                                RiskPointKind.place: N_("Place"), RiskPointKind.process: N_("Process")})


class RiskPointStatus(enum.StrEnum):
    active = "active"
    retired = "retired"


labelled(RiskPointStatus, {RiskPointStatus.active: N_("In use"), RiskPointStatus.retired: N_("Retired")})


def new_card_token() -> str:
    return secrets.token_urlsafe(18)


class RiskArea(db.Model):
    """An area of the site (厂区/装置区/仓库...), drawn on the site plan as a polygon."""

    __tablename__ = "risk_areas"
    __table_args__ = (UniqueConstraint("enterprise_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    # [[x, y], ...] in relative coordinates (0..1 of the plan's width and height); None until drawn.
    polygon: Mapped[list | None] = mapped_column(JSON, nullable=True)

    enterprise: Mapped[Enterprise] = relationship()


class RiskPoint(db.Model):
    __tablename__ = "risk_points"
    __table_args__ = (
        # The region view counts active points per enterprise and effective grade (index-only scan).
        Index("ix_risk_points_enterprise_status_grade", "enterprise_id", "status", "effective_grade"),
        Index("ix_risk_points_status_review", "status", "next_review_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    area: Mapped[str] = mapped_column(String(128), default="")  # the area's name (as typed / imported)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("risk_areas.id"), index=True)
    kind: Mapped[RiskPointKind] = enum_column(RiskPointKind, default=RiskPointKind.place)
    # The grade of the latest assessment (None until assessed); the effective grade adds open hazards.
    assessed_grade: Mapped[Grade | None] = enum_column(Grade, nullable=True, index=True)
    # Stricter of assessed_grade and what open hazards imply, kept up to date by app.risks.service
    # (hazard signals, assessments); app.risks.service.effective_grade(point) recomputes it.
    effective_grade: Mapped[Grade | None] = enum_column(Grade, nullable=True)
    method: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    ruleset_version: Mapped[str | None] = mapped_column(String(64))
    hazard_factors: Mapped[list] = mapped_column(JSON, default=list)  # GB/T 13861 codes
    accident_types: Mapped[list] = mapped_column(JSON, default=list)  # GB 6441 codes
    # {"engineering": [...], "management": [...], "training": [...], "ppe": [...], "emergency": [...]}
    controls: Mapped[dict] = mapped_column(JSON, default=dict)
    consequences: Mapped[str] = mapped_column(Text, default="")
    responsible_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    control_level: Mapped[ControlLevel | None] = enum_column(ControlLevel, nullable=True)
    # True when a manager chose the control level; otherwise it follows the grade's default.
    control_level_manual: Mapped[bool] = mapped_column(default=False)
    review_interval_months: Mapped[int] = mapped_column(Integer, default=3)
    last_assessed_on: Mapped[date | None]
    next_review_on: Mapped[date | None]
    # Relative position of the pin on the site plan (0..1), None until placed.
    pin_x: Mapped[float | None] = mapped_column(Float)
    pin_y: Mapped[float | None] = mapped_column(Float)
    card_token: Mapped[str] = mapped_column(String(32), unique=True, default=new_card_token)
    status: Mapped[RiskPointStatus] = enum_column(RiskPointStatus, default=RiskPointStatus.active)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    area_ref: Mapped[RiskArea | None] = relationship()
    responsible_department: Mapped[Department | None] = relationship()
    responsible_user: Mapped[User | None] = relationship()


class RiskAssessment(db.Model):
    """One assessment (kept forever): inputs, computed score and grade, the rule set that graded it."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    method: Mapped[str] = mapped_column(String(16))
    inputs: Mapped[dict] = mapped_column(JSON)
    score: Mapped[float | None] = mapped_column(Float)
    grade: Mapped[Grade] = enum_column(Grade)
    ruleset_version: Mapped[str] = mapped_column(String(64))
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assessed_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    risk_point: Mapped[RiskPoint] = relationship()
    assessor: Mapped[User | None] = relationship()


class GradeChangeReason(enum.StrEnum):
    assessment = "assessment"
    major_hazard_open = "major_hazard_open"  # rule D2: an open major hazard makes the point red
    hazards_resolved = "hazards_resolved"  # the hazards that raised the grade were closed or voided


labelled(GradeChangeReason, {
    GradeChangeReason.assessment: N_("Assessment"),
    GradeChangeReason.major_hazard_open: N_("An open major hazard makes the point red (rule D2)"),
    GradeChangeReason.hazards_resolved: N_("The hazards that raised the grade are closed"),
})


class RiskGradeChange(db.Model):
    """A change of a point's effective grade and why (the point's history shows these)."""

    __tablename__ = "risk_grade_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    from_grade: Mapped[Grade | None] = enum_column(Grade, nullable=True)
    to_grade: Mapped[Grade | None] = enum_column(Grade, nullable=True)
    reason: Mapped[GradeChangeReason] = enum_column(GradeChangeReason)
    rule: Mapped[str | None] = mapped_column(String(8))  # direct rule id, e.g. D2
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SitePlan(db.Model):
    """The enterprise's site plan image (总平面布局图); one current plan per enterprise."""

    __tablename__ = "site_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), unique=True)
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(32))
    width: Mapped[int]
    height: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckResult(enum.StrEnum):
    ok = "ok"
    failed = "failed"


labelled(CheckResult, {CheckResult.ok: N_("Passed"), CheckResult.failed: C_("risks", "Failed")})


class CheckRecord(db.Model):
    """One check of one control measure of a risk point, by a user at his control level."""

    __tablename__ = "risk_check_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    item_key: Mapped[str] = mapped_column(String(64))  # "<category>:<index>" of the control measure
    measure: Mapped[str] = mapped_column(Text)
    level: Mapped[ControlLevel] = enum_column(ControlLevel)
    result: Mapped[CheckResult] = enum_column(CheckResult)
    note: Mapped[str] = mapped_column(Text, default="")
    checked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    checked_on: Mapped[date]
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    risk_point: Mapped[RiskPoint] = relationship()
    checked_by: Mapped[User] = relationship()


class RiskSummary(db.Model):
    """Active risk points per effective grade of one enterprise, kept in step with the points.

    Maintained in the same transaction as every change of a point (app.risks.summary) so that the
    region view reads one small row per enterprise instead of counting all points each time.
    """

    __tablename__ = "risk_summaries"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    red: Mapped[int] = mapped_column(Integer, default=0)
    orange: Mapped[int] = mapped_column(Integer, default=0)
    yellow: Mapped[int] = mapped_column(Integer, default=0)
    blue: Mapped[int] = mapped_column(Integer, default=0)
    unassessed: Mapped[int] = mapped_column(Integer, default=0)
