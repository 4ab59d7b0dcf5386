"""The queries behind the figures of ``workflows.figures``: every count in one place, scoped to what
the user may see (``app.access``), so that a page, an export or a dashboard showing a figure shows
the same number. The supervisors' overview reads them here."""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import gettext
from sqlalchemy import and_, func, select

from app import access
from app.clock import today
from app.extensions import db
from workflows.figures import FIGURES, Figure
from workflows.hazard_states import OPEN_STATES, HazardState


def _year_start_utc(on: date) -> datetime:
    from app.dashboard.stats import local_day_start_utc  # inside: a core module imports no feature at load

    return local_day_start_utc(date(on.year, 1, 1))


def hazard_counts(user, on: date | None = None) -> dict[str, int]:
    """The hazard and listing counts of ``workflows.figures`` over what ``user`` may see: the hazard
    counts in one scan (``count(*) FILTER``), the listing counts in one grouped query."""
    # Inside: a core module imports no feature at load time (the figures span hazards and supervision).
    from app.dashboard.stats import closed_on_time_condition, confirmed_closed_condition  # the one rules
    from app.hazards.models import Hazard
    from app.supervision.models import Listing, ListingState

    on = on or today()
    year_start = _year_start_utc(on)
    is_open = Hazard.state.in_(OPEN_STATES)
    closed_this_year = and_(Hazard.state == HazardState.closed, Hazard.closed_at >= year_start)
    confirmed_this_year = Hazard.confirmed_at >= year_start
    conditions = {
        "open_hazards": is_open,
        "overdue_open": and_(is_open, Hazard.deadline < on),
        "closed_this_year": closed_this_year,
        # Closed no later than the deadline's local date; no deadline counts as on time.
        "closed_on_time_this_year": and_(closed_this_year, closed_on_time_condition()),
        "confirmed_this_year": and_(confirmed_this_year, Hazard.state != HazardState.voided),
        "confirmed_closed_this_year": confirmed_closed_condition(year_start, datetime(9999, 1, 1)),
    }
    row = db.session.execute(select(*(func.count().filter(c).label(k) for k, c in conditions.items()))
                             .select_from(Hazard).where(access.condition(Hazard, user))).one()
    listings = dict(db.session.execute(select(Listing.state, func.count()).where(
        access.condition(Listing, user)).group_by(Listing.state)).all())
    return {k: int(v or 0) for k, v in row._mapping.items()} | {
        "listed": int(listings.get(ListingState.listed, 0)),
        "proposals_waiting": int(listings.get(ListingState.proposed, 0)),
    }


def hazard_counts_aggregated(user, on: date | None = None) -> dict[str, int]:
    """``hazard_counts`` read from the aggregates the scan maintains (app.dashboard.stats): the same
    figures over the enterprises ``user`` may see, as of the last refresh; a test compares both."""
    # Inside: a core module imports no feature at load time (the aggregates are the dashboard's).
    from app.dashboard import models as m
    from app.dashboard.stats import resolve_scope, rows_for
    from app.supervision.models import Listing, ListingState

    on = on or today()
    scope = resolve_scope(user)
    now_model, where = rows_for(scope, m.HazardNowStat, m.HazardNowRegionStat)
    now = db.session.execute(select(func.coalesce(func.sum(now_model.open), 0),
                                    func.coalesce(func.sum(now_model.overdue), 0)).where(where)).one()
    names = ("closed", "closed_on_time", "confirmed", "confirmed_closed")
    week_model, where = rows_for(scope, m.HazardWeekStat, m.HazardWeekRegionStat)
    year = db.session.execute(select(*(func.coalesce(func.sum(getattr(week_model, n)), 0) for n in names))
                              .where(week_model.week_start >= date(on.year, 1, 1), week_model.week_start <= on,
                                     where)).one()
    listings = dict(db.session.execute(select(Listing.state, func.count()).where(
        access.condition(Listing, user)).group_by(Listing.state)).all())
    closed, on_time, confirmed, confirmed_closed = (int(v) for v in year)
    return {"open_hazards": int(now[0]), "overdue_open": int(now[1]), "closed_this_year": closed,
            "closed_on_time_this_year": on_time, "confirmed_this_year": confirmed,
            "confirmed_closed_this_year": confirmed_closed,
            "listed": int(listings.get(ListingState.listed, 0)),
            "proposals_waiting": int(listings.get(ListingState.proposed, 0))}


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
