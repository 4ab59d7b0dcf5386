"""Extension points that other features fill in (supervision), so hazards does not import them.

``listing_authority(hazard)`` returns the Authority of the hazard's active listing (挂牌督办) or None.
While a hazard is listed, only that authority's inspectors may accept it (DESIGN.md), and the API's
``listed`` field is ``listing_authority(hazard) is not None``. Supervision replaces the resolver with
``set_listing_resolver`` in its init_app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_listing_resolver: Callable[[Any], Any] = lambda hazard: None  # noqa: E731


def set_listing_resolver(fn: Callable[[Any], Any]) -> None:
    global _listing_resolver
    _listing_resolver = fn


def listing_authority(hazard):
    return _listing_resolver(hazard)
