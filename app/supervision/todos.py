"""Supervision's to-do sources (app/todos.py): proposals to decide (the authority's supervisors), the
monthly progress reports of listed items (the enterprise's manager and principal), and delisting
applications to review on site by the listing authority's inspectors (due: the review period's end).

The progress report is **monthly**: a listed item is due one report per calendar month (local time),
by the month's last day; an item listed this month is due by the end of it too.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import Date, literal, select

from app import todos
from app.auth.models import Role
from app.clock import local_moment, today
from app.hazards.models import Hazard
from app.supervision.models import DelistingApplication, Listing, ListingProgress, ListingState


def month_start_utc(day: date):
    """The first moment of ``day``'s local month, as naive UTC (how ``created_at`` is stored)."""
    first = local_moment(day.replace(day=1), 0, 0).astimezone(UTC)
    return first.replace(tzinfo=None)


def month_end(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def progress_due(on: date | None = None):
    """SQL: the listed items with no progress report yet in ``on``'s month (on: today, local)."""
    on = on or today()
    reported = select(ListingProgress.id).where(ListingProgress.listing_id == Listing.id,
                                                ListingProgress.created_at >= month_start_utc(on))
    return [Listing.state == ListingState.listed, ~reported.exists()]


def _columns(due=None):
    title = Hazard.code + literal(" ") + Hazard.title
    return select(Listing.id, title, literal(due, Date) if due is not None else Listing.deadline).join(
        Hazard, Hazard.id == Listing.hazard_id)


def _link(listing_id: int) -> str:
    return url_for("supervision.listing", listing_id=listing_id)


def _to_decide(user):
    if user.role != Role.supervisor or not user.authority_id:
        return None
    return _columns().where(Listing.state == ListingState.proposed, Listing.authority_id == user.authority_id)


def _progress_to_report(user):
    if user.role not in (Role.enterprise_manager, Role.enterprise_principal) or not user.enterprise_id:
        return None
    on = today()
    return _columns(month_end(on)).where(Listing.enterprise_id == user.enterprise_id, *progress_due(on))


def _applications_to_review(user):
    if user.role != Role.inspector or not user.authority_id:
        return None
    title = Hazard.code + literal(" ") + Hazard.title
    return (select(Listing.id, title, DelistingApplication.review_due)
            .join(Hazard, Hazard.id == Listing.hazard_id)
            .join(DelistingApplication, DelistingApplication.listing_id == Listing.id)
            .where(DelistingApplication.passed.is_(None), Listing.state == ListingState.listed,
                   Listing.authority_id == user.authority_id))


def _delisting_link(listing_id: int) -> str:
    return url_for("enforcement.delisting_page", listing_id=listing_id)


def register() -> None:
    todos.register("listing_decide", label=lazy_pgettext("supervision", "Listing proposals to decide"), object_type="listing",
                   query=_to_decide, link=_link)
    todos.register("progress_report", label=_l("Progress reports due"), object_type="listing",
                   query=_progress_to_report, link=_link)
    todos.register("delisting_review", label=_l("Delisting applications to review on site"), object_type="listing",
                   query=_applications_to_review, link=_delisting_link)
