"""Every figure read from the maintained aggregates equals the same figure counted live from the hazards
(one definition per figure, issue 18 item 2): the supervision overview and the regional figures, after a
full build and after the scan's incremental refresh of changes to old weeks (a hazard confirmed weeks ago
closed or voided now), across the new year's split week."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from app.clock import today, utcnow
from app.dashboard import stats
from app.extensions import db
from app.supervision import queries
from tests.supervision.conftest import stored_hazard

D = timedelta(days=1)


def _utc(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour) - timedelta(hours=8)


def seed(world):
    """Hazards of both enterprises spread over the year before and this one: each state, both levels,
    deadlines met and missed, events on both sides of 1 January (its week is split there)."""
    on = today()
    new_year = date(on.year, 1, 1)
    days = [new_year - 3 * D, new_year - D, new_year, new_year + 2 * D, new_year + 9 * D, on - 60 * D,
            on - 20 * D, on - 9 * D, on - 2 * D, on]
    made, now = [], utcnow()
    for n, day in enumerate(days):
        for ent in (world.enterprises.a, world.enterprises.b):
            for state, level in (("closed", "general"), ("closed", "major"), ("rectifying", "major"),
                                 ("pending_review", "general"), ("voided", "general"), ("reported", "general")):
                h = stored_hazard(ent, state=state, level=level, title=f"{state}{n}")
                h.created_at = _utc(day, 1 + n % 20)  # 01:00 local is the day before in UTC
                h.created_at = min(h.created_at, now)  # nothing happens in the future
                h.confirmed_at = None if state in ("reported", "voided") else min(h.created_at + D, now)
                h.deadline = day + (3 if n % 2 else 30) * D
                h.closed_at = min(h.created_at + (n % 7 + 1) * D, now) if state == "closed" else None
                h.updated_at = max(t for t in (h.created_at, h.confirmed_at, h.closed_at) if t is not None)
                made.append(h)
    db.session.commit()
    return made


def _compare(world):
    on = today()
    for user in (world.users.city_supervisor, world.users.supervisor, world.users.supervisor_b):
        live, kept = queries.overview(user, live=True), queries.overview(user)
        assert kept.as_of is not None and live.as_of is None
        assert kept.figures == live.figures, user.username
        assert {k: v for k, v in kept.by_state_grade.items() if v} == \
               {k: v for k, v in live.by_state_grade.items() if v}, user.username
    monday = on - on.weekday() * D
    scope = stats.resolve_scope(world.users.city_supervisor)
    for from_ in (monday, monday - 3 * 7 * D, date(on.year - 1, 12, 29) - date(on.year - 1, 12, 29).weekday() * D):
        for group_by in (None, "enterprise", "region", "industry"):
            kept = stats.hazard_stats(scope, from_, on, group_by)
            live = stats.hazard_stats(scope, from_, on, group_by, live=True)
            assert kept.as_of is not None and live.as_of is None
            assert kept.totals == live.totals, (from_, group_by)
            assert sorted(kept.items, key=lambda i: str(i["key"])) == \
                   sorted(live.items, key=lambda i: str(i["key"])), (from_, group_by)


def test_aggregates_equal_live_counts(world, db_session):
    made = seed(world)
    stats.refresh_aggregates(full=True)
    db.session.commit()
    figures = queries.overview(world.users.city_supervisor).figures
    assert figures["closed_this_year"] > 0 and figures["confirmed_closed_this_year"] > 0
    _compare(world)
    # Changes to hazards of old weeks: closed now, voided now, a deadline extended; and a new one.
    now = utcnow()
    old = [h for h in made if h.created_at < now - 50 * D]
    opened = [h for h in old if h.state.value == "rectifying"]
    opened[0].state, opened[0].closed_at, opened[0].updated_at = opened[0].state.closed, now, now
    opened[1].state, opened[1].updated_at = opened[1].state.voided, now
    pending = next(h for h in old if h.state.value == "pending_review")
    pending.deadline, pending.updated_at = today() + 10 * D, now
    stored_hazard(world.enterprises.b, state="reported").updated_at = now
    db.session.commit()
    assert stats.refresh_aggregates()["full"] == 0
    db.session.commit()
    _compare(world)


def test_overview_page_says_as_of_when(client, world, db_session):
    from tests.supervision.conftest import login_as

    seed(world)
    login_as(client, world.users.city_supervisor)
    assert 'id="as-of"' not in client.get("/supervision/overview").get_data(as_text=True)  # live until the scan
    stats.refresh_aggregates(full=True)
    db.session.commit()
    page = client.get("/supervision/overview").get_data(as_text=True)
    assert 'id="as-of"' in page
