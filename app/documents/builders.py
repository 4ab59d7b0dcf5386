"""Fill the *service-filled* context fields (see reports/contexts.py) from the database.

Callers pass what a person entered; what the database already knows (enterprise name and address,
the hazards as items, the issuing user) is added here, never overriding what the caller gave. The
documents of an inspection (order, review opinion) are built from the inspection record alone
(``order_context`` / ``opinion_context``): the caller gives only the officer's own words.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app import clock
from app.documents.archive import archive_context
from app.documents.models import DocumentKind
from app.errors import Invalid
from app.extensions import db
from app.hazards.models import AttachmentKind, HazardAttachment, HazardEvent
from reports.contexts import TITLES
from workflows.hazard_states import HazardLevel, HazardState


def _responsible(hazard) -> str:
    if hazard.responsible_user is not None:
        return hazard.responsible_user.display_name
    return hazard.responsible_department.name if hazard.responsible_department is not None else ""


def hazard_items(hazards) -> list[dict]:
    return [{"text": h.title + (f"：{h.description}" if h.description else ""), "deadline": h.deadline,
             "hazard_code": h.code, "measures": h.measures or "", "responsible": _responsible(h)}
            for h in hazards]


# --- documents of an inspection record (责令限期整改指令书, 整改复查意见书) --------------------------------
#
# Everything but the officer's own words comes from the record: who inspected, when, which hazards
# with which deadlines, and per hazard the review decision recorded on it. Nobody types it in, so the
# UI and the API cannot print different things.

def officer(user) -> dict:
    return {"name": user.display_name, "certificate_no": user.certificate_no or ""}


def inspection_officers(inspection, first=None) -> list:
    """The inspection's two recorded officers (users), ``first`` (the signing actor) in front."""
    users = [inspection.officer, inspection.second_officer]
    if first is not None and first in users:
        users.remove(first)
        users.insert(0, first)
    return users


def order_context(inspection) -> dict:
    hazards = [entry.hazard for entry in inspection.items]
    return {
        "officers": [officer(u) for u in inspection_officers(inspection)],
        "items": [{"text": entry.hazard.title + (f"：{entry.hazard.description}" if entry.hazard.description else ""),
                   "deadline": entry.hazard.deadline or entry.deadline, "hazard_code": entry.hazard.code}
                  for entry in inspection.items],
        "inspection_date": inspection.inspected_on,
        "subject_unit": inspection.enterprise.name, "subject_address": inspection.enterprise.address,
        "major_hazard_count": sum(1 for h in hazards if h.level == HazardLevel.major),
    }


def _clock(t) -> str:
    return f"{t.hour}时{t.minute:02d}分"


def record_context(inspection) -> dict:
    """现场检查记录: everything from the inspection record (officers, time range, place, the
    enterprise's person on site, the problems with location, provision and major-hazard judgement)."""
    enterprise = inspection.enterprise
    photos = _photos_on_site([entry.hazard_id for entry in inspection.items])
    problems = [{
        "text": entry.hazard.title + (f"：{entry.hazard.description}" if entry.hazard.description else ""),
        "location": entry.hazard.location or "", "provision": entry.provision or "", "major": bool(entry.major),
        "criterion": entry.criterion_text or "", "deadline": entry.deadline, "hazard_code": entry.hazard.code,
        "photos": photos.get(entry.hazard_id, []),
    } for entry in inspection.items]
    return {
        "officers": [officer(u) for u in inspection_officers(inspection)],
        "subject_unit": enterprise.name, "subject_address": enterprise.address or "",
        "principal_name": enterprise.principal_name or enterprise.legal_representative or "",
        "inspection_date": inspection.inspected_on,
        "time_range": f"{_clock(inspection.start_time)}至{_clock(inspection.end_time)}",
        "place": inspection.place or "", "enterprise_person": inspection.enterprise_person or "",
        "findings": inspection.findings or "", "problems": problems,
        "major_hazard_count": sum(1 for p in problems if p["major"]),
    }


def _photos_on_site(hazard_ids: list[int]) -> dict[int, list[dict]]:
    """hazard id -> its "before" photos (taken during the inspection), by their stored SHA-256: the
    service puts the thumbnails in just before printing, the stored context keeps only the digests."""
    rows = db.session.scalars(select(HazardAttachment).where(
        HazardAttachment.hazard_id.in_(hazard_ids), HazardAttachment.kind == AttachmentKind.before)
        .order_by(HazardAttachment.id)).all()
    found: dict[int, list[dict]] = {}
    for row in rows:
        if row.is_image:
            found.setdefault(row.hazard_id, []).append({"sha256": row.sha256, "caption": row.filename})
    return found


