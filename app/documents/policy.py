"""Who may issue, see and void documents (rules registered with app.access).

* Tenancy: a document is visible to whoever may see the enterprise it concerns (its users; the
  inspectors and supervisors of the region above it; admin). Enterprise staff see only the internal
  kinds addressed to them through their manager, so they are kept to rectification notices and cards.
* Issue rules receive an ``IssueTarget(kind, enterprise, authority, hazards)``.
"""

from __future__ import annotations

from sqlalchemy import and_, or_

from app import access
from app.auth.models import Role, User
from app.documents.models import Document, DocumentKind

STAFF_KINDS = (DocumentKind.rectification_notice, DocumentKind.risk_card)


def _document_scope(user: User):
    condition = access.enterprise_condition(Document.enterprise_id, user)
    if user.role == Role.enterprise_staff:
        return and_(condition, Document.kind.in_(STAFF_KINDS))
    # An authority keeps seeing what it issued after the enterprise moved to another region.
    return or_(condition, access.authority_records(Document.issuer_authority_id, user))


SCOPES = {Document: _document_scope}
rules = access.Rules()


def _own_authority_in_charge(user: User, target) -> bool:
    """A government user issuing for his own authority, over an enterprise in its region subtree."""
    return (user.authority_id is not None and target.authority is not None
            and target.authority.id == user.authority_id and access.in_jurisdiction(user, target.enterprise))


def _enterprise_manager_of(user: User, enterprise) -> bool:
    return user.role == Role.enterprise_manager and user.enterprise_id == enterprise.id


@rules("document.issue.rectification_notice")
def _issue_notice(user: User, target) -> bool:
    return _enterprise_manager_of(user, target.enterprise)


@rules("document.issue.risk_card")
def _issue_card(user: User, target) -> bool:
    return _enterprise_manager_of(user, target.enterprise)


def _officer_of(user: User, inspection) -> bool:
    """One of the two officers recorded on the inspection: they sign its order and opinions."""
    return inspection is not None and user.id in (inspection.officer_id, inspection.second_officer_id)


@rules("document.issue.rectification_order")
def _issue_order(user: User, target) -> bool:
    return (user.role == Role.inspector and _own_authority_in_charge(user, target)
            and _officer_of(user, target.inspection))


@rules("document.issue.inspection_record")
def _issue_record(user: User, target) -> bool:
    return (user.role == Role.inspector and _own_authority_in_charge(user, target)
            and _officer_of(user, target.inspection))


@rules("document.issue.review_opinion")
def _issue_review(user: User, target) -> bool:
    return (user.role == Role.inspector and _own_authority_in_charge(user, target)
            and _officer_of(user, target.inspection))


@rules("document.issue.supervision_notice")
def _issue_supervision(user: User, target) -> bool:
    return user.role == Role.supervisor and _own_authority_in_charge(user, target)


@rules("document.issue.delisting_notice")
def _issue_delisting(user: User, target) -> bool:
    return user.role == Role.supervisor and _own_authority_in_charge(user, target)


@rules("document.issue.hazard_archive")
def _issue_archive(user: User, target) -> bool:
    """Anyone who may see the hazard prints its archive (the service checked visibility)."""
    if user.role.is_government:
        return _own_authority_in_charge(user, target)
    return user.role == Role.admin or user.enterprise_id == target.enterprise.id


@rules("document.view")
def _view(user: User, document: Document) -> bool:
    return access.is_visible(document, user)


@rules("document.void")
def _void(user: User, document: Document) -> bool:
    """Only the issuer voids (separation of duties): an authority's document by that authority's
    supervisor, an enterprise's by its safety manager. Neither the system administrator nor another
    authority may take an authority's enforcement document away."""
    if document.issuer_authority_id is not None:
        return user.role == Role.supervisor and user.authority_id == document.issuer_authority_id
    return user.role == Role.enterprise_manager and user.enterprise_id == document.issuer_enterprise_id


@rules("document.list")
def _list(user: User, _obj) -> bool:
    return True  # everyone signed in; the scope decides which documents


@rules("document.serve")
def _serve(user: User, document: Document) -> bool:
    """The issuing authority's officers (inspectors, supervisors) record how its document was served."""
    return (document.issuer_authority_id is not None and user.role in (Role.inspector, Role.supervisor)
            and user.authority_id == document.issuer_authority_id)


@rules("document.issue.summons_notice")
def _issue_summons_notice(user: User, target) -> bool:
    return user.role in (Role.supervisor, Role.inspector) and _own_authority_in_charge(user, target)


@rules("document.issue.summons_record")
def _issue_summons_record(user: User, target) -> bool:
    """The record is the authority's: its officers sign it even if the enterprise moved meanwhile."""
    return (user.role in (Role.supervisor, Role.inspector) and target.authority is not None
            and target.authority.id == user.authority_id)


@rules("document.issue.onsite_measures")
def _issue_onsite_measures(user: User, target) -> bool:
    return user.role == Role.inspector and _own_authority_in_charge(user, target)


@rules("document.issue.dishonesty_notice")
def _issue_dishonesty_notice(user: User, target) -> bool:
    """The supervisors of the authority deciding the entry (谁处罚、谁决定), issued by app.credit."""
    return user.role == Role.supervisor and target.authority is not None and target.authority.id == user.authority_id
