"""An export produced in the background (a workbook too large to build while the user waits): who asked,
for what, its state, and where its file is kept until it expires."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db, enum_column
from workflows.labels import C_, N_, labelled


class ExportState(enum.Enum):
    pending = "pending"  # asked for; the job has not finished
    ready = "ready"  # the file is kept until expires_at
    failed = "failed"  # the workbook could not be written (the error is kept in ``error``)
    expired = "expired"  # the file was deleted


labelled(ExportState, {ExportState.pending: C_("exports", "Being prepared"), ExportState.ready: N_("Ready"),
                       ExportState.failed: C_("exports", "Failed"), ExportState.expired: N_("Expired")})


class Export(db.Model):
    __tablename__ = "exports"
    __table_args__ = (Index("ix_exports_user_created", "user_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(64))  # a name of exports.KINDS
    params: Mapped[dict] = mapped_column(JSON)  # the filters of the page, as plain JSON values
    title: Mapped[str] = mapped_column(String(128))
    filename: Mapped[str] = mapped_column(String(128))
    state: Mapped[ExportState] = enum_column(ExportState, default=ExportState.pending)
    expected_rows: Mapped[int] = mapped_column(Integer, default=0)  # counted when asked for
    rows: Mapped[int | None] = mapped_column(Integer)  # written (every one: no cap)
    size: Mapped[int | None] = mapped_column(Integer)  # bytes of the file
    path: Mapped[str | None] = mapped_column(String(255))  # under the instance folder's exports/
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None] = mapped_column(index=True)
