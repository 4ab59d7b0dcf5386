"""Check windows as to-do items (app/todos.py): one item per risk unit with checks wanting to be done
now (due, or overdue in the last 24 hours), as 我的任务 shows them. Windows are computed, not stored:
a computed source (``rows``), not a SELECT."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import todos
from app.checks import queries
from app.clock import to_local
from app.extensions import db
from app.risks.models import RiskPoint


def _rows(user):
    if not user.role.is_enterprise:
        return None
    by_point: dict[int, list] = {}
    for window in queries.windows_wanting_check(user):
        by_point.setdefault(window["risk_point_id"], []).append(window)
    if not by_point:
        return []
    names = {point_id: name for point_id, name in db.session.execute(
        select(RiskPoint.id, RiskPoint.name).where(RiskPoint.id.in_(list(by_point))))}
    rows = []
    for point_id, windows in by_point.items():
        missed = sum(1 for w in windows if w["state"] == "missed")
        title = _("%(unit)s: %(n)s checks to do", unit=names.get(point_id, ""), n=len(windows))
        if missed:
            title += _(" (%(n)s overdue)", n=missed)
        due = min(w["ends_at"] for w in windows)
        rows.append((point_id, title, to_local(due).date()))
    return rows


def register() -> None:
    todos.register("checks_due", label=_l("Checks to do"), object_type="risk_point", rows=_rows,
                   link=lambda point_id: url_for("checks.unit", point_id=point_id))
