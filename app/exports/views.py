"""The pages of exports: "My exports" and a download; and ``respond``, how a feature's list page
answers ``?format=xlsx``."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, xlsx
from app.exports import service
from app.exports.models import Export, ExportState
from app.extensions import db
from app.paging import paginate

bp = Blueprint("exports", __name__, url_prefix="/exports")
PER_PAGE = 50


def respond(name: str, params: dict):
    """The export ``name`` of ``params`` for the current user: written now when it has at most
    ``EXPORT_SYNC_MAX_ROWS`` rows, else asked for in the background (the user is sent to its page, which
    downloads it when it is ready)."""
    kind = service.kind_of(name)
    count = kind.count(current_user, params)  # checks the permission: a refusal raises before anything
    if count <= current_app.config["EXPORT_SYNC_MAX_ROWS"]:
        return xlsx.send(kind.sheet(current_user, params), kind.filename)
    export = service.ask(current_user, name, params, expected_rows=count)
    db.session.commit()  # the job leaves now
    flash(_("%(rows)s rows: the export is being prepared. You will be notified when it is ready.", rows=count))
    return redirect(url_for("exports.show", export_id=export.id))


@bp.route("/")
@login_required
def index():
    page = paginate(access.visible(Export, current_user).order_by(Export.id.desc()),
                    request.args.get("page", 1, type=int), PER_PAGE)
    # The page refreshes itself while one of the user's exports is still pending (a plain meta refresh:
    # no script, and it stops by itself once the file is ready or has failed).
    preparing = db.session.scalar(select(access.visible(Export, current_user)
                                         .where(Export.state == ExportState.pending).exists()))
    return render_template("exports/index.html", rows=page.items, page=page.page, has_next=page.has_next,
                           preparing=preparing)


@bp.route("/<int:export_id>")
@login_required
def show(export_id: int):
    """One export, where a large one sends its user: while it is prepared the page reloads itself, and
    once ready it starts the download (a meta refresh to the file: no script), with a link to it."""
    export = access.get_visible(Export, export_id, current_user)
    return render_template("exports/show.html", export=export, ready=service.is_ready(export))


@bp.route("/<int:export_id>/download")
@login_required
def download(export_id: int):
    export, path = service.file_of(current_user, export_id)
    response = send_file(path, mimetype=xlsx.MIMETYPE, as_attachment=True, download_name=export.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
