"""The hazard (隐患) and its register. Its state changes only through ``app.hazards.service``."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    DDL,
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    case,
    event,
    false,
    func,
    inspect,
    not_,
    null,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.access import in_subquery
from app.auth.models import User
from app.clock import today, utcnow
from app.extensions import db, enum_column
from app.organisations.models import Authority, Department, Enterprise
from workflows import effective_grade as grade_rule
from workflows.grades import Grade
from workflows.hazard_states import (
    OPEN_STATES,
    HazardLevel,
    HazardNature,
    HazardSource,
    HazardState,
)
from workflows.labels import N_, labelled
from workflows.national_codes import DangerSource, HazardType, ManageType


class ProductionSuspension(enum.StrEnum):
    none = "none"
    partial = "partial"
    full = "full"


labelled(ProductionSuspension, {
    ProductionSuspension.none: N_("No suspension"), ProductionSuspension.partial: N_("Partial suspension"),
    ProductionSuspension.full: N_("Full suspension"),
})


# The open hazards whose current deadline has no overdue event yet: the scan's candidates once the
# deadline is past. One SQL text, used by the partial index below and by the scan's query alike, so
# PostgreSQL proves the index applies whatever it binds (literal states, no parameters in the
# predicate). The index holds only these rows (the open hazards not yet due, plus the day's newly
# overdue), not the hundreds of thousands already recorded: a second scan the same day reads nothing.
OVERDUE_UNRECORDED = (
    "state IN (" + ", ".join(f"'{state.value}'" for state in sorted(OPEN_STATES)) + ") "
    "AND (overdue_recorded_for IS NULL OR overdue_recorded_for <> deadline)")


class Hazard(db.Model):
    __tablename__ = "hazards"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "code"),
        # The register's common filters: state (+ deadline for overdue) within an enterprise.
        Index("ix_hazards_enterprise_state_deadline", "enterprise_id", "state", "deadline"),
        Index("ix_hazards_state_deadline", "state", "deadline"),
        Index("ix_hazards_overdue_unrecorded", "deadline", postgresql_where=text(OVERDUE_UNRECORDED),
              sqlite_where=text(OVERDUE_UNRECORDED)),
        # Scoped registers, newest first (issue 18): an enterprise's page is the first rows of
        # (enterprise_id, id) read backwards, whatever the age of its hazards; a district or a city
        # reads the same index per enterprise of its subtree. The filters that select few rows have
        # an enterprise-first index of their own, ordered by id within it.
        Index("ix_hazards_enterprise_id_id", "enterprise_id", "id"),
        Index("ix_hazards_enterprise_level_id", "enterprise_id", "level", "id"),
        Index("ix_hazards_enterprise_created_at", "enterprise_id", "created_at"),
        Index("ix_hazards_enterprise_risk_point", "enterprise_id", "risk_point_id"),
        # grade=red across a city: major hazards OR-ed with the red risk points' hazards.
        Index("ix_hazards_level", "level"),
        # The register's text search (title, code, location; ILIKE '%term%'): trigram GIN on
        # PostgreSQL (pg_trgm, created by the migration); SQLite keeps its scan (see docs/hazards.md).
        Index("ix_hazards_search_trgm", "title", "code", "location", postgresql_using="gin",
              postgresql_ops={"title": "gin_trgm_ops", "code": "gin_trgm_ops", "location": "gin_trgm_ops"},
              ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Indexed first in (enterprise_id, id) and the other scoped indexes below.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    code: Mapped[str] = mapped_column(String(32))  # YH-2026-0001, unique per enterprise
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    # Who found it (the workflow: a government-found hazard is reviewed by its authority).
    source: Mapped[HazardSource] = enum_column(HazardSource, default=HazardSource.self_inspection)
    # 人/物/管理: national managementClassification 1/2/3 (docs/national-model-mapping.md).
    nature: Mapped[HazardNature | None] = enum_column(HazardNature, nullable=True)
    # The national enumerations (docs/national-model-mapping.md): dangerSrc (the kind of check that found
    # it), hazardDangerType, dangerManageType (即查即改 / 限期整改), and the 执法编号 (enforcementId) of a
    # government-found hazard.
    danger_source: Mapped[DangerSource] = enum_column(DangerSource, default=DangerSource.routine)
    hazard_type: Mapped[HazardType] = enum_column(HazardType, default=HazardType.other)
    manage_type: Mapped[ManageType] = enum_column(ManageType, default=ManageType.deadline)
    enforcement_number: Mapped[str | None] = mapped_column(String(64))
    # The control measure whose check found it (national riskMeasureId) and that check's record
    # (checkRecordId). ``check_record_id`` references ``check_records.id`` (app.checks), a table of
    # another feature created after this column: a plain integer, without a foreign key, until the
    # two are merged (docs/national-model-mapping.md).
    control_measure_id: Mapped[int | None] = mapped_column(ForeignKey("control_measures.id"), index=True)
    check_record_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # Registered by a 包保 person of the analysis object (national hazardCategory 1–3, see
    # ``app.risks`` for which role): set by the service from the reporter and the object.
    reported_by_duty: Mapped[bool] = mapped_column(default=False, server_default=false())
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
    # The deadline for which ``shuangkong scan`` last recorded "overdue" (one event per deadline).
    overdue_recorded_for: Mapped[date | None]
    # The deadline the responsible person asked for (``request_extension``), until it is decided.
    extension_requested: Mapped[date | None]
    # Reminders and escalation (app.handoffs.reminders): the deadline they were sent for and the
    # furthest tier (days from the deadline, negative before it) handled for it. Bookkeeping, like
    # ``overdue_recorded_for``: each tier is also an event in the history.
    reminder_deadline: Mapped[date | None]
    reminder_offset: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # Head of the hash-chained history (app.hazards.history): the last event's number and hash. Kept
    # on the row the lifecycle locks anyway, so appending an event needs no query; ``audit verify``
    # also checks it, which catches events cut off the end of a chain.
    chain_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0, server_default="0")
    chain_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    confirmed_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    # Optimistic locking: every UPDATE checks the version it loaded (a concurrent change raises
    # StaleDataError, → 409). The version moves only when the hazard itself changes (see
    # ``_bump_version``), not when an event is merely appended: a photo added meanwhile does not
    # make the open form of a colleague stale.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}

    # Read-only views of the foreign keys (the service sets the *_id columns): a flush of the hazard
    # then has no relationship bookkeeping to do for them (measured: 12% fewer Python calls per
    # lifecycle). Assigning one raises (``_refuse_assignment``): set the id.
    enterprise: Mapped[Enterprise] = relationship(viewonly=True)
    reported_by: Mapped[User | None] = relationship(foreign_keys=[reported_by_id], viewonly=True)
    responsible_user: Mapped[User | None] = relationship(foreign_keys=[responsible_user_id], viewonly=True)
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id], viewonly=True)
    responsible_department: Mapped[Department | None] = relationship(viewonly=True)
    found_by_authority: Mapped[Authority | None] = relationship(viewonly=True)
    risk_point = relationship("RiskPoint", viewonly=True)
    control_measure = relationship("ControlMeasure", viewonly=True)
    plan: Mapped[TreatmentPlan | None] = relationship(back_populates="hazard", uselist=False)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def overdue(self) -> bool:
        """Derived: open and past its deadline (local date)."""
        return self.is_open and self.deadline is not None and self.deadline < today()

    @hybrid_property
    def effective_grade(self) -> Grade | None:
        """The stricter of the risk point's grade and the grade the hazard's level implies (从严从高);
        the rule is ``workflows.effective_grade.of_hazard``."""
        point = self.risk_point
        return grade_rule.of_hazard(point.assessed_grade if point is not None else None,
                                    point.effective_grade if point is not None else None, self.level)

    @effective_grade.inplace.expression
    @classmethod
    def _effective_grade_expression(cls):
        """The same rule in SQL: the strictest grade that one of the inputs has (a CASE tested from
        red down), so ``Hazard.effective_grade == "red"`` finds exactly the hazards shown red."""
        whens = [(cls._grade_inputs(grade), grade.value) for grade in grade_rule.STRICTEST_FIRST]
        return type_coerce(case(*whens, else_=null()), String(16))

    @classmethod
    def _grade_inputs(cls, grade: Grade, walk: bool = False):
        """Has one of the hazard's inputs (its risk point's grades, its own level) ``grade``?
        ``walk``: the point ids as a hashed IN list, for a walk in the table's order (``grade_is``)."""
        from app.risks.models import RiskPoint  # risks' models import hazards' (a cycle at load time)

        points = select(RiskPoint.id).where(or_(RiskPoint.assessed_grade == grade, RiskPoint.effective_grade == grade))
        inputs = [in_subquery(cls.risk_point_id, points, hashed=walk)]
        levels = [level for level in HazardLevel if grade_rule.implied_by_level(level) == grade]
        if levels:
            inputs.append(cls.level.in_(levels))
        return or_(*inputs)

    @classmethod
    def grade_is(cls, grade: Grade | str, *, walk: bool = False):
        """``effective_grade == grade`` in a form the planner can use indexes for (issue 18): the
        grade's inputs (risk point ids from an array computed once, the level) select the rows, the
        stricter grades' inputs exclude; the same truth table as the CASE (a NULL input is "no").
        ``walk``: the same rows, each checked against hashed id lists (the register's newest-first walk)."""
        grade = Grade(grade)
        stricter_ = [g for g in grade_rule.STRICTEST_FIRST if g.severity > grade.severity]
        condition = cls._grade_inputs(grade, walk)
        if stricter_:
            condition = and_(condition, not_(func.coalesce(or_(*(cls._grade_inputs(g, walk) for g in stricter_)),
                                                           false())))
        return condition


