"""The numbered documents of supervision, built from our models and issued through documents.

Each function builds the plain context of ``reports/contexts.py`` for its kind and calls
``app.documents.service.issue`` inside the caller's transaction (the number is allocated there, so a
rollback gives it back).
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import Role, User
from app.clock import to_local, today
from app.documents import service as documents
from app.documents.models import Document
from app.errors import Conflict
from app.extensions import db
from app.hazards.models import ProductionSuspension
from workflows.hazard_states import HazardState

DEFAULT_REQUIREMENTS = (
    "落实整改措施、资金、期限、责任人和应急预案（五到位）；治理期间采取有效的安全防范措施，"
    "必要时局部或全部停产停业；每月向督办单位书面报告治理进展；治理完成后申请验收销号。"
)
LEVEL_WORDS = {"province": "省级", "city": "市级", "county": "县级", "town": "乡镇级"}
PRODUCTION_WORDS = {ProductionSuspension.none: "", ProductionSuspension.partial: "局部停产停业",
                    ProductionSuspension.full: "全部停产停业"}


def _officer(user: User) -> dict:
    return {"name": user.display_name, "certificate_no": user.certificate_no or ""}


# --- listings -----------------------------------------------------------------------------

def issue_supervision_notice(listing, actor: User) -> Document:
    hazard = listing.hazard
    requirements = [line.strip() for line in (listing.requirements or "").replace("；", "\n").splitlines()
                    if line.strip()]
    context = {
        "hazard_name": hazard.title, "hazard_code": hazard.code, "deadline": listing.deadline,
        "situation": hazard.description or hazard.title,
        "listing_level": LEVEL_WORDS.get(listing.level.value, listing.level.value),
        "listing_body": listing.authority.name, "treatment_unit": listing.responsible_unit,
        "treatment_person": listing.responsible_person, "supervision_unit": listing.supervising_unit,
        "production_status": PRODUCTION_WORDS.get(hazard.production_suspension, ""),
        "requirements": requirements, "contact_person": actor.display_name,
        "contact_phone": listing.authority.phone or "",
    }
    return documents.issue("supervision_notice", actor=actor, context=context, hazards=[hazard],
                           authority=listing.authority, enterprise=listing.enterprise, listing_id=listing.id)


def delisting_signer(listing) -> User:
    """The delisting notice is the listing authority's, signed by its supervisor: the one who listed
    the item if he still serves there, else another active supervisor of that authority."""
    decided = listing.decided_by
    if (decided is not None and decided.active and decided.role == Role.supervisor
            and decided.authority_id == listing.authority_id):
        return decided
    other = db.session.scalar(select(User).where(User.authority_id == listing.authority_id,
                                                 User.role == Role.supervisor, User.active.is_(True))
                              .order_by(User.id).limit(1))
    if other is None:
        raise Conflict(_("The listing authority has no active supervisor to sign the delisting notice."),
                       code="no_supervisor")
    return other


def issue_delisting_notice(listing, actor: User) -> Document:
    """``actor``: the inspector who accepted; the notice is signed by the authority's supervisor."""
    notice = db.session.get(Document, listing.notice_document_id) if listing.notice_document_id else None
    hazard = listing.hazard
    context = {
        "hazard_name": hazard.title, "hazard_code": hazard.code,
        "original_number": notice.number if notice is not None else "",
        "original_date": to_local(notice.issued_at).date() if notice is not None else listing.decided_at.date(),
        "review_date": today(),
        "conclusion": f"经{actor.display_name}等现场核查验收，该重大事故隐患已整改完毕，验收合格，予以销号，"
                      "解除挂牌督办。",
    }
    return documents.issue("delisting_notice", actor=delisting_signer(listing), context=context,
                           hazards=[hazard], authority=listing.authority, enterprise=listing.enterprise,
                           listing_id=listing.id)


# --- inspections ---------------------------------------------------------------------------

def issue_rectification_order(inspection, actor: User) -> Document:
    items = [{"text": entry.hazard.title + (f"：{entry.hazard.description}" if entry.hazard.description else ""),
              "deadline": entry.deadline, "hazard_code": entry.hazard.code} for entry in inspection.items]
    context = {
        "officers": [_officer(inspection.officer), _officer(inspection.second_officer)],
        "items": items, "inspection_date": inspection.inspected_on,
    }
    return documents.issue("rectification_order", actor=actor, context=context,
                           hazards=[entry.hazard for entry in inspection.items], authority=inspection.authority,
                           enterprise=inspection.enterprise)


def review_outcome(inspection) -> str:
    closed = [entry.hazard.state == HazardState.closed for entry in inspection.items]
    if all(closed):
        return "passed"
    return "partial" if any(closed) else "failed"


def issue_review_opinion(inspection, actor: User) -> Document:
    order = db.session.get(Document, inspection.order_document_id) if inspection.order_document_id else None
    partner = inspection.second_officer if actor.id == inspection.officer_id else inspection.officer
    context = {
        "officers": [_officer(actor), _officer(partner)],
        "original_number": order.number if order is not None else "",
        "original_date": to_local(order.issued_at).date() if order is not None else inspection.inspected_on,
        "review_date": today(), "opinion": inspection.review_opinion, "outcome": review_outcome(inspection),
        "items": [{"text": entry.hazard.title, "rectified": entry.hazard.state == HazardState.closed,
                   "hazard_code": entry.hazard.code} for entry in inspection.items],
    }
    return documents.issue("review_opinion", actor=actor, context=context,
                           hazards=[entry.hazard for entry in inspection.items], authority=inspection.authority,
                           enterprise=inspection.enterprise)
