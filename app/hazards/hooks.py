"""Extension points that other features fill in (supervision), so hazards does not import them.

``listing_authority(hazard)`` returns the Authority of the hazard's active listing (挂牌督办) or None.
While a hazard is listed, only that authority's inspectors may accept it (docs/design.md), and the API's
``listed`` field is ``listing_authority(hazard) is not None``. Supervision replaces the resolver with
``set_listing_resolver`` in its init_app.

``listing_link(hazard, user)`` returns the address of the hazard's newest listing page that ``user`` may
open (the enterprise opens its listed item there and files its progress reports), or None.

``listed_condition(authority_id=None)``: a SQL condition on ``Hazard`` true for hazards with an active
listing (by that authority when given); the to-do lists use it to find who reviews. Supervision sets
it with ``set_listed_condition``; without supervision nothing is listed.

``progress_target(hazard, user)``: for a listed hazard whose progress ``user`` reports, a dict with ``url`` (where
the form posts), ``due`` (this month's last day) and ``reported`` (a report filed this month); else None. The
hazard page shows the monthly progress report form with it. Supervision sets it.

``load_options(trigger)``: loader options for the locked SELECT of a hazard about to take that
trigger, so that what the trigger's rules read comes in the same round trip (features add theirs
with ``add_load_option``; the name makes a second registration replace the first).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

_listing_resolver: Callable[[Any], Any] = lambda hazard: None  # noqa: E731
_listing_link: Callable[[Any, Any], str | None] = lambda hazard, user: None  # noqa: E731
_load_options: dict[str, dict[str, Any]] = {}
_listed_condition: Callable[..., Any] | None = None
_progress_target: Callable[[Any, Any], dict | None] = lambda hazard, user: None  # noqa: E731


def set_listing_resolver(fn: Callable[[Any], Any]) -> None:
    global _listing_resolver
    _listing_resolver = fn


def listing_authority(hazard):
    return _listing_resolver(hazard)


def set_listing_link(fn: Callable[[Any, Any], str | None]) -> None:
    global _listing_link
    _listing_link = fn


def listing_link(hazard, user) -> str | None:
    return _listing_link(hazard, user)


def add_load_option(name: str, triggers, make_option: Callable[[], Any]) -> None:
    """``make_option`` builds the option on first use (once every mapper is configured), then it is kept
    (options are immutable)."""
    make_once = functools.cache(make_option)
    for trigger in triggers:
        _load_options.setdefault(trigger, {})[name] = make_once


def load_options(trigger: str) -> list:
    return [make() for make in _load_options.get(trigger, {}).values()]


def set_listed_condition(fn: Callable[..., Any]) -> None:
    global _listed_condition
    _listed_condition = fn


def listed_condition(authority_id: int | None = None):
    from sqlalchemy import false

    return _listed_condition(authority_id) if _listed_condition is not None else false()


def set_progress_target(fn: Callable[[Any, Any], dict | None]) -> None:
    global _progress_target
    _progress_target = fn


def progress_target(hazard, user) -> dict | None:
    return _progress_target(hazard, user)
