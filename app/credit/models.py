"""Credit records (不良信用记录) and the serious-dishonesty list (严重失信主体名单): the rows.

The rules (fact kinds, weights, entry conditions, periods, the two machines) are framework-free in
``workflows/credit.py``; a row records the rule set it was made under (``rule_set``, ``key@version``), so a
later version never changes an earlier record. State changes only through ``app.credit.service`` and
``app.credit.dishonesty``.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db, enum_column
from app.organisations.models import Authority, Enterprise
from workflows.credit import CreditFactKind, ListingState, RecordState
from workflows.labels import C_, labelled

__all__ = ["CreditFactKind", "CreditRecord", "DishonestyEntry", "ListingState", "RecordState", "Subject"]

class Subject(enum.StrEnum):
    """Whom a record or an entry concerns: the enterprise, or its principal (主要负责人) by name."""

    enterprise = "enterprise"
    principal = "principal"


labelled(Subject, {Subject.enterprise: C_("credit", "Enterprise"), Subject.principal: C_("credit", "Principal")})


class CreditRecord(db.Model):
    __tablename__ = "credit_records"
    # A fact the system found creates one record per subject, whatever number of scans see it again.
    __table_args__ = (UniqueConstraint("fact_key", "subject", name="uq_credit_records_fact_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    # The authority in charge when recorded (records stay with it after a transfer, like listings).
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    subject: Mapped[Subject] = enum_column(Subject, default=Subject.enterprise)
    person_name: Mapped[str] = mapped_column(String(64), default="")  # the principal's name, as recorded
    kind: Mapped[CreditFactKind] = enum_column(CreditFactKind, index=True)
    weight: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)  # what the record cites (hazard code and deadline, document no.)
    fact_key: Mapped[str | None] = mapped_column(String(128))  # "hazard:42:overdue:2026-11-20"; None by hand
    occurred_on: Mapped[date]
    rule_set: Mapped[str] = mapped_column(String(64))
    state: Mapped[RecordState] = enum_column(RecordState, default=RecordState.recorded, index=True)
    objection: Mapped[str] = mapped_column(Text, default="")
    objected_at: Mapped[datetime | None]
    objected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_reason: Mapped[str] = mapped_column(Text, default="")  # why upheld or corrected
    correction: Mapped[str] = mapped_column(Text, default="")  # what was corrected (or "撤销")
    original_weight: Mapped[float | None] = mapped_column(Float)  # before a correction changed it
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}  # two people deciding at once: one wins (409)

    enterprise: Mapped[Enterprise] = relationship()
    authority: Mapped[Authority | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def in_force(self) -> bool:
        """Counts in the enterprise's total (a correction to weight 0 withdraws it)."""
        return self.weight > 0


class DishonestyEntry(db.Model):
    """An entry of the serious-dishonesty list, from proposal to removal."""

    __tablename__ = "dishonesty_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)  # 谁处罚、谁决定
    subject: Mapped[Subject] = enum_column(Subject, default=Subject.enterprise)
    person_name: Mapped[str] = mapped_column(String(64), default="")
    conditions: Mapped[list] = mapped_column(JSON)  # condition codes (workflows.credit.NATIONAL_CONDITIONS)
    condition_text: Mapped[str] = mapped_column(Text)  # their texts as proposed (a later edit changes nothing)
    penalty_decision: Mapped[str] = mapped_column(String(128))  # the administrative penalty decision's number
    facts: Mapped[str] = mapped_column(Text, default="")  # the facts as the proposer states them
    rule_set: Mapped[str] = mapped_column(String(64))
    restriction_domains: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[ListingState] = enum_column(ListingState, default=ListingState.proposed, index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system (scan)
    # The system's fact the scan proposed it from (once per fact: unique); None for an officer's proposal.
    source_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_records.id"), unique=True)
    proposed_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_no: Mapped[str] = mapped_column(String(64), default="")
    notified_on: Mapped[date | None]  # 列入前告知 (grounds and rights)
    refuse_reason: Mapped[str] = mapped_column(Text, default="")
    notice_document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))  # 列入决定书
    listed_on: Mapped[date | None]
    expires_on: Mapped[date | None]  # None: the region configures no period (never computed)
    # Credit repair (信用修复): the application, then the decision.
    repair_applied_on: Mapped[date | None]
    repair_statement: Mapped[str] = mapped_column(Text, default="")
    repair_conditions: Mapped[list] = mapped_column(JSON, default=list)  # codes the applicant satisfies
    repair_decision: Mapped[str] = mapped_column(String(16), default="")  # "" | granted | refused
    repair_reason: Mapped[str] = mapped_column(Text, default="")
    removal_decision_no: Mapped[str] = mapped_column(String(64), default="")
    removed_on: Mapped[date | None]
    removed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship()
    authority: Mapped[Authority] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    source_record: Mapped[CreditRecord | None] = relationship()
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
