"""Public reports (举报) filed without login, their photos, and the users an authority designates to
read reporters' identities. The lifecycles and reward rules are in workflows/public_reports.py."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db, enum_column
from app.organisations.models import Authority, Enterprise
from workflows.labels import C_, N_, labelled
from workflows.public_reports import AccidentLevel, ReportCategory, ReportState, RewardState

labelled(ReportCategory, {
    ReportCategory.major_hazard: N_("Major accident hazard"),
    ReportCategory.violation: N_("Safety violation"),
    ReportCategory.concealment: N_("Concealed or falsely reported accident"),
    ReportCategory.other: C_("public_reports", "Other"),
})
labelled(ReportState, {
    ReportState.submitted: C_("public_reports", "Submitted"), ReportState.accepted: C_("public_reports", "Accepted"),
    ReportState.rejected: C_("public_reports", "Not accepted"),
    ReportState.transferred: C_("public_reports", "Transferred"),
    ReportState.verified: C_("public_reports", "Verified"), ReportState.closed: C_("public_reports", "Closed"),
})
labelled(RewardState, {
    RewardState.none: N_("No reward"), RewardState.proposed: N_("Reward proposed"),
    RewardState.approved: N_("Reward approved"), RewardState.declined: N_("Reward declined"),
    RewardState.paid: N_("Reward paid"),
})
labelled(AccidentLevel, {
    AccidentLevel.general: N_("General accident"), AccidentLevel.larger: N_("Larger accident"),
    AccidentLevel.major: N_("Major accident"), AccidentLevel.especially_major: N_("Especially major accident"),
})


class PublicReport(db.Model):
    """One report at one authority. A transfer (转办) closes this row and opens a new one at the target
    authority (``forwarded_to_id``); the ticket stays on the first row and follows the chain."""

    __tablename__ = "public_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The reporter's handle: NULL on the rows a transfer opened (the first row keeps it).
    ticket: Mapped[str | None] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the secret, never the secret
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    category: Mapped[ReportCategory] = enum_column(ReportCategory)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    enterprise_name: Mapped[str] = mapped_column(String(128), default="")  # as the reporter typed it
    location: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text)
    # The reporter's name and phone, encrypted with the report key kept outside the database
    # (app/public_reports/identity.py); ``identifiable``: both given (a reward may be proposed).
    reporter_name_enc: Mapped[str | None] = mapped_column(Text)
    reporter_phone_enc: Mapped[str | None] = mapped_column(Text)
    identifiable: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[ReportState] = enum_column(ReportState, default=ReportState.submitted, index=True)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    step_due: Mapped[date | None] = mapped_column()  # the deadline of the step the report waits for
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column()
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    forwarded_to_id: Mapped[int | None] = mapped_column(ForeignKey("public_reports.id"))
    origin_id: Mapped[int | None] = mapped_column(ForeignKey("public_reports.id"), index=True)
    substantiated: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[str] = mapped_column(Text, default="")
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verified_at: Mapped[datetime | None] = mapped_column()
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), index=True)
    # The inspection started from the report (its page names the report: signals.inspection_origin).
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspections.id"), index=True)
    result: Mapped[str] = mapped_column(Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column()
    reward_state: Mapped[RewardState] = enum_column(RewardState, default=RewardState.none)
    reward_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    reward_basis: Mapped[str] = mapped_column(Text, default="")
    reward_proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reward_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reward_decline_reason: Mapped[str] = mapped_column(Text, default="")
    reward_paid_on: Mapped[date | None] = mapped_column()
    reward_method: Mapped[str] = mapped_column(String(64), default="")
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    authority: Mapped[Authority] = relationship()
    enterprise: Mapped[Enterprise | None] = relationship()
    photos: Mapped[list[ReportPhoto]] = relationship(back_populates="report", order_by="ReportPhoto.id")

    __mapper_args__ = {"version_id_col": version}


class ReportPhoto(db.Model):
    __tablename__ = "public_report_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("public_reports.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64))
    mime: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))

    report: Mapped[PublicReport] = relationship(back_populates="photos")


class ReportDesignee(db.Model):
    """A user of an authority designated to read the reporters' identities of its reports."""

    __tablename__ = "public_report_designees"
    __table_args__ = (UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    authority_id: Mapped[int] = mapped_column(ForeignKey("authorities.id"), index=True)
    designated_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    designated_at: Mapped[datetime] = mapped_column(default=utcnow)

    user = relationship("User", foreign_keys=[user_id])
