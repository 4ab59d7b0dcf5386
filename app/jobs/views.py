"""Admin page: failed jobs with their error and a retry button."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access
from app.extensions import db
from app.jobs import service

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


@bp.route("/failed")
@login_required
def failed():
    access.require(current_user, "admin")
    return render_template("jobs/failed.html", rows=service.failed())


@bp.route("/failed/<int:failed_id>/retry", methods=["POST"])
@login_required
def retry(failed_id: int):
    access.require(current_user, "admin")
    row = service.retry(failed_id)
    db.session.commit()
    flash(_("Job %(name)s asked for again.", name=row.name))
    return redirect(url_for("jobs.failed"))
