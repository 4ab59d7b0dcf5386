"""The numbered documents of listings, built from our models and issued through documents.

(The order and review opinion of an inspection are built by the documents service itself from the
inspection record: ``documents.issue(kind, inspection=...)``.)

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
from app.supervision.delisting import reviewers_of
from app.supervision.models import InspectionItem

DEFAULT_REQUIREMENTS = (
    "落实整改措施、资金、期限、责任人和应急预案（五到位）；治理期间采取有效的安全防范措施，"
    "必要时局部或全部停产停业；每月向督办单位书面报告治理进展；治理完成后申请验收销号。"
)
LEVEL_WORDS = {"province": "省级", "city": "市级", "county": "县级", "town": "乡镇级"}
PRODUCTION_WORDS = {ProductionSuspension.none: "未停产停业", ProductionSuspension.partial: "局部停产停业",
                    ProductionSuspension.full: "全部停产停业"}


def basis_of(listing) -> str:
    """判定依据 when the supervisor gives none: the clause of the criteria the inspector judged the
    hazard against (inspection record), else the recorded facts that made the listing rule fire."""

    item = db.session.scalar(select(InspectionItem).where(InspectionItem.hazard_id == listing.hazard_id))
    if item is not None and item.major and item.criterion_text:
        return item.criterion_text
    hazard = listing.hazard
    level = "重大事故隐患" if hazard.level is not None and hazard.level.value == "major" else "一般事故隐患"
    if listing.source.value == "overdue" and hazard.deadline is not None:
        days = (today() - hazard.deadline).days
        return f"{level}，整改期限{hazard.deadline.isoformat()}，逾期{days}日未整改完毕"
    return f"经确认为{level}"


# --- listings -----------------------------------------------------------------------------

def issue_supervision_notice(listing, actor: User) -> Document:
    hazard = listing.hazard
    # Printed as the supervisor wrote them (his own numbering and line breaks): splitting them into a
    # numbered list printed "1. 一、…" and renumbered what he had numbered (issue 17 item 7).
    requirements = [listing.requirements.strip()] if (listing.requirements or "").strip() else []
    context = {
        "hazard_name": hazard.title, "hazard_code": hazard.code, "deadline": listing.deadline,
        "situation": hazard.description or hazard.title,
        "listing_level": LEVEL_WORDS.get(listing.level.value, listing.level.value),
        "listing_body": listing.authority.name, "treatment_unit": listing.responsible_unit,
        "treatment_person": listing.responsible_person, "supervision_unit": listing.supervising_unit,
        "supervision_person": listing.supervising_person, "basis": listing.basis,
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


def _conclusion(listing, actor: User) -> str:
    """Names the officers actually recorded: the two of the on-site review of the enterprise's
    application, else the inspector who accepted."""

    officers = reviewers_of(listing) or [actor]
    names = "、".join(f"{u.display_name}（执法证号{u.certificate_no}）" if u.certificate_no else u.display_name
                      for u in officers)
    return f"经{names}现场核查验收，该重大事故隐患已整改完毕，验收合格，予以销号，解除挂牌督办。"


def issue_delisting_notice(listing, actor: User) -> Document:
    """``actor``: the inspector who accepted; the notice is signed by the authority's supervisor."""
    notice = db.session.get(Document, listing.notice_document_id) if listing.notice_document_id else None
    hazard = listing.hazard
    context = {
        "hazard_name": hazard.title, "hazard_code": hazard.code,
        "original_number": notice.number if notice is not None else "",
        "original_date": to_local(notice.issued_at).date() if notice is not None else listing.decided_at.date(),
        "review_date": today(),
        "conclusion": _conclusion(listing, actor),
    }
    return documents.issue("delisting_notice", actor=delisting_signer(listing), context=context,
                           hazards=[hazard], authority=listing.authority, enterprise=listing.enterprise,
                           listing_id=listing.id)
