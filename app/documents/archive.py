"""The hazard archive (一患一档): plain data of one hazard for reports/templates/hazard_archive.html.

Photos are referenced by their SHA-256 only (the stored context stays small); the service turns them
into downscaled data: URIs just before rendering (``photo_data_uri``), the same way every time.
"""

from __future__ import annotations

import base64
import io

from sqlalchemy import select

from app import clock, labels, storage
from app.documents.models import Document, DocumentKind, document_hazards
from app.extensions import db
from app.hazards.models import AttachmentKind, HazardAttachment, HazardEvent
from app.hazards.service import trigger_label
from reports.contexts import TITLES
from workflows.codes import ACCIDENT_TYPES, HAZARD_FACTORS

PHOTO_MAX_PX = 1000  # enough for a 76 mm wide print at ~330 dpi
PHOTO_QUALITY = 80
THUMB_PX = 400  # a thumbnail of a problem's photo on the 现场检查记录 (about 35 mm wide)


def _t(ts) -> str:
    return clock.to_local(ts).strftime("%Y-%m-%d %H:%M") if ts else ""


def _coded(code: str | None, names: dict[str, str]) -> str:
    """A national code with its name (GB/T 13861, GB 6441): "1101 物理性危险和有害因素…"."""
    if not code:
        return ""
    name = names.get(code, "")
    return f"{code} {name}" if name else code


def _acceptance(hazard) -> dict:
    """Who accepted the rectification (验收), when, and his opinion: the hazard's latest accept event."""
    event = db.session.scalar(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id,
                                                        HazardEvent.trigger == "accept")
                              .order_by(HazardEvent.seq.desc()).limit(1))
    if event is None:
        return {}
    return {"accepted_by": event.actor.display_name if event.actor else "", "accepted_at": _t(event.created_at),
            "acceptance_opinion": event.comment or ""}


def hazard_facts(hazard) -> dict:
    return {**_acceptance(hazard),
        "production_status": labels.label(hazard.production_suspension) if hazard.production_suspension else "",
        "code": hazard.code, "title": hazard.title, "description": hazard.description or "",
        "location": hazard.location or "", "source": labels.label(hazard.source),
        "nature": labels.label(hazard.nature), "level": labels.label(hazard.level),
        "state": labels.label(hazard.state), "effective_grade": labels.label(hazard.effective_grade),
        "risk_point": hazard.risk_point.name if hazard.risk_point is not None else "",
        "hazard_factor": _coded(hazard.hazard_factor, HAZARD_FACTORS),
        "accident_type": _coded(hazard.accident_type, ACCIDENT_TYPES),
        "reported_by": hazard.reported_by.display_name if hazard.reported_by else "",
        "reported_at": _t(hazard.created_at),
        "responsible_department": hazard.responsible_department.name if hazard.responsible_department else "",
        "responsible_person": hazard.responsible_user.display_name if hazard.responsible_user else "",
        "deadline": hazard.deadline, "measures": hazard.measures or "",
        "rectification": hazard.rectification or "", "closed_at": _t(hazard.closed_at),
    }


def _plan(hazard) -> dict | None:
    plan = getattr(hazard, "plan", None)
    if plan is None:
        return None
    return {"objectives": plan.goal, "methods": plan.measures, "funds": plan.funds,
            "organisation": plan.organisation, "time_requirements": plan.time_requirements,
            "safety_measures": plan.safety_and_emergency,
            "approved_by": plan.approved_by.display_name if plan.approved_by else "",
            "approved_at": _t(plan.approved_at),
            "workers_congress_reported_on": plan.workers_congress_reported_on,
            "workers_congress_how": plan.workers_congress_how or "", "authority_reported_at": _reported_major(hazard)}


def _reported_major(hazard) -> str:
    """When the hazard became major in this system, which reports it to the authority (双报告)."""
    events = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id,
                                                          HazardEvent.trigger.in_(("confirm", "regrade")))
                                .order_by(HazardEvent.seq)).all()
    for event in events:
        if (event.data or {}).get("level") == "major":
            return _t(event.created_at)
    return ""


LEVEL_WORDS = {"province": "省级", "city": "市级", "county": "县级", "town": "乡镇级"}


def _listings(hazard) -> list[dict]:
    out = []
    for listing in getattr(hazard, "listings", None) or []:
        if listing.state.value not in ("listed", "delisted"):
            continue
        notice = db.session.get(Document, listing.notice_document_id) if listing.notice_document_id else None
        lifted = db.session.get(Document, listing.delisting_document_id) if listing.delisting_document_id else None
        out.append({"level": LEVEL_WORDS.get(listing.level.value, listing.level.value),
                    "authority": listing.authority.name, "state": labels.label(listing.state),
                    "deadline": listing.deadline, "basis": getattr(listing, "basis", "") or "",
                    "notice_number": notice.number if notice else "",
                    "delisting_number": lifted.number if lifted else "",
                    "decided_at": _t(listing.decided_at), "delisted_at": _t(listing.delisted_at)})
    return out


def _timeline(hazard) -> list[dict]:
    events = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                                .order_by(HazardEvent.seq)).all()
    return [{"at": _t(e.created_at), "action": trigger_label(e.trigger),
             "actor": e.actor.display_name if e.actor else "", "note": e.comment or ""} for e in events]


def _photos(hazard) -> tuple[list[dict], list[dict]]:
    rows = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == hazard.id)
                              .order_by(HazardAttachment.id)).all()

    def photo(a):
        return {"sha256": a.sha256, "caption": a.filename, "taken_at": _t(a.taken_at or a.created_at)}

    before = [photo(a) for a in rows if a.kind == AttachmentKind.before and a.is_image]
    after = [photo(a) for a in rows if a.kind == AttachmentKind.after and a.is_image]
    return before, after


def _documents(hazard) -> list[dict]:
    docs = db.session.scalars(
        select(Document).join(document_hazards, document_hazards.c.document_id == Document.id)
        .where(document_hazards.c.hazard_id == hazard.id, Document.kind != DocumentKind.hazard_archive)
        .order_by(Document.issued_at)).all()
    return [{"title": TITLES[d.kind.value], "number": d.number, "issued_on": clock.to_local(d.issued_at).date(),
             "status": labels.label(d.status)} for d in docs]


def archive_context(hazard) -> dict:
    """Everything the archive prints: the hazard, its plan, its timeline, photos and legal documents."""
    before, after = _photos(hazard)
    return {"hazard": hazard_facts(hazard), "enterprise_name": hazard.enterprise.name, "plan": _plan(hazard),
            "timeline": _timeline(hazard), "photos_before": before, "photos_after": after,
            "documents": _documents(hazard), "listings": _listings(hazard)}


def photo_data_uri(sha256: str, max_px: int = PHOTO_MAX_PX) -> str:
    """A stored photo, downscaled to JPEG (deterministic for the same bytes), as a data: URI."""
    from PIL import Image, ImageOps  # lazy: only for images

    with Image.open(io.BytesIO(storage.load(sha256))) as img:
        img = ImageOps.exif_transpose(img).convert("RGB")
        img.thumbnail((max_px, max_px))
        buf = io.BytesIO()
        img.save(buf, format="JPEG", quality=PHOTO_QUALITY, optimize=True)
    return "data:image/jpeg;base64," + base64.b64encode(buf.getvalue()).decode()
