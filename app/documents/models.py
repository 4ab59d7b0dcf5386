"""Issued documents (numbered, immutable PDFs) and their gap-free number counters.

A Document is written once by ``app.documents.service.issue`` and never edited: its PDF bytes live in
``app.storage`` under ``pdf_sha256``; only ``status`` (valid → voided / superseded) and the void fields
change afterwards. Voiding keeps the number (the counter never goes back).

Issuer: exactly one of ``issuer_authority_id`` (government kinds) or ``issuer_enterprise_id``
(rectification_notice, risk_card; hazard_archive printed by an enterprise user). ``enterprise_id`` is
the enterprise the document concerns (tenancy: who may see it).

Listings: supervision keeps the link (its Listing rows reference ``documents.id`` for the supervision
and delisting notices). ``listing_id`` here is informational only (no foreign key, set by whoever
issues for a listing) so that a document page can point back to its listing.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db, enum_column
from app.organisations.models import Authority, Enterprise
from workflows.labels import C_, N_, labelled


class DocumentKind(enum.StrEnum):
    rectification_notice = "rectification_notice"  # 隐患整改通知书 (enterprise)
    rectification_order = "rectification_order"  # 责令限期整改指令书 (inspector)
    review_opinion = "review_opinion"  # 整改复查意见书 (inspector)
    supervision_notice = "supervision_notice"  # 重大事故隐患挂牌督办通知书 (supervisor)
    delisting_notice = "delisting_notice"  # 解除挂牌督办通知书 (supervisor)
    hazard_archive = "hazard_archive"  # 隐患档案 (anyone who may see the hazard)
    risk_card = "risk_card"  # 岗位安全风险告知卡 (enterprise)
    inspection_record = "inspection_record"  # 现场检查记录 (inspector, from the inspection)
    summons_notice = "summons_notice"  # 约谈通知书 (authority)
    summons_record = "summons_record"  # 约谈记录 (authority)
    onsite_measures = "onsite_measures"  # 现场处理措施决定书 (inspector)
    dishonesty_notice = "dishonesty_notice"  # 列入安全生产严重失信主体名单决定书 (supervisor, app.credit)


labelled(DocumentKind, {
    DocumentKind.rectification_notice: N_("Rectification notice"),
    DocumentKind.rectification_order: N_("Rectification order"),
    DocumentKind.review_opinion: N_("Review opinion"),
    DocumentKind.supervision_notice: C_("documents", "Supervision notice"),
    DocumentKind.delisting_notice: N_("Delisting notice"),
    DocumentKind.hazard_archive: N_("Hazard archive"),
    DocumentKind.risk_card: C_("documents", "Risk notification card"),
    DocumentKind.inspection_record: N_("On-site inspection record"),
    DocumentKind.summons_notice: N_("Summons notice"),
    DocumentKind.summons_record: N_("Summons record"),
    DocumentKind.onsite_measures: N_("On-site measures decision"),
    DocumentKind.dishonesty_notice: N_("Serious-dishonesty list decision"),
})


# Kinds whose issuer is always an enterprise (numbered per enterprise and year).
ENTERPRISE_KINDS = frozenset({DocumentKind.rectification_notice, DocumentKind.risk_card})
# Kinds issued through the API POST /api/v1/documents (the notices come from listing decisions).
API_KINDS = frozenset({DocumentKind.rectification_notice, DocumentKind.rectification_order,
                       DocumentKind.review_opinion, DocumentKind.hazard_archive, DocumentKind.risk_card,
                       DocumentKind.inspection_record})


class DocumentStatus(enum.StrEnum):
    valid = "valid"
    voided = "voided"
    superseded = "superseded"


labelled(DocumentStatus, {
    DocumentStatus.valid: N_("Valid"),
    DocumentStatus.voided: C_("documents", "Voided"),
    DocumentStatus.superseded: N_("Superseded"),
})


document_hazards = Table(
    "document_hazards",
    db.Model.metadata,
    Column("document_id", ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True),
    Column("hazard_id", ForeignKey("hazards.id"), primary_key=True, index=True),
)


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint("(issuer_authority_id IS NULL) <> (issuer_enterprise_id IS NULL)", name="one_issuer"),
        # Gap-free numbers are unique per issuer, kind and year (the counter guarantees it; this proves it).
        UniqueConstraint("issuer", "kind", "year", "seq", name="uq_documents_issuer_kind_year_seq"),
        Index("ix_documents_enterprise_issued", "enterprise_id", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DocumentKind] = enum_column(DocumentKind, index=True)
    issuer_authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    issuer_enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))  # the enterprise concerned
    issuer: Mapped[str] = mapped_column(String(32))  # "authority:7" / "enterprise:12", the counter's key
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(64), index=True)  # （甲）应急责改〔2026〕1号
    # Random, unguessable (secrets.token_urlsafe(18), 24 chars): the QR code's /verify/<token>.
    token: Mapped[str] = mapped_column(String(43), unique=True)
    pdf_sha256: Mapped[str] = mapped_column(String(64))
    pdf_size: Mapped[int] = mapped_column(BigInteger)
    template_version: Mapped[str] = mapped_column(String(32))
    # The plain data the template was rendered with (reports.contexts.dump + header): re-rendering
    # it gives the same bytes, which proves the stored PDF is what was issued.
    context_json: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[DocumentStatus] = enum_column(DocumentStatus, default=DocumentStatus.valid, index=True)
    void_reason: Mapped[str | None] = mapped_column(Text)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    listing_id: Mapped[int | None] = mapped_column(Integer, index=True)  # informational, no FK (see above)

    issuer_authority: Mapped[Authority | None] = relationship(foreign_keys=[issuer_authority_id])
    issuer_enterprise: Mapped[Enterprise | None] = relationship(foreign_keys=[issuer_enterprise_id])
    enterprise: Mapped[Enterprise] = relationship(foreign_keys=[enterprise_id])
    issued_by: Mapped[User] = relationship(foreign_keys=[issued_by_id])
    voided_by: Mapped[User | None] = relationship(foreign_keys=[voided_by_id])
    hazards = relationship("Hazard", secondary=document_hazards, order_by="Hazard.id", lazy="selectin")

    # Not stored: True when ``service.issue`` handed back an existing document instead of numbering a
    # new one (an unchanged hazard archive printed again).
    reused = False

    @property
    def issuer_name(self) -> str:
        issuer = self.issuer_authority or self.issuer_enterprise
        return issuer.name if issuer is not None else ""

    @property
    def is_valid(self) -> bool:
        return self.status == DocumentStatus.valid

    def __repr__(self) -> str:
        return f"<Document {self.kind} {self.number}>"


class DocumentCounter(db.Model):
    """The last number used per (issuer, kind, year). Incremented with ``UPDATE ... RETURNING`` inside
    the issuing transaction: the row stays locked until commit, so concurrent issuers wait, and a
    rolled-back issue gives its number back (no gap, no duplicate)."""

    __tablename__ = "document_counters"
    __table_args__ = (UniqueConstraint("issuer", "kind", "year", name="uq_document_counters_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(32))  # "authority:7" / "enterprise:12"
    kind: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


# Only these change after issue; everything else is the issued record (bytes, number, context).
MUTABLE_COLUMNS = frozenset({"status", "void_reason", "voided_by_id", "voided_at", "superseded_by_id"})


@event.listens_for(Document, "before_update")
def _refuse_edits(_mapper, _connection, document: Document) -> None:
    state = inspect(document)
    changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
    columns = {c.key for c in Document.__table__.columns}
    edited = (changed & columns) - MUTABLE_COLUMNS
    if edited:
        raise ValueError(f"an issued document is immutable; refused to change {sorted(edited)}")


class ServiceMethod(enum.StrEnum):
    """How a document was served (送达) on the enterprise."""

    on_site = "on_site"  # 直接送达（当场交付）
    post = "post"  # 邮寄送达
    electronic = "electronic"  # 电子送达 (only with the party's prior consent)


labelled(ServiceMethod, {
    ServiceMethod.on_site: N_("Served on site"),
    ServiceMethod.post: N_("Served by post"),
    ServiceMethod.electronic: N_("Served electronically"),
})


class DocumentService(db.Model):
    """The service (送达) of an issued document: how, when, to whom, and the scan of the signed
    receipt (文书送达回执). One per document; statutory periods run from ``served_at``."""

    __tablename__ = "document_services"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), unique=True)
    method: Mapped[ServiceMethod] = enum_column(ServiceMethod)
    served_at: Mapped[datetime]  # naive UTC
    received_by: Mapped[str] = mapped_column(String(64))  # 受送达人 / 签收人
    # 电子送达: the date the party consented (受送达人同意电子送达) and the address it gave.
    consent_on: Mapped[datetime | None]
    address: Mapped[str] = mapped_column(String(255), default="")  # postal or electronic address
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))
    receipt_mime: Mapped[str | None] = mapped_column(String(64))
    receipt_filename: Mapped[str | None] = mapped_column(String(255))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(backref=backref("service", uselist=False))
    recorded_by: Mapped[User] = relationship()
