"""/todos: everything waiting for the user, grouped by kind, each linking to where it is done; the
reminder tiers' pages (/reminder-tiers)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import todos, ui
from app.errors import Forbidden
from app.handoffs import tiers
from app.handoffs.models import AUDIENCES, SUBJECTS

bp = Blueprint("handoffs", __name__, url_prefix="")


@login_required
def todos_page():
    items = todos.items(current_user)
    groups = [(source, count, [t for t in items if t.kind == source.kind]) for source, count in todos.counts(current_user)]
    return render_template("handoffs/todos.html", groups=groups, total=len(items), cap=todos.CAP)


# The navigation's endpoint name (ui.nav_item) is the page's.
bp.add_url_rule("/todos", endpoint="todos", view_func=todos_page)


# --- the reminder tiers (admin; an authority's administrator for his regions) ---------------------------

MORE_ROWS = 3  # empty rows offered below a set's tiers


@bp.route("/reminder-tiers")
@login_required
def reminder_tiers():
    if not tiers.may_edit_any(current_user):
        raise Forbidden()
    return render_template("handoffs/tiers.html", sets=tiers.sets(current_user), regions=tiers.regions(current_user),
                           subjects=SUBJECTS)


@bp.route("/reminder-tiers/edit", methods=["GET", "POST"])
@login_required
def reminder_tiers_edit():
    subject = request.values.get("subject", "")
    region_id = request.values.get("region_id") or None
    region = tiers.region_for(current_user, region_id)
    if subject not in SUBJECTS:
        abort(404)
    errors: dict = {}
    if request.method == "POST":
        count = min(max(request.form.get("rows", type=int) or 0, 0), 100)
        rows = [{"offset_days": request.form.get(f"offset_days-{i}", ""),
                 "audience": request.form.get(f"audience-{i}", "")} for i in range(count)]
        done = ui.attempt(lambda: tiers.set_tiers(current_user, region_id, subject=subject, tiers=rows),
                          place=lambda _form, exc: errors.update({k: v[0] for k, v in exc.fields.items()}))
        if done.ok:
            flash(_("The reminder tiers were saved."), "success")
            return redirect(url_for("handoffs.reminder_tiers"))
        status = done.status
    else:
        rows = [{"offset_days": str(o), "audience": a} for o, a in tiers.rows_of(region.id if region else None, subject)]
        status = 200
    rows = rows + [{"offset_days": "", "audience": ""}] * MORE_ROWS
    inherited = tiers.effective(region, subject) if region is not None else (None, [])
    return render_template("handoffs/tiers_edit.html", region=region, subject=subject, rows=rows, errors=errors,
                           audiences=AUDIENCES, inherited=inherited), status
