"""Web pages: the register, reporting (phone camera), the hazard page with its timeline, the form of
each trigger, the treatment plan and its approval, evidence upload and serving.

Views only translate between forms and ``app.hazards.service``; a refused action re-renders the same
form with the messages next to the fields and the input kept.
"""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import access, idempotency, signals, thumbnails, ui
from app.auth.models import Role, User
from app.errors import Forbidden, Invalid, NotFound, ServiceError
from app.exports import views as export_views
from app.extensions import db
from app.hazards import exports, service, storage_io
from app.hazards import forms as F
from app.hazards import policy as hazard_policy
from app.hazards.models import Hazard, HazardEvent
from app.hazards.register import register_page
from app.labels import label
from app.organisations.models import Department, Enterprise
from app.risks.models import ControlMeasure, RiskPoint
from workflows import codes
from workflows.grades import Grade
from workflows.hazard_states import HazardLevel, HazardState
from workflows.national_codes import DangerSource

bp = Blueprint("hazards", __name__, url_prefix="/hazards")

# Service field names that have no input of their own in a form: shown with the closest field.
FIELD_ALIASES = {"attachments": "photos", "file": "photos", "kind": "photos"}


@bp.before_request
@login_required
def _login():
    return None


def _attempt(form, action) -> int | None:
    """``app.ui.attempt`` with this feature's field aliases: run the use case and commit once; on a
    refusal the messages go next to the form's fields and the status to answer comes back (403/404
    propagate). None when it succeeded."""
    return ui.attempt(action, form, aliases=FIELD_ALIASES).status


def _files(form_field) -> list[tuple[str, bytes]]:
    out = []
    for upload in form_field.data or []:
        if getattr(upload, "filename", ""):
            out.append((upload.filename, storage_io.read_limited(upload)))
    return out


def _int(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _risk_point_id(form) -> int | None:
    """The chosen risk point's id; something that is no id becomes 0, which the service refuses
    (with its message next to the field) instead of being dropped."""
    value = form.risk_point_id.data
    if value in (None, ""):
        return None
    return _int(value) or 0


def _enterprise_users(enterprise_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.enterprise_id == enterprise_id, User.active.is_(True))
                                   .order_by(User.role, User.display_name)))


def _departments(enterprise_id: int) -> list[Department]:
    return list(db.session.scalars(select(Department).where(Department.enterprise_id == enterprise_id)
                                   .order_by(Department.path)))


# --- register ----------------------------------------------------------------------------------

def _mine() -> bool:
    """"Mine" (assigned to me or reported by me): chosen with ``mine=1``/``mine=0``; a post employee
    opening the bare register gets his own hazards first (issue 20), everybody else all of them."""
    if "mine" in request.args:
        return request.args.get("mine") == "1"
    return not request.args and current_user.role == Role.enterprise_staff


def _filters() -> dict:
    args = request.args
    overdue = {"1": True, "0": False}.get(args.get("overdue", ""))
    values = {
        "state": args.get("state") if args.get("state") in HazardState.__members__ else None,
        "level": args.get("level") if args.get("level") in HazardLevel.__members__ else None,
        "grade": args.get("grade") if args.get("grade") in Grade.__members__ else None,
        "overdue": overdue,
        "department_id": _int(args.get("department")),
        "enterprise_id": _int(args.get("enterprise")),
        "region_id": _int(args.get("region")),
        "q": (args.get("q") or "").strip()[:100] or None,
        "mine_of": current_user.id if _mine() else None,
    }
    for name in ("date_from", "date_to"):
        try:
            values[name] = date.fromisoformat(args.get(name, ""))
        except ValueError:
            values[name] = None
    return values


@bp.route("/")
def index():
    access.require(current_user, "hazard.list")
    filters = _filters()
    page = register_page(current_user, page=request.args.get("page", 1, type=int), per_page=50,
                         options=(selectinload(Hazard.risk_point), selectinload(Hazard.enterprise)), **filters)
    departments = _departments(current_user.enterprise_id) if current_user.role.is_enterprise else []
    keep = {k: v for k, v in request.args.items() if k != "page" and v}
    if filters["mine_of"]:
        keep["mine"] = "1"  # the default "mine" is kept by the export link and the pager
    if request.args.get("format") == "xlsx":  # every matching row, the filters of the page (issue 14 item 6)
        return export_views.respond(exports.NAME, exports.params(filters))
    enterprises, regions = [], []
    if not current_user.role.is_enterprise:  # the enterprise and district filters (issue 14 item 3)
        from app.organisations.models import Region

        regions = db.session.scalars(access.visible(Region, current_user).order_by(Region.path).limit(500)).all()
        enterprises = db.session.scalars(access.visible(Enterprise, current_user).order_by(Enterprise.name)
                                         .limit(500)).all()
    return render_template("hazards/index.html", page=page, filters=filters, departments=departments,
                           enterprises=enterprises, regions=regions,
                           keep=keep, HazardState=HazardState, HazardLevel=HazardLevel, Grade=Grade,
                           state_labels={s: label(s) for s in HazardState},
                           level_labels={v: label(v) for v in HazardLevel},
                           grade_labels={g: label(g) for g in Grade})


