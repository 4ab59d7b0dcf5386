"""An uploaded import file kept between its preview and its confirmation, found by a token."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


def new_token() -> str:
    return secrets.token_urlsafe(24)


class ImportUpload(db.Model):
    __tablename__ = "import_uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True, default=new_token)
    kind: Mapped[str] = mapped_column(String(16))  # "enterprises" | "users"
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The enterprise a staff import goes into (None for enterprises).
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"))
    sha256: Mapped[str] = mapped_column(String(64))  # the file, in app.storage
    filename: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    committed_at: Mapped[datetime | None]
    created_count: Mapped[int | None]


class RegionMerge(db.Model):
    """A region merged into another (entered twice, or with a typo).

    Its row is kept, invisible (``app.imports`` narrows the Region scope), because the append-only audit
    log names the regions its entries were made in; everything else that referred to it now refers to
    ``target``."""

    __tablename__ = "region_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), unique=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    merged_at: Mapped[datetime] = mapped_column(default=utcnow)
