"""Evidence files between the web and ``app.storage``: bounded reads, attachment lists, serving."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from sqlalchemy import select

from app import storage
from app.extensions import db, limiter
from app.hazards import policy as hazard_policy
from app.hazards.models import Hazard, HazardAttachment


def read_limited(upload) -> bytes:
    """Read an uploaded file, at most one byte past the limit (check_upload then names the limit)."""
    return upload.stream.read(current_app.config["MAX_UPLOAD_BYTES"] + 1)


def attachments_of(hazard: Hazard) -> list[HazardAttachment]:
    return list(db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == hazard.id)
                                   .order_by(HazardAttachment.id)))


def _uploader_key() -> str:
    user_id = getattr(current_user, "id", None)
    return f"user:{user_id}" if user_id is not None else "anonymous"


# Writes that carry files, counted per user across the UI and the API (one budget, "uploads"); a POST
# without a file (a comment, an acceptance) is not counted.
upload_limit = limiter.shared_limit(lambda: current_app.config["UPLOAD_RATE_LIMIT"], scope="uploads",
                                    key_func=_uploader_key, methods=["POST"],
                                    exempt_when=lambda: not request.files)


def file_response(row: HazardAttachment, viewer):
    """The attachment's bytes, checked against their SHA-256 (missing or altered: 404, logged); a photo's
    GPS position removed unless ``viewer`` may see where it was taken (the original stays stored)."""
    data = storage.load(row.sha256)
    if row.is_image and not hazard_policy.may_see_location(viewer):
        data = storage.strip_location(data)
    inline = row.is_image or row.mime == storage.PDF_TYPE
    return storage.send(data, mime=row.mime, filename=row.filename, inline=inline)


def stored_digests():
    return db.session.scalars(select(HazardAttachment.sha256).distinct())
