"""The queries behind the figures of ``workflows.figures``: every count in one place, scoped to what
the user may see (``app.policy``), so that a page, an export or a dashboard showing a figure shows
the same number. The supervisors' overview reads them here."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import gettext
from sqlalchemy import func, select

from app import policy
from app.clock import today
from app.extensions import db
from workflows.figures import FIGURES, Figure
from workflows.hazard_states import OPEN_STATES, HazardState

CHINA_UTC_OFFSET = timedelta(hours=8)  # Asia/Shanghai has no daylight saving; timestamps are naive UTC


def _year_start_utc(on: date) -> datetime:
    return datetime(on.year, 1, 1) - CHINA_UTC_OFFSET


def hazard_counts(user, on: date | None = None) -> dict[str, int]:
    """The hazard and listing counts of ``workflows.figures`` over what ``user`` may see."""
    from app.hazards.models import Hazard
    from app.supervision.models import Listing, ListingState

    on = on or today()
    visible = policy.condition(Hazard, user)
    year_start = _year_start_utc(on)

    def count(*conditions) -> int:
        return int(db.session.scalar(select(func.count()).select_from(Hazard).where(visible, *conditions)) or 0)

    closed = db.session.execute(select(Hazard.closed_at, Hazard.deadline).where(
        visible, Hazard.state == HazardState.closed, Hazard.closed_at >= year_start)).all()
    listings = dict(db.session.execute(select(Listing.state, func.count()).where(
        policy.condition(Listing, user)).group_by(Listing.state)).all())
    return {
        "open_hazards": count(Hazard.state.in_(OPEN_STATES)),
        "overdue_open": count(Hazard.state.in_(OPEN_STATES), Hazard.deadline < on),
        "listed": int(listings.get(ListingState.listed, 0)),
        "proposals_waiting": int(listings.get(ListingState.proposed, 0)),
        "closed_this_year": len(closed),
        # The local date of closing, no later than the deadline date (no deadline: on time).
        "closed_on_time_this_year": sum(1 for closed_at, deadline in closed
                                        if deadline is None or (closed_at + CHINA_UTC_OFFSET).date() <= deadline),
        "confirmed_this_year": count(Hazard.confirmed_at >= year_start, Hazard.state != HazardState.voided),
        "confirmed_closed_this_year": count(Hazard.confirmed_at >= year_start, Hazard.state == HazardState.closed),
    }


def values(counts: dict[str, int]) -> dict[str, float | int | None]:
    """Every figure the counts make: the counts themselves and the ratios built from them."""
    out: dict[str, float | int | None] = dict(counts)
    for fig in FIGURES.values():
        if fig.is_ratio and fig.numerator in counts and all(d in counts for d in fig.denominator):
            out[fig.id] = fig.value(counts)
    return out


def name(fig: Figure) -> str:
    """The figure's name in the user's language (the Chinese catalog holds ``fig.name``)."""
    return gettext(fig.name_en)


def definition(fig: Figure) -> str:
    return gettext(fig.definition_en)
