"""The audit log page: every administrative action the reader may see, newest first, with filters."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access
from app.admin_log import AuditEntry, bound, search
from app.auth.models import User
from app.extensions import db
from app.paging import paginate

bp = Blueprint("audit", __name__)
PER_PAGE = 50


@bp.route("/audit-log")
@login_required
def log():
    user = current_user._get_current_object()
    access.require(user, "audit.browse")
    args = request.args
    errors: dict[str, str] = {}
    filters = {key: (args.get(key) or "").strip() for key in ("actor", "object_type", "action", "from", "to")}
    actor_id = None
    if filters["actor"]:
        actor_id = db.session.scalar(access.visible(User, user).with_only_columns(User.id).where(
            (User.username == filters["actor"]) | (User.display_name == filters["actor"])).limit(1))
        if actor_id is None:
            errors["actor"] = _("No user of that name or username.")
            actor_id = -1
    bounds = {}
    for key, end in (("from", False), ("to", True)):
        try:
            bounds[key] = bound(filters[key], end=end)
        except ValueError:
            errors[key] = _("A date is written 2026-11-30.")
            bounds[key] = None
    stmt = search(access.visible(AuditEntry, user), actor_id=actor_id,
                  object_type=filters["object_type"] or None, action=filters["action"] or None,
                  start=bounds["from"], end=bounds["to"])
    page = paginate(stmt, request.args.get("page", 1, type=int), PER_PAGE)
    types = db.session.scalars(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)).all()
    actions = db.session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action)).all()
    return render_template("audit/log.html", page=page, filters=filters, errors=errors,
                           types=types, actions=actions), 422 if errors else 200
