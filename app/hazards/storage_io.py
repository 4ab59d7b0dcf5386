"""Evidence files between the web and ``app.storage``: bounded reads, attachment lists, serving."""

from __future__ import annotations

from sqlalchemy import select

from app import storage, thumbnails
from app.extensions import db
from app.hazards import policy as hazard_policy
from app.hazards.models import Hazard, HazardAttachment

read_limited = storage.read_limited
upload_limit = storage.upload_limit


def attachments_query(hazard: Hazard):
    return select(HazardAttachment).where(HazardAttachment.hazard_id == hazard.id).order_by(HazardAttachment.id)


def attachments_of(hazard: Hazard) -> list[HazardAttachment]:
    return list(db.session.scalars(attachments_query(hazard)))


def file_response(row: HazardAttachment, viewer):
    """The attachment's bytes, checked against their SHA-256 (missing or altered: 404, logged); a photo's
    GPS position removed unless ``viewer`` may see where it was taken (the original stays stored)."""
    data = storage.load(row.sha256)
    if row.is_image and not hazard_policy.may_see_location(viewer):
        data = storage.strip_location(data)
    inline = row.is_image or row.mime == storage.PDF_TYPE
    return storage.send(data, mime=row.mime, filename=row.filename, inline=inline)


def copy_response(row: HazardAttachment, size: str):
    """A smaller copy of a photo (no metadata, so no position). Its URL names one attachment whose bytes
    never change: the browser may keep it a day without asking again."""
    data = thumbnails.derived(row.sha256, size)
    name = row.filename.rsplit(".", 1)[0] + f"-{size}.jpg"
    return storage.send(data, mime="image/jpeg", filename=name, inline=True, cache="private, max-age=86400")


def stored_digests():
    return db.session.scalars(select(HazardAttachment.sha256).distinct())