# --- report --------------------------------------------------------------------------------------

def _report_form() -> F.ReportForm:
    form = F.ReportForm()
    if current_user.role.is_enterprise:
        enterprises = [current_user.enterprise]
    else:
        enterprises = db.session.scalars(access.visible(Enterprise, current_user).order_by(Enterprise.name)
                                         .limit(500)).all()
    points = db.session.scalars(access.visible(RiskPoint, current_user).order_by(RiskPoint.name).limit(500)).all() \
        if current_user.role.is_enterprise else []
    form.fill_choices(enterprises, points)
    return form


def _prefill_from_measure(form: F.ReportForm) -> None:
    """``?control_measure_id=`` (an abnormal check of a measure): its unit and 管控措施失效, pre-selected."""

    measure_id = request.args.get("control_measure_id", type=int)
    measure = db.session.scalar(access.visible(ControlMeasure, current_user).where(
        ControlMeasure.id == measure_id)) if measure_id else None
    if measure is None:
        return
    form.control_measure_id.data = str(measure.id)
    form.risk_point_id.data = str(measure.risk_point_id)
    form.danger_source.data = DangerSource.measure_failure.value
    if not form.title.data:
        form.title.data = _("Control measure failed: %(measure)s", measure=measure.description)[:200]


@bp.route("/new", methods=["GET", "POST"])
@storage_io.upload_limit
def new():
    access.require(current_user, "hazard.create")
    form = _report_form()
    if request.method == "GET":
        form.client_id.data = uuid.uuid4().hex
        _prefill_from_measure(form)
    if request.method == "POST":
        already = idempotency.form_replay(current_user.id, form.client_id.data)
        if already:  # the same form sent twice: its first sending was saved
            return redirect(already)
        if not form.validate_on_submit():
            return render_template("hazards/new.html", form=form), 422
        enterprise = _chosen_enterprise(form)

        def report():
            if enterprise is None:
                raise Invalid(fields={"enterprise_id": _("Choose the enterprise.")})
            hazard = service.create_hazard(
                current_user, enterprise=enterprise, title=form.title.data, description=form.description.data,
                location=form.location.data, nature=form.nature.data or None, risk_point_id=_risk_point_id(form),
                hazard_factor=form.hazard_factor.data or None, accident_type=form.accident_type.data or None,
                danger_source=form.danger_source.data or None, hazard_type=form.hazard_type.data or None,
                manage_type=form.manage_type.data or None,
                enforcement_number=(form.enforcement_number.data or None) if not current_user.role.is_enterprise
                else None,
                control_measure_id=_int(form.control_measure_id.data),
                attachments=[("before", name, data) for name, data in _files(form.photos)])
            idempotency.form_remember(current_user.id, form.client_id.data,
                                      url_for("hazards.show", hazard_id=hazard.id))
            return hazard

        try:
            done = ui.attempt(report, form, aliases=FIELD_ALIASES)
        except IntegrityError:  # the same form sent twice at the same moment: the other one won
            db.session.rollback()
            already = idempotency.form_replay(current_user.id, form.client_id.data)
            if not already:
                raise
            return redirect(already)
        if not done.ok:
            return render_template("hazards/new.html", form=form), done.status
        flash(_("Hazard %(code)s reported.", code=done.value.code), "success")
        return redirect(url_for("hazards.show", hazard_id=done.value.id))
    return render_template("hazards/new.html", form=form)


def _chosen_enterprise(form) -> Enterprise | None:
    """The reporter's own enterprise, or the one an inspector chose among those he sees (None: not one)."""
    if current_user.role.is_enterprise:
        return current_user.enterprise
    return db.session.scalar(access.visible(Enterprise, current_user).where(
        Enterprise.id == _int(form.enterprise_id.data)))


# --- the hazard page ------------------------------------------------------------------------

