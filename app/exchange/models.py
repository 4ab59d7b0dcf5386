"""The exchange's bookkeeping: what was sent and acknowledged per row, the push status per enterprise, and
what the project received as a city/park platform (docs/exchange.md)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.organisations.models import Enterprise


class ExchangeRow(db.Model):
    """One row of a national dataset as last built from the enterprise's records (the change log).

    ``hash`` fingerprints the current content, ``sent_hash`` the content the receiver acknowledged: the row
    is pending while they differ. ``error`` (plain Chinese) holds for ``error_hash``: a corrected row has
    another hash and is sent again at once; an unchanged refused row waits until ``retry_at``.
    """

    __tablename__ = "exchange_rows"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "dataset", "local_id", name="uq_exchange_rows_local"),
        Index("ix_exchange_rows_enterprise_dataset_row", "enterprise_id", "dataset", "row_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(48))
    local_id: Mapped[int] = mapped_column(Integer)
    row_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict] = mapped_column(JSON)
    hash: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_hash: Mapped[str | None] = mapped_column(String(64))
    acked_at: Mapped[datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    error_hash: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    retry_at: Mapped[datetime | None]

    @property
    def pending(self) -> bool:
        return self.hash != self.sent_hash


class ExchangeStatus(db.Model):
    """Per enterprise: the last push, the last success, what waits, and the last error in plain Chinese."""

    __tablename__ = "exchange_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), unique=True)
    profile: Mapped[str] = mapped_column(String(64), default="")
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    failures: Mapped[int] = mapped_column(Integer, default=0)  # consecutive failed pushes (transport)
    retry_at: Mapped[datetime | None]
    pending_rows: Mapped[int] = mapped_column(Integer, default=0)
    refused_rows: Mapped[int] = mapped_column(Integer, default=0)
    acknowledged_rows: Mapped[int] = mapped_column(Integer, default=0)

    enterprise: Mapped[Enterprise] = relationship()


class ReceivedRow(db.Model):
    """A row received from an enterprise running its own instance (this project as city/park platform):
    the latest content per national id; a ``deleted=1`` row is kept, flagged."""

    __tablename__ = "exchange_received"
    __table_args__ = (UniqueConstraint("company_code", "dataset", "row_id", name="uq_exchange_received_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_code: Mapped[str] = mapped_column(String(16), index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(48))
    row_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[dict] = mapped_column(JSON)
    deleted: Mapped[bool] = mapped_column(default=False)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    updates: Mapped[int] = mapped_column(Integer, default=0)  # times it arrived again with new content
