from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.notifications import service

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PER_PAGE = 50


@bp.route("/")
@login_required
def index():
    page = service.page_of(current_user, request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("notifications/index.html", rows=page.items, page=page.page, has_next=page.has_next)


@bp.route("/read", methods=["POST"])
@login_required
def read_all():
    service.mark_all_read(current_user)
    db.session.commit()
    return redirect(url_for("notifications.index"))


@bp.route("/deliveries")
@login_required
def deliveries():
    """Admin: the latest delivery attempts over outside channels, with their result and error."""
    access.require(current_user, "admin")
    return render_template("notifications/deliveries.html", rows=service.recent_deliveries())