@bp.route("/<int:hazard_id>/national-codes", methods=["POST"])
def national_codes(hazard_id: int):
    """Correct the national codes from the hazard's page (``service.reclassify``)."""
    hazard = _load(hazard_id)
    form = F.NationalCodesForm()
    form.fill_choices()
    if form.validate_on_submit():
        fields = {"danger_source": form.danger_source.data, "hazard_type": form.hazard_type.data,
                  "manage_type": form.manage_type.data}
        if hazard.source.value == "government_inspection":
            fields["enforcement_number"] = form.enforcement_number.data
        done = ui.attempt(lambda: service.reclassify(hazard.id, current_user, version=form.version.data, **fields))
        if done.ok:
            flash(_("National codes saved."), "success")
    return redirect(url_for("hazards.show", hazard_id=hazard.id) + "#national-codes")


def _load(hazard_id: int) -> Hazard:
    return access.get_visible(Hazard, hazard_id, current_user)


def _codes_form(hazard: Hazard):
    """The national codes' form, for whoever may correct them (``service.reclassify``), else None."""
    if hazard.state == "voided" or not access.can(current_user, "hazard.confirm", hazard):
        return None
    form = F.NationalCodesForm(formdata=None, obj=hazard)
    form.fill_choices()
    form.danger_source.data, form.hazard_type.data = hazard.danger_source.value, hazard.hazard_type.value
    form.manage_type.data, form.version.data = hazard.manage_type.value, hazard.version
    return form


def _page(hazard: Hazard, status: int = 200, **extra):
    events = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                                .options(selectinload(HazardEvent.actor)).order_by(HazardEvent.seq)).all()
    attachments = storage_io.attachments_of(hazard)
    by_id = {a.id: a for a in attachments}
    context = {
        "hazard": hazard, "events": events, "attachments": attachments, "attachments_by_id": by_id,
        "allowed": service.allowed_triggers(hazard, current_user),
        "on_the_spot": service.can_rectify_on_the_spot(hazard, current_user),
        "listing_authority": signals.listing_authority.first(hazard),
        "listing_link": signals.listing_link.first(hazard, current_user),
        "progress": signals.progress_target.first(hazard, current_user),
        "origin": signals.hazard_origin.first(hazard, current_user),
        "review_due": signals.review_due.first(hazard),
        "codes": codes, "trigger_label": service.trigger_label,
        "attach_form": _attach_form(),
        "show_gps": hazard_policy.may_see_location(current_user),
        "codes_form": _codes_form(hazard),
    }
    context.update(extra)
    return render_template("hazards/show.html", **context), status


def _attach_form() -> F.AttachmentForm:
    form = F.AttachmentForm(prefix="att")
    form.fill_choices()
    return form


@bp.route("/<int:hazard_id>")
def show(hazard_id: int):
    return _page(_load(hazard_id))


# --- triggers -------------------------------------------------------------------------------------

def _trigger_form(trigger: str, hazard: Hazard):
    form = F.TRIGGER_FORMS[trigger]()
    if hasattr(form, "fill_choices"):
        form.fill_choices(_enterprise_users(hazard.enterprise_id), _departments(hazard.enterprise_id))
    if request.method == "GET":
        form.version.data = str(hazard.version)
        if trigger == "confirm":
            form.level.data = hazard.level.value if hazard.level else ""
            form.measures.data = hazard.measures
    return form


def _trigger_data(trigger: str, form) -> dict:
    data = {name: field.data for name, field in form._fields.items()
            if name not in ("csrf_token", "photos", "version")}
    for key in ("responsible_user_id", "responsible_department_id"):
        if key in data:
            data[key] = _int(data[key])
    for key, value in list(data.items()):
        if value == "":
            data[key] = None
    data["version"] = form.version.data or None
    return data


@bp.route("/<int:hazard_id>/do/<trigger>", methods=["GET", "POST"])
@storage_io.upload_limit
def trigger(hazard_id: int, trigger: str):
    if trigger not in F.TRIGGER_FORMS:
        abort(404)
    hazard = _load(hazard_id)
    if request.method == "GET" and trigger not in service.allowed_triggers(hazard, current_user):
        if not access.can(current_user, f"hazard.{trigger}", hazard):
            raise Forbidden()
        flash(_("This hazard is now “%(state)s”; this action is not possible.", state=_state_label(hazard)),
              "warning")
        return redirect(url_for("hazards.show", hazard_id=hazard.id))
    form = _trigger_form(trigger, hazard)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            def act():
                if trigger == "submit":
                    for name, data in _files(form.photos):
                        service.add_attachment(hazard.id, current_user, kind="after", filename=name, data=data)
                service.fire(hazard.id, trigger, current_user, **_trigger_data(trigger, form))

            status = _attempt(form, act)
            if status:
                hazard = _load(hazard_id)
            else:
                flash(_("Done: %(action)s.", action=service.trigger_label(trigger)), "success")
                return redirect(url_for("hazards.show", hazard_id=hazard.id))
        else:
            status = 422
    return render_template("hazards/trigger.html", hazard=hazard, form=form, trigger=trigger,
                           trigger_label=service.trigger_label), status


