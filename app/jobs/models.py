"""Jobs that raised: kept for the admin, who retries them (``/jobs/failed``, ``shuangkong jobs``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class FailedJob(db.Model):
    __tablename__ = "failed_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    kwargs: Mapped[dict] = mapped_column(JSON)
    error: Mapped[str] = mapped_column(Text)
    failed_at: Mapped[datetime] = mapped_column(index=True)
    retried_at: Mapped[datetime | None]  # set when the admin asked for it again (a new run, maybe a new row)
