"""Pages of the national model inside the risk register: analysis objects (with their 包保 persons and
停用/检修 records), the events and measures of a unit, a unit's 停用/检修 records. Routes on ``risks.bp``."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, ui
from app.auth.models import User
from app.extensions import db
from app.risks import events, objects, service
from app.risks.forms import AssessmentForm, ControlMeasureForm, RiskEventForm, RiskObjectForm, SuspensionForm
from app.risks.models import RiskObject, RiskPoint
from app.risks.views import _detail, _own_register, bp
from workflows.national_codes import MEASURE_CLASSES, MEASURE_SUBCLASSES


def _users(enterprise_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(User.enterprise_id == enterprise_id, User.active.is_(True))
                                   .order_by(User.display_name)))


# --- analysis objects ----------------------------------------------------------------------------------

@bp.route("/objects")
@login_required
def objects_index():
    stmt = access.visible(RiskObject, current_user).order_by(RiskObject.enterprise_id, RiskObject.name)
    enterprise_id = request.args.get("enterprise_id", type=int)
    if enterprise_id:
        stmt = stmt.where(RiskObject.enterprise_id == enterprise_id)
    rows = db.session.scalars(stmt.limit(500)).all()
    counts = dict(db.session.execute(select(RiskPoint.object_id, db.func.count()).where(
        RiskPoint.object_id.in_([o.id for o in rows])).group_by(RiskPoint.object_id)).all()) if rows else {}
    return render_template("risks/objects.html", objects=rows, counts=counts)


@bp.route("/objects/new", methods=["GET", "POST"])
@login_required
def object_new():
    enterprise = _own_register()
    form = RiskObjectForm(users=_users(enterprise.id))
    status = 200
    if form.validate_on_submit():
        data = form.data_for_service()
        data.pop("status")
        done = ui.attempt(lambda: objects.create_object(current_user, enterprise, **data), form)
        if done.ok:
            flash(_("Analysis object saved."), "success")
            return redirect(url_for("risks.object_detail", object_id=done.value.id))
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/object_form.html", form=form, obj=None), status


@bp.route("/objects/<int:object_id>/edit", methods=["GET", "POST"])
@login_required
def object_edit(object_id: int):
    obj = objects.object_for_edit(current_user, object_id)
    form = RiskObjectForm(obj=obj, users=_users(obj.enterprise_id))
    if request.method == "GET":
        form.major_hazard_level.data = str(obj.major_hazard_level or "")
        for name in objects.DUTY_FIELDS:
            getattr(form, name).data = str(getattr(obj, name) or "")
        form.status.data = obj.status.value
    status = 200
    if form.validate_on_submit():
        done = ui.attempt(lambda: objects.update_object(
            current_user, obj, expected_version=request.form.get("version", type=int), **form.data_for_service()),
            form)
        if done.ok:
            flash(_("Analysis object saved."), "success")
            return redirect(url_for("risks.object_detail", object_id=obj.id))
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/object_form.html", form=form, obj=obj), status


def _object_page(obj: RiskObject, suspension_form: SuspensionForm, status: int = 200):
    return render_template("risks/object.html", obj=obj, units=objects.units_of(obj),
                           suspensions=objects.suspensions_of(object_id=obj.id), suspension_form=suspension_form), status


@bp.route("/objects/<int:object_id>")
@login_required
def object_detail(object_id: int):
    return _object_page(objects.visible_object(current_user, object_id), SuspensionForm())


@bp.route("/objects/<int:object_id>/suspensions", methods=["POST"])
@login_required
def object_suspend(object_id: int):
    obj = objects.object_for_edit(current_user, object_id)
    form = SuspensionForm()
    if form.validate_on_submit():
        done = ui.attempt(lambda: objects.add_suspension(
            current_user, object_id=obj.id, starts_at=form.starts_at.data, ends_at=form.ends_at.data,
            reason=form.reason.data), form)
        if done.ok:
            flash(_("Out-of-service period recorded."), "success")
            return redirect(url_for("risks.object_detail", object_id=obj.id))
        return _object_page(obj, form, done.status)
    return _object_page(obj, form, 422)


@bp.route("/<int:point_id>/suspensions", methods=["POST"])
@login_required
def point_suspend(point_id: int):
    point = service.point_for_edit(current_user, point_id)
    form = SuspensionForm()
    status = 422
    if form.validate_on_submit():
        done = ui.attempt(lambda: objects.add_suspension(
            current_user, risk_point_id=point.id, starts_at=form.starts_at.data, ends_at=form.ends_at.data,
            reason=form.reason.data), form)
        if done.ok:
            flash(_("Out-of-service period recorded."), "success")
            return redirect(url_for("risks.detail", point_id=point.id) + "#suspensions")
        status = done.status
    return _detail(point, AssessmentForm(), status, suspension_form=form)


# --- events and measures -----------------------------------------------------------------------------------

@bp.route("/<int:point_id>/events/new", methods=["GET", "POST"])
@login_required
def event_new(point_id: int):
    point = service.point_for_edit(current_user, point_id)
    form = RiskEventForm()
    status = 200
    if form.validate_on_submit():
        done = ui.attempt(lambda: events.create_event(current_user, point, name=form.name.data,
                                                      accident_type=form.accident_type.data or None,
                                                      description=form.description.data), form)
        if done.ok:
            flash(_("Risk event added. Assess it and add its control measures."), "success")
            return redirect(url_for("risks.detail", point_id=point.id) + f"#event-{done.value.id}")
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/event_form.html", form=form, point=point, event=None), status


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def event_edit(event_id: int):
    event = events.event_for_edit(current_user, event_id)
    form = RiskEventForm(obj=event)
    if request.method == "GET":
        form.accident_type.data = event.accident_type or ""
    status = 200
    if form.validate_on_submit():
        done = ui.attempt(lambda: events.update_event(current_user, event, name=form.name.data,
                                                      accident_type=form.accident_type.data or None,
                                                      description=form.description.data), form)
        if done.ok:
            flash(_("Risk event saved."), "success")
            return redirect(url_for("risks.detail", point_id=event.risk_point_id) + f"#event-{event.id}")
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/event_form.html", form=form, point=event.risk_point, event=event), status


MEASURE_ALIASES = {"classify1": "classify2"}


@bp.route("/events/<int:event_id>/measures/new", methods=["GET", "POST"])
@login_required
def measure_new(event_id: int):
    event = events.event_for_edit(current_user, event_id)
    form = ControlMeasureForm()
    status = 200
    if form.validate_on_submit():
        done = ui.attempt(lambda: events.create_measure(current_user, event, **form.data_for_service()), form,
                          aliases=MEASURE_ALIASES)
        if done.ok:
            flash(_("Control measure added."), "success")
            return redirect(url_for("risks.detail", point_id=event.risk_point_id) + f"#event-{event.id}")
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/measure_form.html", form=form, event=event, measure=None), status


@bp.route("/measures/<int:measure_id>/edit", methods=["GET", "POST"])
@login_required
def measure_edit(measure_id: int):
    measure = events.visible_measure(current_user, measure_id)
    access.require(current_user, "risk.edit", measure)
    form = ControlMeasureForm(obj=measure)
    if request.method == "GET":
        form.data_source.data = measure.data_source.value
        form.active.data = "1" if measure.active else "0"
    status = 200
    if form.validate_on_submit():
        data = form.data_for_service() | {"active": form.active.data == "1"}
        done = ui.attempt(lambda: events.update_measure(current_user, measure, **data), form, aliases=MEASURE_ALIASES)
        if done.ok:
            flash(_("Control measure saved."), "success")
            return redirect(url_for("risks.detail", point_id=measure.risk_point_id) + f"#event-{measure.event_id}")
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/measure_form.html", form=form, event=measure.event, measure=measure), status


def measure_class_label(code: str) -> str:
    """``1-4`` → ``工程技术 / 安全仪表`` (national names, data)."""
    if not code:
        return ""
    return f"{MEASURE_CLASSES.get(code.split('-')[0], '')} / {MEASURE_SUBCLASSES.get(code, code)}"