def _state_label(hazard):
    return label(hazard.state)


@bp.route("/<int:hazard_id>/on-the-spot", methods=["GET", "POST"])
@storage_io.upload_limit
def on_the_spot(hazard_id: int):
    hazard = _load(hazard_id)
    if not service.can_rectify_on_the_spot(hazard, current_user):
        raise Forbidden()
    form = F.OnTheSpotForm()
    form.fill_choices(_enterprise_users(hazard.enterprise_id))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            status = _attempt(form, lambda: service.rectify_on_the_spot(
                hazard.id, current_user, responsible_user_id=_int(form.responsible_user_id.data),
                measures=form.measures.data, rectification=form.rectification.data,
                attachments=[("after", name, data) for name, data in _files(form.photos)]))
            if status:
                hazard = _load(hazard_id)
            else:
                flash(_("Rectified on the spot and closed."), "success")
                return redirect(url_for("hazards.show", hazard_id=hazard.id))
        else:
            status = 422
    return render_template("hazards/trigger.html", hazard=hazard, form=form, trigger="on_the_spot",
                           trigger_label=lambda t: _("Rectify on the spot")), status


# --- treatment plan ---------------------------------------------------------------------------

@bp.route("/<int:hazard_id>/plan", methods=["GET", "POST"])
def plan(hazard_id: int):
    hazard = _load(hazard_id)
    editable = access.can(current_user, "hazard.plan_edit", hazard)
    if request.method == "POST" and not editable:
        raise Forbidden()
    form = F.PlanForm(obj=hazard.plan if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            data = {k: v for k, v in form.data.items() if k != "csrf_token"}
            status = _attempt(form, lambda: service.save_plan(hazard.id, current_user, **data))
            if status:
                hazard = _load(hazard_id)
            else:
                flash(_("Treatment plan saved."), "success")
                return redirect(url_for("hazards.plan", hazard_id=hazard.id))
        else:
            status = 422
    return render_template("hazards/plan.html", hazard=hazard, form=form, editable=editable,
                           can_approve=access.can(current_user, "hazard.plan_approve", hazard)), status


def _not_approved(_form, exc: ServiceError) -> None:
    flash(_("The plan cannot be approved yet: %(why)s", why="；".join(ui.messages(exc))), "error")


@bp.route("/<int:hazard_id>/plan/approve", methods=["POST"])
def approve_plan(hazard_id: int):
    hazard = _load(hazard_id)  # CSRFProtect checks the button's token before we get here
    done = ui.attempt(lambda: service.approve_plan(hazard.id, current_user), place=_not_approved)
    if not done.ok:
        return redirect(url_for("hazards.plan", hazard_id=hazard.id))
    flash(_("Treatment plan approved."), "success")
    return redirect(url_for("hazards.show", hazard_id=hazard.id))


# --- evidence ----------------------------------------------------------------------------------

@bp.route("/<int:hazard_id>/attachments", methods=["POST"])
@storage_io.upload_limit
def attach(hazard_id: int):
    hazard = _load(hazard_id)
    form = _attach_form()
    if not form.validate_on_submit():
        return _page(hazard, 422, attach_form=form)
    files = _files(form.photos)

    def act():
        if not files:
            raise Invalid(fields={"photos": _("Choose a file.")})
        for name, data in files:
            service.add_attachment(hazard.id, current_user, kind=form.kind.data, filename=name, data=data)

    status = _attempt(form, act)
    if status:
        return _page(_load(hazard_id), status, attach_form=form)
    flash(_("%(n)s file(s) attached.", n=len(files)), "success")
    return redirect(url_for("hazards.show", hazard_id=hazard.id) + "#evidence")


@bp.route("/files/<int:attachment_id>")
def file(attachment_id: int):
    """Serve an attachment only to users who may see its hazard (else 404)."""
    row = service.attachment_for(attachment_id, current_user)
    return storage_io.file_response(row, current_user)


@bp.route("/files/<int:attachment_id>/<size>")
def file_copy(attachment_id: int, size: str):
    """A photo's thumbnail or screen-sized copy (app/thumbnails.py); the original stays at ``file``."""
    row = service.attachment_for(attachment_id, current_user)
    if not row.is_image or size not in thumbnails.SIZES:
        raise NotFound()
    return storage_io.copy_response(row, size)

