"""The to-do list (待办): what waits for a user, computed from the data each time, never stored.

Each feature registers its **sources** in its ``init_app`` (docs/handoffs.md "Adding a to-do source"):

```python
from app import todos

todos.register(
    "hazard_review",                      # kind: unique, stable (the API's ``kind``)
    label=_l("Rectifications to review"),   # the group's heading and the count's name
    object_type="hazard",                  # the API's ``object_type``
    query=lambda user: ...,                # a SELECT of (object_id, title, due) or None (not for him)
    link=lambda object_id: url_for("hazards.show", hazard_id=object_id),
)
```

``query(user)`` returns one ordered-or-not SELECT of three columns: the object's id, a title (a SQL
expression: ``Hazard.code + " " + Hazard.title``) and the due date (a date or NULL); None when the user's
role never has such items (no query is run). Its rows are exactly the items: when the work is done, the
data no longer matches and the item is gone. One query per source and page, bounded: at most ``CAP`` rows
per source are read (the count shows "CAP+" beyond).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import has_request_context, request

from app.extensions import db
from app.registry import point

CAP = 200  # items read per source and request; a count above it shows as "200+"


@dataclass(frozen=True)
class Source:
    kind: str
    label: Any
    object_type: str
    query: Callable[[Any], Any] | None
    link: Callable[[int], str]
    rows: Callable[[Any], list] | None = None  # computed items, where no single SELECT can find them


@dataclass(frozen=True)
class Todo:
    kind: str
    object_type: str
    object_id: int
    title: str
    due: date | None

    @property
    def link(self) -> str:
        """Where it is done (built when asked: it needs a request)."""
        return SOURCES[self.kind].link(self.object_id)


SOURCES = point("todos.sources", "kind -> Source (a feature's to-do source, added in its init_app)")


def register(kind: str, *, label, object_type: str, link: Callable[[int], str],
             query: Callable[[Any], Any] | None = None, rows: Callable[[Any], list] | None = None) -> None:
    """Add (or replace: the app factory may run more than once) the source named ``kind``: ``query(user)``
    a SELECT of (object_id, title, due), or ``rows(user)`` those rows computed (e.g. check windows, which
    are computed, not stored); either answers None when the user's role never has such items."""
    SOURCES.add(kind, Source(kind, label, object_type, query, link, rows))


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and getattr(user, "active", True)


def _rows(user) -> dict[str, list]:
    """{kind: rows} of every source that applies to ``user``: one bounded query each, once per request."""
    # Per request (not ``g``: an app context may outlive several requests).
    cache = request.environ.setdefault("shuangkong.todo_rows", {}) if has_request_context() else {}
    key = getattr(user, "id", None)
    if key in cache:
        return cache[key]
    found: dict[str, list] = {}
    if _authenticated(user):
        for kind, source in SOURCES.items():
            if source.rows is not None:
                computed = source.rows(user)
                if computed is not None:
                    found[kind] = list(computed)[:CAP + 1]
                continue
            stmt = source.query(user)
            if stmt is None:
                continue
            found[kind] = db.session.execute(stmt.limit(CAP + 1)).all()
    cache[key] = found
    return found


def items(user, kind: str | None = None) -> list[Todo]:
    """The user's to-dos, the earliest due first (no due date last), then by kind and object."""
    out = []
    for source_kind, rows in _rows(user).items():
        if kind is not None and source_kind != kind:
            continue
        source = SOURCES[source_kind]
        for object_id, title, due in rows[:CAP]:
            out.append(Todo(source_kind, source.object_type, object_id, str(title or ""), due))
    out.sort(key=lambda t: (t.due is None, t.due or date.min, t.kind, t.object_id))
    return out


def counts(user) -> list[tuple[Source, int]]:
    """(source, how many) for each source with items for the user, in registration order; a count
    above ``CAP`` is CAP + 1 (shown "200+")."""
    rows = _rows(user)
    return [(SOURCES[kind], len(found)) for kind, found in rows.items() if found]


def total(user) -> int:
    return sum(n for _source, n in counts(user))
