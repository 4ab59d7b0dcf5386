"""/todos: everything waiting for the user, grouped by kind, each linking to where it is done."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app import todos

bp = Blueprint("handoffs", __name__, url_prefix="")


@login_required
def todos_page():
    items = todos.items(current_user)
    groups = [(source, count, [t for t in items if t.kind == source.kind]) for source, count in todos.counts(current_user)]
    return render_template("handoffs/todos.html", groups=groups, total=len(items), cap=todos.CAP)


# The navigation's endpoint name (ui.nav_item) is the page's.
bp.add_url_rule("/todos", endpoint="todos", view_func=todos_page)
