"""Delisting as the rules have it (16号令 第十八条/第二十三条): the enterprise applies with its
evaluation report; the listing authority's inspectors review on site within the period counted in
working days from the application (``workflows.periods.SITE_REVIEW``); a passed review accepts the
hazard, which delists it and issues the 解除挂牌督办通知书 naming the officers recorded here. A
publication list (挂牌督办 / 摘牌 公告) per authority and period. No commit here.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import and_, or_

from app import access, clock, storage, workdays
from app.auth.models import Role, User
from app.errors import Conflict, Invalid
from app.extensions import db
from app.hazards import service as hazard_service
from app.supervision.models import DelistingApplication, Listing, ListingState
from workflows.hazard_states import HazardState
from workflows.periods import SITE_REVIEW


def apply(actor: User, listing_id: int, *, evaluation: tuple[str, bytes] | None, note: str = "") -> DelistingApplication:
    listing = access.get_visible(Listing, listing_id, actor)
    access.require(actor, "listing.apply_delisting", listing)
    if evaluation is None:
        raise Invalid(fields={"evaluation": _("Attach the evaluation report (PDF).")})
    note = (note or "").strip()
    if len(note) > 2000:
        raise Invalid(fields={"note": _("This text is too long.")})
    filename, data = evaluation
    checked = storage.check_upload(data or b"", filename, allow_image=False, field_name="evaluation")
    if any(a.passed is None for a in listing.applications):
        raise Conflict(_("An application is waiting for its review."), code="pending_application")
    storage.save(checked.data)
    applied_on = clock.today()
    row = DelistingApplication(listing=listing, applied_by_id=actor.id, note=note,
                               evaluation_sha256=checked.sha256, evaluation_filename=checked.filename,
                               review_due=workdays.period_end(SITE_REVIEW, applied_on))
    db.session.add(row)
    db.session.flush()
    return row


def review(actor: User, listing_id: int, *, second_officer_id: int | None, passed: bool, opinion: str,
           reviewed_on: date | None = None) -> DelistingApplication:
    """The on-site review by two inspectors of the listing authority. Passed: the hazard is accepted
    (its rectification must have been submitted), which delists it with the notice."""
    listing = access.get_visible(Listing, listing_id, actor)
    access.require(actor, "listing.review_delisting", listing)
    pending = [a for a in listing.applications if a.passed is None]
    if not pending:
        raise Conflict(_("There is no application waiting for review."), code="no_application")
    application = pending[-1]
    errors: dict[str, str] = {}
    opinion = (opinion or "").strip()
    if not opinion:
        errors["opinion"] = _("This field is required.")
    reviewed_on = reviewed_on or clock.today()
    if reviewed_on > clock.today() or reviewed_on < clock.to_local(application.applied_at).date():
        errors["reviewed_on"] = _("The review is between the application and today.")
    second = db.session.get(User, second_officer_id) if second_officer_id else None
    if (second is None or second.id == actor.id or second.role != Role.inspector
            or second.authority_id != listing.authority_id or not second.active):
        errors["second_officer_id"] = _("The second officer must be an inspector of your authority.")
    if errors:
        raise Invalid(fields=errors)
    if passed and listing.hazard.state != HazardState.pending_review:
        raise Conflict(_("The enterprise has not submitted the rectification of this hazard for review yet."),
                       code="not_submitted")
    application.reviewed_on, application.passed, application.opinion = reviewed_on, bool(passed), opinion
    application.officer_id, application.second_officer_id = actor.id, second.id
    db.session.flush()
    if passed:
        hazard_service.fire(listing.hazard_id, "accept", actor, comment=opinion)
    return application


def reviewers_of(listing: Listing) -> list[User]:
    """The officers recorded on the listing's passed review (the notice names them)."""
    done = [a for a in getattr(listing, "applications", []) if a.passed]
    if not done:
        return []
    return [u for u in (done[-1].officer, done[-1].second_officer) if u is not None]


def publication(actor: User, *, authority_id: int | None, first: date | None, last: date | None):
    """挂牌督办 / 摘牌 公告: the authority's listings decided (listed) or delisted within [first, last]
    (default: the caller's authority, from 1 January of this year to today)."""
    access.require(actor, "supervision.list")
    return publication_query(access.visible(Listing, actor), authority_id=authority_id or actor.authority_id,
                             first=first, last=last)


def publication_query(stmt, *, authority_id: int | None, first: date | None, last: date | None):
    """The publication list over ``stmt`` (a SELECT of Listing, scoped by the caller): the one definition
    of what a 公告 holds, for the API above and for the public page of app.credit (no login)."""
    last = last or clock.today()
    first = first or last.replace(month=1, day=1)
    start = clock.local_moment(first, 0, 0).astimezone(clock.UTC).replace(tzinfo=None)
    end = clock.local_moment(last, 23, 59).astimezone(clock.UTC).replace(tzinfo=None)
    if authority_id is not None:
        stmt = stmt.where(Listing.authority_id == authority_id)
    return (stmt.where(Listing.state.in_((ListingState.listed, ListingState.delisted)),
                   or_(and_(Listing.decided_at >= start, Listing.decided_at <= end),
                       and_(Listing.delisted_at >= start, Listing.delisted_at <= end)))
            .order_by(Listing.decided_at, Listing.id))
