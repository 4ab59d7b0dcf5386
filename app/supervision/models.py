"""Listings for supervision (挂牌督办), their progress reports, and on-site inspections.

A listing's state changes only through ``app.supervision.service`` (the machine is in
``app.supervision.machine``). Document ids point at ``documents`` (the numbered PDFs).
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.auth.models import User
from app.clock import today, utcnow
from app.extensions import db, enum_column
from app.hazards.models import Hazard
from app.organisations.models import Authority, Enterprise, RegionLevel
from workflows.grades import Grade
from workflows.labels import N_, labelled
from workflows.listing_states import ACTIVE_LISTING_STATES, ListingState

__all__ = ["ACTIVE_LISTING_STATES", "DelistingApplication", "Inspection", "InspectionItem", "Listing", "ListingProgress",
           "ListingState", "MajorHazardCriterion", "OnSiteMeasures", "Provision", "ProposalSource", "Summons"]


class ProposalSource(enum.StrEnum):
    """What made the rules look at the hazard."""

    scan = "scan"
    confirm = "confirm"
    regrade = "regrade"
    overdue = "overdue"


labelled(ProposalSource, {
    ProposalSource.scan: N_("Periodic scan"), ProposalSource.confirm: N_("Confirmation"),
    ProposalSource.regrade: N_("Regrading"), ProposalSource.overdue: N_("Overdue"),
})


class Listing(db.Model):
    __tablename__ = "listings"
    __table_args__ = (
        # The same item is never proposed twice for the same rule (whatever the code does).
        UniqueConstraint("hazard_id", "rule", name="uq_listings_hazard_rule"),
        CheckConstraint("state <> 'dismissed' OR length(dismiss_reason) > 0", name="dismiss_reason"),
        # The supervision list: listed items of an authority subtree by deadline.
        Index("ix_listings_state_deadline", "state", "deadline"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    # Denormalised from the hazard: tenancy and the list filters without a join through hazards.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    rule: Mapped[str] = mapped_column(String(64))  # the code of the rule that fired
    # The listing rule set it fired under (``key@version``, app.rulesets); None before rule sets had versions.
    rule_set_version: Mapped[str | None] = mapped_column(String(64))
    source: Mapped[ProposalSource] = enum_column(ProposalSource)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    level: Mapped[RegionLevel] = enum_column(RegionLevel)  # listing level (督办层级): the authority's
    # The level the rule asked for, when no authority existed there and the proposal was routed to the
    # nearest one (``workflows.listing.routed_level``); None when it went to the rule's own level.
    requested_level: Mapped[RegionLevel | None] = enum_column(RegionLevel, nullable=True)
    grade: Mapped[str] = mapped_column(String(16))  # effective grade when proposed
    state: Mapped[ListingState] = enum_column(ListingState, default=ListingState.proposed, index=True)
    deadline: Mapped[date | None]  # 治理期限
    responsible_unit: Mapped[str] = mapped_column(String(255), default="")  # 治理责任单位
    responsible_person: Mapped[str] = mapped_column(String(64), default="")
    supervising_unit: Mapped[str] = mapped_column(String(255), default="")  # 监管责任单位
    supervising_person: Mapped[str] = mapped_column(String(64), default="")  # 监管责任人
    basis: Mapped[str] = mapped_column(Text, default="")  # 判定依据, as printed on the notice
    requirements: Mapped[str] = mapped_column(Text, default="")  # 督办要求
    dismiss_reason: Mapped[str] = mapped_column(Text, default="")
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    delisted_at: Mapped[datetime | None]
    delisted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    notice_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # supervision notice
    delisting_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # delisting notice
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    # Two supervisors deciding at once: one wins, the other's flush raises StaleDataError (→ 409).
    __mapper_args__ = {"version_id_col": version}

    # ``hazard.listings`` (oldest first): one query answers both "is it listed, by whom" (the reviewer
    # rule) and "what must close with it" (accept), and it stays in step with listings added or
    # decided in the same session.
    hazard: Mapped[Hazard] = relationship(backref=backref("listings", order_by="Listing.id"))
    enterprise: Mapped[Enterprise] = relationship()
    authority: Mapped[Authority] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    delisted_by: Mapped[User | None] = relationship(foreign_keys=[delisted_by_id])
    progress_reports: Mapped[list[ListingProgress]] = relationship(
        back_populates="listing", order_by="ListingProgress.created_at")

    @property
    def grade_value(self) -> Grade:
        """The stored effective grade as the Grade identifier (for labels and colours)."""
        return Grade(self.grade)

    @property
    def rule_level(self) -> RegionLevel:
        """The level the rule that fired asked for (a routed proposal's authority is elsewhere)."""
        return self.requested_level or self.level

    @property
    def overdue(self) -> bool:
        return Listing.is_overdue(self.state, self.deadline, today())

    @staticmethod
    def is_overdue(state, deadline, on) -> bool:
        """The rule, also for plain rows (the export): listed, and its deadline passed."""
        return state == ListingState.listed and deadline is not None and deadline < on


class ListingProgress(db.Model):
    """A progress report the enterprise files against its listing (督办期间定期报告整改进展)."""

    __tablename__ = "listing_progress"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    reported_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    listing: Mapped[Listing] = relationship(back_populates="progress_reports")
    reported_by: Mapped[User] = relationship()


class Inspection(db.Model):
    """An on-site inspection (现场检查) of an enterprise by an authority's officers."""

    __tablename__ = "inspections"
    __table_args__ = (CheckConstraint("officer_id <> second_officer_id", name="two_officers"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    inspected_on: Mapped[date]  # local date
    start_time: Mapped[time]  # local times of the 检查时间 range
    end_time: Mapped[time]
    place: Mapped[str] = mapped_column(String(255), default="")
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    second_officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    findings: Mapped[str] = mapped_column(Text, default="")  # 检查情况 (free text)
    enterprise_person: Mapped[str] = mapped_column(String(64), default="")  # 被检查单位现场负责人
    record_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # 现场检查记录
    order_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # 责令限期整改指令书
    review_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # 整改复查意见书 (latest)
    review_opinion: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    authority: Mapped[Authority] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    officer: Mapped[User] = relationship(foreign_keys=[officer_id])
    second_officer: Mapped[User] = relationship(foreign_keys=[second_officer_id])
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    items: Mapped[list[InspectionItem]] = relationship(
        back_populates="inspection", order_by="InspectionItem.position")


class InspectionItem(db.Model):
    """One problem found; it is a government-found hazard with its own deadline (per item or group)."""

    __tablename__ = "inspection_items"
    __table_args__ = (UniqueConstraint("inspection_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 第N项
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), unique=True)
    deadline: Mapped[date]
    # 依据条款 as printed: the provision chosen from the table (its citation, copied: a later edit of
    # the table does not change what was recorded) or typed by the inspector.
    provision: Mapped[str] = mapped_column(Text, default="")
    provision_id: Mapped[int | None] = mapped_column(ForeignKey("provisions.id"))
    # Judged a major accident hazard (重大事故隐患) against ``criterion`` (the clause ticked).
    major: Mapped[bool] = mapped_column(default=False)
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("major_hazard_criteria.id"))
    criterion_text: Mapped[str] = mapped_column(Text, default="")  # the clause as judged (copied)

    inspection: Mapped[Inspection] = relationship(back_populates="items")
    hazard: Mapped[Hazard] = relationship()
    criterion: Mapped[MajorHazardCriterion | None] = relationship()


class Provision(db.Model):
    """A provision an inspector cites as violated (依据条款): a maintained, editable table, seeded by
    the migration with provisions whose text was verified (docs/enforcement.md)."""

    __tablename__ = "provisions"
    __table_args__ = (UniqueConstraint("law", "article", name="uq_provisions_law_article"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    law: Mapped[str] = mapped_column(String(128))  # 《中华人民共和国安全生产法》
    article: Mapped[str] = mapped_column(String(64))  # 第四十一条第二款
    text: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def citation(self) -> str:
        return f"{self.law}{self.article}"


class MajorHazardCriterion(db.Model):
    """One clause of a 重大事故隐患判定标准 for an industry: an editable library, seeded with the
    clauses of standards that were verified (docs/enforcement.md)."""

    __tablename__ = "major_hazard_criteria"
    __table_args__ = (UniqueConstraint("standard", "clause", name="uq_criteria_standard_clause"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    industry: Mapped[str] = mapped_column(String(64))  # 化工和危险化学品
    standard: Mapped[str] = mapped_column(String(255))  # 《…判定标准（试行）》（安监总管三〔2017〕121号）
    clause: Mapped[str] = mapped_column(String(16))  # 一, 二, ... (第N项)
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)

    @property
    def citation(self) -> str:
        return f"{self.standard}第{self.clause}项"


summons_hazards = db.Table(
    "summons_hazards",
    db.Model.metadata,
    db.Column("summons_id", ForeignKey("summonses.id", ondelete="CASCADE"), primary_key=True),
    db.Column("hazard_id", ForeignKey("hazards.id"), primary_key=True, index=True),
)


class Summons(db.Model):
    """A summons (约谈) of an enterprise's principal by an authority: the notice (约谈通知书) when it
    is scheduled, the record (约谈记录) with its outcome when it was held."""

    __tablename__ = "summonses"

    id: Mapped[int] = mapped_column(primary_key=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    reason: Mapped[str] = mapped_column(Text)  # 约谈事由
    scheduled_at: Mapped[datetime]  # naive UTC
    place: Mapped[str] = mapped_column(String(255), default="")
    addressee: Mapped[str] = mapped_column(String(64), default="")  # the principal summoned
    notice_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    held_at: Mapped[datetime | None]
    attendees: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[str] = mapped_column(Text, default="")  # 约谈内容 (what was said)
    outcome: Mapped[str] = mapped_column(Text, default="")  # 约谈结果 / 整改承诺
    record_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    authority: Mapped[Authority] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    hazards = relationship(Hazard, secondary=summons_hazards, order_by="Hazard.id")

    @property
    def held(self) -> bool:
        return self.held_at is not None


class OnSiteMeasures(db.Model):
    """An on-site measures decision (现场处理措施决定书) on a hazard that cannot wait: 立即排除,
    撤出作业人员, 暂时停产停业 (partial / full), 停止使用 (what, until when). Its production
    suspension is recorded on the hazard (``hazard_service.record_onsite_measures``)."""

    __tablename__ = "onsite_measures"

    id: Mapped[int] = mapped_column(primary_key=True)
    hazard_id: Mapped[int] = mapped_column(ForeignKey("hazards.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    second_officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    facts: Mapped[str] = mapped_column(Text)  # 经查 …
    eliminate_now: Mapped[bool] = mapped_column(default=False)  # 立即排除
    evacuate: Mapped[bool] = mapped_column(default=False)  # 从危险区域撤出作业人员
    suspension: Mapped[str] = mapped_column(String(16), default="none")  # ProductionSuspension value
    stop_use: Mapped[str] = mapped_column(Text, default="")  # 停止使用的设施、设备
    until: Mapped[date | None]  # 停止使用 / 停产停业 期限
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    hazard: Mapped[Hazard] = relationship()
    enterprise: Mapped[Enterprise] = relationship()
    authority: Mapped[Authority] = relationship()


class DelistingApplication(db.Model):
    """The enterprise's application to lift a listing (16号令 第十八条/第二十三条) with its evaluation
    report, and the listing authority's on-site review by the officers recorded here."""

    __tablename__ = "delisting_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("listings.id"), index=True)
    applied_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    applied_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    evaluation_sha256: Mapped[str] = mapped_column(String(64))  # the evaluation report (PDF)
    evaluation_filename: Mapped[str] = mapped_column(String(255), default="")
    review_due: Mapped[date]  # 现场审查期限 (working days from the application)
    reviewed_on: Mapped[date | None]
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    second_officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    passed: Mapped[bool | None]
    opinion: Mapped[str] = mapped_column(Text, default="")

    listing: Mapped[Listing] = relationship(backref=backref("applications", order_by="DelistingApplication.id"))
    applied_by: Mapped[User] = relationship(foreign_keys=[applied_by_id])
    officer: Mapped[User | None] = relationship(foreign_keys=[officer_id])
    second_officer: Mapped[User | None] = relationship(foreign_keys=[second_officer_id])
