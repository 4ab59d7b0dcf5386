"""The risk register on the national model (docs/national-model-mapping.md, docs/risks.md).

风险分析对象 (``RiskObject``) → 风险分析单元 (``RiskPoint``: the risk point *is* the analysis unit; code,
API and URLs keep ``risk_point``) → 风险事件 (``RiskEvent``, graded) → 管控措施 (``ControlMeasure``). 停用/检修
records are ``Suspension``. Grades are always computed by the server.
"""

from __future__ import annotations

import enum
import secrets
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.organisations.models import Department, Enterprise, enum_column
from workflows.grades import Grade
from workflows.grading import ControlLevel
from workflows.national_codes import MeasureDataSource


class RiskPointKind(enum.StrEnum):
    operation = "operation"
    equipment = "equipment"
    place = "place"
    process = "process"


class RiskPointStatus(enum.StrEnum):
    active = "active"
    retired = "retired"


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


class RiskObjectStatus(enum.StrEnum):
    active = "active"
    retired = "retired"


class RiskObject(db.Model):
    """A 风险分析对象: an installation, a storage area, a site; for 危化 enterprises the registered 危险源.

    ``hazard_source_code``: the 危险源编码 of the 危险化学品登记信息管理系统 (national ``hazardCode``), if any.
    ``major_hazard_level``: 1–4 (GB 18218 一级…四级) when it is a 重大危险源, else None; a major hazard source
    has its three 包保 persons (principal, technical, operator), all users of the enterprise
    (《危险化学品企业重大危险源安全包保责任制办法（试行）》, 2021).
    """

    __tablename__ = "risk_objects"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "name"),
        CheckConstraint("major_hazard_level IS NULL OR major_hazard_level BETWEEN 1 AND 4",
                        name="ck_risk_objects_major_hazard_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(64), default="")  # 装置 / 储罐区 / 仓库 / 场所 ... (free text)
    description: Mapped[str] = mapped_column(Text, default="")
    hazard_source_code: Mapped[str | None] = mapped_column(String(64))
    major_hazard_level: Mapped[int | None] = mapped_column(Integer)
    principal_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # 主要负责人
    technical_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # 技术负责人
    operator_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # 操作负责人
    status: Mapped[RiskObjectStatus] = enum_column(RiskObjectStatus, default=RiskObjectStatus.active)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    principal_user: Mapped[User | None] = relationship(foreign_keys=[principal_user_id])
    technical_user: Mapped[User | None] = relationship(foreign_keys=[technical_user_id])
    operator_user: Mapped[User | None] = relationship(foreign_keys=[operator_user_id])

    @property
    def is_major_hazard(self) -> bool:
        return self.major_hazard_level is not None

    def duty_role_of(self, user_id: int | None) -> str | None:
        """``principal`` / ``technical`` / ``operator`` if ``user_id`` is one of its 包保 persons."""
        if user_id is None:
            return None
        for role in ("principal", "technical", "operator"):
            if getattr(self, f"{role}_user_id") == user_id:
                return role
        return None


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
    # The analysis object the unit belongs to (None: not filed under one yet).
    object_id: Mapped[int | None] = mapped_column(ForeignKey("risk_objects.id"), index=True)
    kind: Mapped[RiskPointKind] = enum_column(RiskPointKind, default=RiskPointKind.place)
    # The strictest initial grade of its events (None until one is assessed); the effective grade is the
    # strictest current grade of its events, which open hazards raise (app.risks.service).
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
    object: Mapped[RiskObject | None] = relationship()
    responsible_department: Mapped[Department | None] = relationship()
    responsible_user: Mapped[User | None] = relationship()


class RiskEvent(db.Model):
    """A 风险事件 (accident scenario) of an analysis unit, with its GB 6441 accident type.

    ``initial_grade``: the grade of its latest assessment (national ``initialRiskLevel``); ``current_grade``:
    the stricter of it and what open hazards of the unit imply (``currentRiskLevel``, 从严从高,
    ``workflows.effective_grade``). The unit's grades are the strictest of its events'.
    """

    __tablename__ = "risk_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    description: Mapped[str] = mapped_column(Text, default="")
    accident_type: Mapped[str | None] = mapped_column(String(16))  # GB 6441 code
    initial_grade: Mapped[Grade | None] = enum_column(Grade, nullable=True)
    current_grade: Mapped[Grade | None] = enum_column(Grade, nullable=True)
    method: Mapped[str | None] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)
    ruleset_version: Mapped[str | None] = mapped_column(String(64))
    last_assessed_on: Mapped[date | None]
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    risk_point: Mapped[RiskPoint] = relationship()


class ControlMeasure(db.Model):
    """A 管控措施 of a risk event, with the national classification and how it is watched.

    ``classify1``/``classify2``: the national classes (``workflows.national_codes.MEASURE_CLASSES`` /
    ``MEASURE_SUBCLASSES``); ``classify3``: the enterprise's own class. ``data_source``: checked by people
    (``manual``, 隐患排查) or watched by automated monitoring (``automatic``). ``check_content``: 排查内容.
    ``legacy_key``: the ``"<category>:<index>"`` key the measure had in ``risk_points.controls`` before the
    national model (the key of older check records), None for measures created since.
    """

    __tablename__ = "control_measures"
    __table_args__ = (Index("ix_control_measures_point_legacy_key", "risk_point_id", "legacy_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("risk_events.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    classify1: Mapped[str] = mapped_column(String(2))
    classify2: Mapped[str] = mapped_column(String(4))
    classify3: Mapped[str] = mapped_column(String(64), default="")
    data_source: Mapped[MeasureDataSource] = enum_column(MeasureDataSource, default=MeasureDataSource.manual)
    check_content: Mapped[str] = mapped_column(Text, default="")
    legacy_key: Mapped[str | None] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    risk_point: Mapped[RiskPoint] = relationship()
    event: Mapped[RiskEvent] = relationship()


class Suspension(db.Model):
    """A 停用/检修 record: the analysis object or the unit (exactly one) was out of service in
    ``[starts_at, ends_at)`` for ``reason``; its check windows in that period are ``suspended``
    (national ``sec_deactivated_maintenance_record``). Times are UTC, like every stored datetime."""

    __tablename__ = "risk_suspensions"
    __table_args__ = (
        CheckConstraint("(object_id IS NULL) <> (risk_point_id IS NULL)", name="ck_risk_suspensions_one_target"),
        CheckConstraint("ends_at > starts_at", name="ck_risk_suspensions_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    object_id: Mapped[int | None] = mapped_column(ForeignKey("risk_objects.id"), index=True)
    risk_point_id: Mapped[int | None] = mapped_column(ForeignKey("risk_points.id"), index=True)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    object: Mapped[RiskObject | None] = relationship()
    risk_point: Mapped[RiskPoint | None] = relationship()
    created_by: Mapped[User | None] = relationship()


class RiskAssessment(db.Model):
    """One assessment (kept forever) of a risk event: inputs, computed score and grade, the rule set that
    graded it. ``risk_point_id`` is the event's unit (kept for the unit's history)."""

    __tablename__ = "risk_assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    risk_point_id: Mapped[int] = mapped_column(ForeignKey("risk_points.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("risk_events.id"), index=True)
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
    event: Mapped[RiskEvent | None] = relationship()
    assessor: Mapped[User | None] = relationship()


class GradeChangeReason(enum.StrEnum):
    assessment = "assessment"
    major_hazard_open = "major_hazard_open"  # rule D2: an open major hazard makes the point red
    hazards_resolved = "hazards_resolved"  # the hazards that raised the grade were closed or voided


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
