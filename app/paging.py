"""The one paginator: a page of a SELECT (or of a list already in memory), shared by web lists and the
JSON API.

Every API list answers the same envelope, ``{items, page, per_page, total, has_next}``: a view returns
the ``Page`` and the schema from ``app.api.page_schema(ItemSchema)`` dumps it (the attributes below are
the envelope's fields). Web pages read ``page.items``, ``page.page``, ``page.pages`` and ``page.total``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from app.extensions import db

MAX_PER_PAGE = 200


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int
    # ``total`` stopped at the ``count_cap`` given to ``paginate`` (the true number is larger)
    total_capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        # Past a capped count the total says nothing: a full page says there may be more.
        return self.page * self.per_page < self.total or (self.total_capped and len(self.items) == self.per_page)


def _bounds(page, per_page) -> tuple[int, int]:
    return max(1, int(page)), max(1, min(int(per_page), MAX_PER_PAGE))


def paginate(stmt: Select, page: int = 1, per_page: int = 50, *, count_cap: int | None = None,
             walk: Select | None = None, capped: bool = False) -> Page:
    """One page of ``stmt`` (which must already be ordered) and the number of its rows.

    Without ``count_cap``: one round trip, the total read beside the rows (``count(*) OVER ()``), a
    second query only for a page past the end. With ``count_cap``: counting stops at the cap (a COUNT
    over a large filtered table costs more than the page); when the cap is reached the page is read
    from ``walk`` if given (the same rows, a plan that walks the table in order and stops after one
    page; see app/hazards/register.py). ``capped``: the caller already knows the rows pass the cap.
    """
    page, per_page = _bounds(page, per_page)
    offset = (page - 1) * per_page
    if count_cap is None:
        windowed = stmt.add_columns(func.count().over().label("_total")).limit(per_page).offset(offset)
        rows = db.session.execute(windowed).unique().all()
        if rows:
            return Page(items=[row[0] for row in rows], page=page, per_page=per_page, total=int(rows[0][-1]))
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        return Page(items=[], page=page, per_page=per_page, total=total)
    if capped:  # the caller knows the cap is passed (e.g. app/hazards/register.py's probe): no count
        total = count_cap + 1
    else:
        counted = stmt.order_by(None).limit(count_cap + 1).subquery()
        total = db.session.scalar(select(func.count()).select_from(counted)) or 0
        capped = total > count_cap
    source = walk if capped and walk is not None else stmt
    items = db.session.scalars(source.limit(per_page).offset(offset)).unique().all()
    return Page(items=list(items), page=page, per_page=per_page, total=min(total, count_cap), total_capped=capped)


def page_of_list(rows: Sequence, page: int = 1, per_page: int = 50) -> Page:
    """One page of rows already ranked in memory (e.g. the region view's enterprises)."""
    page, per_page = _bounds(page, per_page)
    start = (page - 1) * per_page
    return Page(items=list(rows[start:start + per_page]), page=page, per_page=per_page, total=len(rows))
