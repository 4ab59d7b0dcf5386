"""Who may see and do what in supervision: scopes of listings and inspections, and the rules."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from app import access
from app.auth.models import Role, User
from app.supervision.models import Inspection, Listing, ListingState, OnSiteMeasures, Summons

# Proposals and dismissals are the authority's internal work; the enterprise sees its listings
# once they are decided to be listed.
ENTERPRISE_VISIBLE_STATES = (ListingState.listed, ListingState.delisted)


# Listings, inspections, summons and on-site measures are few beside the hazards and their pages filter
# and sort on their own columns: the scope is a row filter there, checked against hashed id lists
# (``hashed=True``), not an array compared element by element on each row (a city: 10 000 enterprises).

def _listing_scope(user: User) -> ColumnElement[bool]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role == Role.admin:
        return true()
    condition = access.enterprise_condition(Listing.enterprise_id, user, hashed=True)
    if user.role.is_enterprise:
        return and_(condition, Listing.state.in_(ENTERPRISE_VISIBLE_STATES))
    # The listing authority keeps its listings after the enterprise moved to another region.
    return or_(condition, access.authority_records(Listing.authority_id, user, hashed=True))


def _inspection_scope(user: User) -> ColumnElement[bool]:
    return or_(access.enterprise_condition(Inspection.enterprise_id, user, hashed=True),
               access.authority_records(Inspection.authority_id, user, hashed=True))


def _summons_scope(user: User) -> ColumnElement[bool]:
    return or_(access.enterprise_condition(Summons.enterprise_id, user, hashed=True),
               access.authority_records(Summons.authority_id, user, hashed=True))


def _measures_scope(user: User) -> ColumnElement[bool]:
    return or_(access.enterprise_condition(OnSiteMeasures.enterprise_id, user, hashed=True),
               access.authority_records(OnSiteMeasures.authority_id, user, hashed=True))


SCOPES = {Listing: _listing_scope, Inspection: _inspection_scope, Summons: _summons_scope,
          OnSiteMeasures: _measures_scope}
rules = access.Rules()


def _government(user: User) -> bool:
    return user.role.is_government and user.authority_id is not None


@rules("supervision.queue")
def _queue(user: User, _obj) -> bool:
    return user.role == Role.supervisor or user.role == Role.admin


@rules("supervision.list")
def _supervision_list(user: User, _obj) -> bool:
    """Authorities see their region's list; an enterprise's users see its own listed items (the scope
    keeps them to it), where its manager and principal file the progress reports."""
    return _government(user) or user.role == Role.admin or user.role.is_enterprise


@rules("supervision.overview")
def _overview(user: User, _obj) -> bool:
    return _government(user) or user.role == Role.admin


@rules("supervision.coverage")
def _coverage(user: User, _obj) -> bool:
    """Where the listing rules find no authority: the administrator sets up authorities."""
    return user.role == Role.admin


@rules("listing.decide")
def _decide(user: User, listing: Listing | None) -> bool:
    """Only a supervisor of the listing authority decides its proposals."""
    if user.role != Role.supervisor:
        return False
    return listing is None or listing.authority_id == user.authority_id


@rules("listing.report_progress")
def _report_progress(user: User, listing: Listing | None) -> bool:
    if user.role not in (Role.enterprise_manager, Role.enterprise_principal):
        return False
    return listing is None or (listing.enterprise_id == user.enterprise_id
                               and listing.state == ListingState.listed)


@rules("inspection.list")
def _inspection_list(user: User, _obj) -> bool:
    return _government(user) or user.role == Role.admin


@rules("inspection.create")
def _inspection_create(user: User, enterprise) -> bool:
    if user.role != Role.inspector or user.authority_id is None:
        return False
    return enterprise is None or access.in_jurisdiction(user, enterprise)


@rules("inspection.review")
def _inspection_review(user: User, inspection: Inspection | None) -> bool:
    """Reviews are done by the inspection's two officers (they sign the review opinion)."""
    if user.role != Role.inspector:
        return False
    return inspection is None or (inspection.authority_id == user.authority_id
                                  and user.id in (inspection.officer_id, inspection.second_officer_id))


@rules("summons.create")
def _summons_create(user: User, enterprise) -> bool:
    """An authority's supervisors and inspectors summon the principal of an enterprise of their region."""
    if user.role not in (Role.supervisor, Role.inspector) or user.authority_id is None:
        return False
    return enterprise is None or access.in_jurisdiction(user, enterprise)


@rules("summons.record")
def _summons_record(user: User, summons) -> bool:
    return (user.role in (Role.supervisor, Role.inspector) and summons is not None
            and user.authority_id == summons.authority_id)


@rules("hazard.onsite_measures")
def _onsite_measures(user: User, hazard) -> bool:
    """An inspector of an authority whose region holds the enterprise, on an open hazard."""
    return (user.role == Role.inspector and user.authority_id is not None and hazard is not None
            and hazard.is_open and access.in_jurisdiction(user, hazard.enterprise))


@rules("listing.apply_delisting")
def _apply_delisting(user: User, listing: Listing | None) -> bool:
    """The enterprise's manager or principal applies to lift its listed item."""
    return _report_progress(user, listing)


@rules("listing.review_delisting")
def _review_delisting(user: User, listing: Listing | None) -> bool:
    """The listing authority's inspectors review the application on site."""
    return (user.role == Role.inspector and listing is not None and user.authority_id == listing.authority_id
            and listing.state == ListingState.listed)


@rules("reference.read")
def _reference_read(user: User, _obj) -> bool:
    return True  # the tables are public law; everyone signed in reads them


@rules("enforcement_reference.edit")
def _reference_edit(user: User, _obj) -> bool:
    return user.role == Role.admin