def _last_decisions(hazard_ids: list[int]) -> dict:
    """hazard id -> its latest review decision (the accept / reject event), if any."""
    events = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id.in_(hazard_ids),
                                                          HazardEvent.trigger.in_(("accept", "reject")))
                                .order_by(HazardEvent.hazard_id, HazardEvent.seq)).all()
    return {e.hazard_id: e for e in events}


def review_item(hazard, decision, review_date: date) -> dict:
    """What the opinion says of one hazard: the decision recorded on it, else where it stands."""
    item = {"text": hazard.title, "hazard_code": hazard.code, "rectified": hazard.state == HazardState.closed}
    if hazard.state == HazardState.closed:
        return {**item, "verdict": "passed"}
    if hazard.state == HazardState.pending_review:
        return {**item, "verdict": "pending"}
    if decision is not None and decision.trigger == "reject":
        return {**item, "verdict": "rejected", "reason": decision.comment or "", "deadline": hazard.deadline}
    if hazard.deadline is not None and hazard.deadline >= review_date:
        return {**item, "verdict": "not_due", "deadline": hazard.deadline}
    return {**item, "verdict": "overdue", "deadline": hazard.deadline}


def review_items(inspection, review_date: date) -> list[dict]:
    decisions = _last_decisions([entry.hazard_id for entry in inspection.items])
    return [review_item(entry.hazard, decisions.get(entry.hazard_id), review_date) for entry in inspection.items]


def review_outcome(items: list[dict]) -> str:
    passed = [item["verdict"] == "passed" for item in items]
    if all(passed):
        return "passed"
    return "partial" if any(passed) else "failed"


def default_opinion(items: list[dict]) -> str:
    """已整改合格 / 部分整改（第N项未整改完毕），责令继续整改 — from the items' verdicts."""
    open_positions = [str(n) for n, item in enumerate(items, start=1) if item["verdict"] != "passed"]
    if not open_positions:
        return "经复查，你单位已按要求完成整改，整改合格。"
    if len(open_positions) == len(items):
        return "经复查，你单位未按要求完成整改，责令继续整改，逾期未整改的将依法处理。"
    return (f"经复查，你单位部分整改（第{'、'.join(open_positions)}项未整改完毕），"
            "责令继续整改，逾期未整改的将依法处理。")


def opinion_context(inspection, order, *, actor, review_date: date, opinion: str) -> dict:

    items = review_items(inspection, review_date)
    return {
        "officers": [officer(u) for u in inspection_officers(inspection, first=actor)],
        "original_number": order.number, "original_title": TITLES[order.kind.value],
        "original_date": clock.to_local(order.issued_at).date(), "review_date": review_date,
        "outcome": review_outcome(items), "items": items,
        "opinion": (opinion or "").strip() or default_opinion(items),
        "subject_unit": inspection.enterprise.name,
    }


def fill(kind: DocumentKind, data: dict, *, actor, enterprise, hazards) -> dict:
    def default(key, value):
        if data.get(key) in (None, "", []):
            data[key] = value

    if kind == DocumentKind.rectification_notice:
        default("enterprise_name", enterprise.name)
        default("signer", actor.display_name)
        default("items", hazard_items(hazards))
    elif kind in (DocumentKind.supervision_notice, DocumentKind.delisting_notice):
        default("enterprise_name", enterprise.name)
        default("addressee", enterprise.name)
        if hazards:
            default("hazard_name", hazards[0].title)
            default("hazard_code", hazards[0].code)
        if kind == DocumentKind.supervision_notice:
            default("enterprise_address", enterprise.address)
            default("principal_name", enterprise.principal_name or enterprise.legal_representative)
            default("treatment_unit", enterprise.name)
    elif kind == DocumentKind.hazard_archive:
        # Always built from the hazard itself: a caller never supplies what an archive shows (nor
        # photo references that could point at another enterprise's files).
        if len(hazards) != 1:
            from flask_babel import gettext as _

            raise Invalid(fields={"hazard_ids": _("An archive is printed for exactly one hazard.")})
        data = archive_context(hazards[0])
    return data