# The trigram index's operator class comes with pg_trgm: ``create_all`` (tests, a fresh database
# without migrations) creates the extension first; the migration does the same.
event.listen(Hazard.__table__, "before_create",
             DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"))


# Columns whose change alone is bookkeeping, not a change of the hazard a form could be stale about.
_UNVERSIONED = frozenset({"chain_seq", "chain_hash", "updated_at", "overdue_recorded_for", "version",
                          "reminder_deadline", "reminder_offset"})


@event.listens_for(Hazard, "before_update")
def _bump_version(mapper, _connection, target: Hazard) -> None:
    """Move the version when a column of the hazard changes (a collection such as ``listings`` or a
    bookkeeping column alone does not), unless the caller set it."""
    state = inspect(target)
    if "version" in state.committed_state:
        return
    columns = mapper.columns
    touched = [key for key in state.committed_state if key in columns and key not in _UNVERSIONED]
    if any(state.attrs[key].history.has_changes() for key in touched):
        target.version += 1


class HazardEvent(db.Model):
    """One entry of a hazard's history: append-only, hash-chained per hazard and keyed (``app.hazards.history``).

    ``trigger`` is a machine trigger (confirm, submit, ...) or a bookkeeping entry: ``report`` (creation),
    ``attach`` (evidence added), ``plan_saved``, ``plan_approved``, ``overdue`` (found by the scan).
    """

    __tablename__ = "hazard_events"
    __table_args__ = (UniqueConstraint("hazard_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, 3... per hazard
    trigger: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_role: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    # The id of the chain key (``app.integrity``) whose HMAC ``hash`` is; the key itself is never here.
    key_id: Mapped[str | None] = mapped_column(String(32))
    hash: Mapped[str] = mapped_column(String(64))

    # Read-only (events are written by app.hazards.history with ids only).
    hazard: Mapped[Hazard] = relationship(viewonly=True)
    actor: Mapped[User | None] = relationship(viewonly=True)


def _refuse_assignment(target, _value, _old, initiator):
    raise TypeError(f"{type(target).__name__}.{initiator.key} is read-only: set {initiator.key}_id instead")


def _guard_read_only_relationships(mapper, _cls) -> None:
    """Assigning a read-only relationship would be lost at the flush without a word: refuse it."""
    for relationship_ in mapper.relationships:
        if relationship_.viewonly:
            event.listen(relationship_.class_attribute, "set", _refuse_assignment)


for _model in (Hazard, HazardEvent):
    event.listen(_model, "mapper_configured", _guard_read_only_relationships)


class AttachmentKind(enum.StrEnum):
    before = "before"
    after = "after"
    document = "document"


labelled(AttachmentKind, {
    AttachmentKind.before: N_("Before rectification"), AttachmentKind.after: N_("After rectification"),
    AttachmentKind.document: N_("Document"),
})


class HazardAttachment(db.Model):
    """A photo or document (content-addressed in ``app.storage``) attached to a hazard."""

    __tablename__ = "hazard_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    kind: Mapped[AttachmentKind] = enum_column(AttachmentKind)
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(BigInteger)
    taken_at: Mapped[datetime | None]  # EXIF DateTimeOriginal, kept as evidence
    gps_lat: Mapped[float | None]  # EXIF GPS: kept, never shown publicly
    gps_lon: Mapped[float | None]
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hazard: Mapped[Hazard] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_image(self) -> bool:
        return self.mime.startswith("image/")


# The submit guard's "at least one 'after' photo or document", read in the same (locked) SELECT as
# the hazard when the submit asks for it (``undefer``); otherwise loaded on first access.
Hazard.after_evidence_count = column_property(
    select(func.count(HazardAttachment.id)).where(
        HazardAttachment.hazard_id == Hazard.id, HazardAttachment.kind == AttachmentKind.after)
    .correlate_except(HazardAttachment).scalar_subquery(),
    deferred=True,
)


PLAN_SECTIONS = ("goal", "measures", "funds", "organisation", "time_requirements", "safety_and_emergency")


class TreatmentPlan(db.Model):
    """The treatment plan (治理方案) of a major hazard: six sections (16号令 第十五条), 双报告, approval."""

    __tablename__ = "treatment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), unique=True)
    goal: Mapped[str] = mapped_column(Text, default="")  # 治理的目标和任务
    measures: Mapped[str] = mapped_column(Text, default="")  # 采取的方法和措施
    funds: Mapped[str] = mapped_column(Text, default="")  # 经费和物资的落实
    organisation: Mapped[str] = mapped_column(Text, default="")  # 负责治理的机构和人员
    time_requirements: Mapped[str] = mapped_column(Text, default="")  # 治理的时限和要求
    safety_and_emergency: Mapped[str] = mapped_column(Text, default="")  # 安全措施和应急预案
    # 双报告: the report to the workers' (representative) congress
    workers_congress_reported_on: Mapped[date | None]
    workers_congress_how: Mapped[str] = mapped_column(String(200), default="")
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    hazard: Mapped[Hazard] = relationship(back_populates="plan")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id])

    @property
    def missing_sections(self) -> list[str]:
        return [name for name in PLAN_SECTIONS if not (getattr(self, name) or "").strip()]

    @property
    def is_complete(self) -> bool:
        return not self.missing_sections and self.workers_congress_reported_on is not None

    @property
    def is_approved(self) -> bool:
        return self.is_complete and self.approved_at is not None


class HazardCodeCounter(db.Model):
    """Last number used for hazard codes, per enterprise and year (YH-YYYY-NNNN, gap-free)."""

    __tablename__ = "hazard_code_counters"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)
