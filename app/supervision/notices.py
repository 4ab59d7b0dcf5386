"""The numbered documents of supervision, built from our models and issued through documents.

Each function builds the plain context the print template needs and calls
``app.documents.service.issue`` inside the caller's transaction (the number is allocated there).
"""

from __future__ import annotations

from flask_babel import gettext as _

DEFAULT_REQUIREMENTS = (
    "落实整改措施、资金、期限、责任人和应急预案（五到位）；治理期间采取有效的安全防范措施，"
    "必要时局部或全部停产停业；每月向督办单位书面报告治理进展；治理完成后申请验收销号。"
)


def _issue(kind: str, *, actor, context, hazards=(), authority=None, enterprise=None):
    try:
        from app.documents import service as documents
    except ModuleNotFoundError:  # documents feature not in this build
        return None
    return documents.issue(kind, actor=actor, context=context, hazards=hazards, authority=authority,
                           enterprise=enterprise)


def issue_supervision_notice(listing, actor):
    return _issue("supervision_notice", actor=actor, context=_listing_context(listing, actor),
                  hazards=[listing.hazard], authority=listing.authority, enterprise=listing.enterprise)


def issue_delisting_notice(listing, actor):
    return _issue("delisting_notice", actor=actor, context=_listing_context(listing, actor),
                  hazards=[listing.hazard], authority=listing.authority, enterprise=listing.enterprise)


def _listing_context(listing, actor) -> dict:
    hazard = listing.hazard
    enterprise = listing.enterprise
    return {
        "enterprise": enterprise.name, "address": enterprise.address,
        "principal": enterprise.principal_name, "hazard_code": hazard.code, "hazard_title": hazard.title,
        "hazard_description": hazard.description, "deadline": listing.deadline,
        "level": listing.level.value, "authority": listing.authority.name,
        "responsible_unit": listing.responsible_unit, "responsible_person": listing.responsible_person,
        "supervising_unit": listing.supervising_unit, "requirements": listing.requirements,
        "signer": actor.display_name, "title": _("Supervision notice"),
    }


def issue_rectification_order(inspection, actor):
    return None


def issue_review_opinion(inspection, actor):
    return None
