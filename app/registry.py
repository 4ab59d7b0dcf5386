"""The one extension mechanism: named extension points, each an ordered table of keyed entries.

Everything a feature plugs into the core or into another feature goes through a ``Point``: tenancy
scopes and rules (``app.access``), labels (``app.labels``), navigation (``app.ui.NAV``), scan and demo
steps (``app.cli``), jobs (``app.jobs``), stored-file references (``app.storage``), and the events and
questions between features (``app.signals``: ``hazard_transitioned``, ``listing_authority`` ...).
A feature adds its entries in its ``init_app(app)`` and nowhere else (docs/architecture.md).

Why one registry and not blinker signals (which the events used before):

* **Order.** Scan steps, demo steps, the navigation and the receivers of an event run in the order
  they were added (the order of ``app.FEATURES``): the listing rules scan after the overdue step, a
  hazard's listing proposal is made before the risk point is re-graded. Blinker keeps its receivers
  in a set.
* **Keys.** An entry has a name; adding it again replaces it. Building the app twice in one process
  (tests, scripts) registers nothing twice, even when ``init_app`` builds a new closure each time.
* **Answers.** Some points are questions (which authority lists this hazard? which files does the
  database refer to?): ``first`` and ``send`` return the entries' answers, in order.

A point declared ``unique=True`` (rules, scopes, jobs) refuses a second, *different* value under a
name another feature already took: two features defining the same rule is a mistake, not an override.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

POINTS: dict[str, Point] = {}


class Point:
    """One extension point: ``add(key, value)``; iterate ``items()`` / ``values()`` in order."""

    def __init__(self, name: str, doc: str = "", *, unique: bool = False) -> None:
        self.name, self.__doc__, self.unique = name, doc, unique
        self._entries: dict[Any, Any] = {}

    def __repr__(self) -> str:
        return f"<Point {self.name}: {len(self._entries)} entries>"

    # --- the table ---------------------------------------------------------------------------

    def add(self, key: Any, value: Any) -> Any:
        """Add (or replace) the entry ``key``; returns ``value``."""
        if self.unique and key in self._entries and self._entries[key] is not value:
            raise ValueError(f"{self.name}: {key!r} registered twice")
        self._entries[key] = value
        return value

    def remove(self, key: Any) -> None:
        self._entries.pop(key, None)

    def get(self, key: Any, default: Any = None) -> Any:
        return self._entries.get(key, default)

    def __getitem__(self, key: Any) -> Any:
        return self._entries[key]

    def __contains__(self, key: Any) -> bool:
        return key in self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator:
        return iter(self._entries)

    def keys(self):
        return self._entries.keys()

    def values(self):
        return self._entries.values()

    def items(self):
        return self._entries.items()

    # --- as an event or a question: the entries are functions ----------------------------------

    def connect(self, fn: Callable, key: str | None = None) -> Callable:
        """Add the receiver ``fn`` under ``key`` (default: its module and name); returns ``fn``."""
        return self.add(key or f"{fn.__module__}.{fn.__qualname__}", fn)

    def disconnect(self, fn: Callable) -> None:
        for key in [k for k, v in self._entries.items() if v is fn]:
            del self._entries[key]

    def send(self, *args, **kwargs) -> list:
        """Call every receiver in order with the same arguments; their answers, in order."""
        return [fn(*args, **kwargs) for fn in list(self._entries.values())]

    def first(self, *args, **kwargs) -> Any:
        """The first answer that is not None (None when no receiver answers)."""
        for fn in list(self._entries.values()):
            answer = fn(*args, **kwargs)
            if answer is not None:
                return answer
        return None

    @contextmanager
    def added(self, key: Any, value: Any) -> Iterator[Any]:
        """The entry for the duration of a ``with`` block (tests), the previous one back afterwards."""
        missing = object()
        previous = self._entries.get(key, missing)
        self._entries[key] = value
        try:
            yield value
        finally:
            if previous is missing:
                self._entries.pop(key, None)
            else:
                self._entries[key] = previous


def point(name: str, doc: str = "", *, unique: bool = False) -> Point:
    """The point called ``name`` (declared once, by the module that owns it)."""
    if name not in POINTS:
        POINTS[name] = Point(name, doc, unique=unique)
    return POINTS[name]
