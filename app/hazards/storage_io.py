"""Evidence files between the web and ``app.storage``: bounded reads, attachment lists, serving."""

from __future__ import annotations

import io

from flask import current_app
from sqlalchemy import select

from app import storage
from app.extensions import db
from app.hazards.models import Hazard, HazardAttachment


def read_limited(upload) -> bytes:
    """Read an uploaded file, at most one byte past the limit (check_upload then names the limit)."""
    return upload.stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)


def attachments_of(hazard: Hazard) -> list[HazardAttachment]:
    return list(db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == hazard.id)
                                   .order_by(HazardAttachment.id)))


def open_file(row: HazardAttachment) -> io.BytesIO:
    return io.BytesIO(storage.load(row.sha256))
