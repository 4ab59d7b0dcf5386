"""Web pages of imports: templates, upload → preview (errors, or the rows to create) → confirm; the
region tree load and the merges of reference data.

The uploaded file is kept (app.storage) under a token between the preview and the confirmation, so
nothing needs uploading twice; the confirmation checks the file again against the database of that
moment, and creates everything or nothing. One-time passwords are shown on the confirmation's answer
only (never stored in clear, never shown again).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, clock, storage, ui
from app.errors import Invalid
from app.extensions import db
from app.imports import reference, service, workbooks
from app.imports.models import ImportUpload
from app.organisations.lookups import visible_or_none
from app.organisations.models import Enterprise, Industry, Region
from app.risks.models import RiskArea

bp = Blueprint("imports", __name__, url_prefix="/imports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = ("enterprises", "users")


@bp.before_request
@login_required
def _logged_in():
    return None


def me():
    return current_user._get_current_object()


def _index_context(**extra):
    user = me()
    enterprises = []
    if access.can(user, "import.users") and not user.role.is_enterprise:
        enterprises = db.session.scalars(access.visible(Enterprise, user).order_by(Enterprise.name).limit(2000)).all()
    regions = industries = areas = []
    if access.can(user, "reference.edit"):
        regions = db.session.scalars(access.visible(Region, user).order_by(Region.path)).all()
        industries = db.session.scalars(select(Industry).order_by(Industry.id)).all()
    if user.role.is_enterprise and user.enterprise and access.can(user, "risk_area.merge", user.enterprise):
        from app.risks.models import RiskArea

        areas = db.session.scalars(select(RiskArea).where(RiskArea.enterprise_id == user.enterprise_id)
                                   .order_by(RiskArea.name)).all()
    return dict(enterprises=enterprises, regions=regions, industries=industries, areas=areas, **extra)


@bp.route("/")
def index():
    if not (access.can(me(), "import.any") or access.can(me(), "reference.edit")):
        abort(403)
    return render_template("imports/index.html", **_index_context())


def _xlsx(data: bytes, name: str) -> Response:
    return storage.send(data, mime=XLSX, filename=name, inline=False, cache="no-store")


@bp.route("/enterprises/template.xlsx")
def enterprises_template():
    access.require(me(), "import.enterprises")
    return _xlsx(workbooks.enterprises_template(me()), "企业导入模板.xlsx")


@bp.route("/users/template.xlsx")
def users_template():
    enterprise = service.target_enterprise(me(), request.args.get("enterprise_id"))
    return _xlsx(workbooks.users_template(me(), enterprise), f"{enterprise.name}-人员导入模板.xlsx")


def _upload_of(token: str) -> ImportUpload:
    row = db.session.scalar(select(ImportUpload).where(ImportUpload.token == token))
    if row is None or row.user_id != me().id:
        abort(404)
    return row


def _run(row: ImportUpload, *, dry_run: bool):
    data = storage.load(row.sha256)
    if row.kind == "enterprises":
        return service.import_enterprises(me(), data, dry_run=dry_run)
    enterprise = access.get_visible(Enterprise, row.enterprise_id, me())
    return service.import_users(me(), enterprise, data, dry_run=dry_run)


@bp.route("/<kind>/upload", methods=["POST"])
@storage.upload_limit
def upload(kind: str):
    if kind not in KINDS:
        abort(404)
    if kind == "enterprises":
        access.require(me(), "import.enterprises")
        enterprise = None
    else:
        enterprise = service.target_enterprise(me(), request.form.get("enterprise_id"))
    upload = request.files.get("file")

    def action():
        if upload is None or not upload.filename:
            raise Invalid(fields={"file": _("Choose an Excel file.")})
        data = storage.read_limited(upload)
        service.check_xlsx(data)
        row = ImportUpload(kind=kind, user_id=me().id, enterprise_id=enterprise.id if enterprise else None,
                           sha256=storage.save(data), filename=storage.safe_filename(upload.filename, "import.xlsx"))
        db.session.add(row)
        db.session.flush()
        return row

    done = ui.attempt(action)
    if done.ok:
        return redirect(url_for("imports.preview", token=done.value.token))
    return render_template("imports/index.html", **_index_context(upload_errors=ui.messages(done.error))), done.status


@bp.route("/<token>")
def preview(token: str):
    row = _upload_of(token)
    if row.committed_at is not None:
        return render_template("imports/done.html", row=row, result=None)
    try:
        result, errors = _run(row, dry_run=True), []
    except service.ImportRefused as exc:
        result, errors = None, exc.errors
    finally:
        db.session.rollback()  # a preview writes nothing
    return render_template("imports/preview.html", row=row, result=result, errors=errors), 422 if errors else 200


@bp.route("/<token>/confirm", methods=["POST"])
def confirm(token: str):
    row = _upload_of(token)
    if row.committed_at is not None:
        flash(_("This file has been imported already."), "error")
        return redirect(url_for("imports.preview", token=token))

    def action():
        result = _run(row, dry_run=False)
        row.committed_at, row.created_count = clock.utcnow(), result.created
        return result

    done = ui.attempt(action, place=lambda _f, _e: None)
    if not done.ok:
        errors = done.error.errors if isinstance(done.error, service.ImportRefused) else []
        if not errors:
            flash("；".join(ui.messages(done.error)), "error")
        return render_template("imports/preview.html", row=row, result=None, errors=errors), done.status
    return render_template("imports/done.html", row=row, result=done.value)


# --- reference data -----------------------------------------------------------------------------

@bp.route("/regions/load", methods=["POST"])
@storage.upload_limit
def regions_load():
    access.require(me(), "reference.edit")
    upload = request.files.get("file")

    def action():
        if upload is None or not upload.filename:
            raise Invalid(fields={"file": _("Choose the division list (CSV or Excel).")})
        return reference.load_divisions(me(), storage.read_limited(upload), root_code=request.form.get("root_code", ""))

    done = ui.attempt(action, place=lambda _f, _e: None)
    if done.ok:
        flash(_("Region tree loaded: %(created)s created, %(renamed)s renamed, %(unchanged)s unchanged.",
                **done.value), "success")
        return redirect(url_for("organisations.regions"))
    return render_template("imports/index.html", **_index_context(reference_errors=ui.messages(done.error))), \
        done.status


def _merge_page(action, what: str):
    done = ui.attempt(action, place=lambda _f, _e: None)
    if done.ok:
        flash(_("Merged: %(n)s references moved.", n=sum(done.value.values())), "success")
        return redirect(url_for("imports.index"))
    return render_template("imports/index.html", **_index_context(merge_errors=ui.messages(done.error),
                                                                  merge_what=what)), done.status


@bp.route("/regions/merge", methods=["POST"])
def regions_merge():
    access.require(me(), "reference.edit")
    source = visible_or_none(Region, request.form.get("source_id"), me())
    target = visible_or_none(Region, request.form.get("target_id"), me())

    def action():
        if source is None or target is None:
            raise Invalid(fields={"target_id": _("Choose both regions.")})
        return reference.merge_regions(me(), source, target)

    return _merge_page(action, "regions")


@bp.route("/industries/merge", methods=["POST"])
def industries_merge():
    access.require(me(), "reference.edit")
    source = visible_or_none(Industry, request.form.get("source_id"), me())
    target = visible_or_none(Industry, request.form.get("target_id"), me())

    def action():
        if source is None or target is None:
            raise Invalid(fields={"target_id": _("Choose both industries.")})
        return reference.merge_industries(me(), source, target)

    return _merge_page(action, "industries")


@bp.route("/areas/merge", methods=["POST"])
def areas_merge():
    def area(raw):
        try:
            found = db.session.get(RiskArea, int(raw))
        except (TypeError, ValueError):
            return None
        return found if found is not None and access.is_visible(found.enterprise, me()) else None

    source, target = area(request.form.get("source_id")), area(request.form.get("target_id"))

    def action():
        if source is None or target is None:
            raise Invalid(fields={"target_id": _("Choose both areas.")})
        return reference.merge_risk_areas(me(), source, target)

    return _merge_page(action, "areas")
