"""Pagination of a SELECT, shared by web lists and the JSON API."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from sqlalchemy import Select, func, select

from app.extensions import db


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def meta(self) -> dict:
        return {"page": self.page, "per_page": self.per_page, "total": self.total}


def paginate(stmt: Select, page: int = 1, per_page: int = 50) -> Page:
    """One page of ``stmt`` (which must already be ordered) and the total count."""
    page, per_page = max(1, int(page)), max(1, int(per_page))
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return Page(items=items, page=page, per_page=per_page, total=total)
