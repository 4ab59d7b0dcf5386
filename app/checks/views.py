"""Pages of the scheduled checks (issue 13): 我的任务 on the phone, a unit's measures, the QR label, the
manager's tasks and figures, the 包保 duties and 履职 view, the holiday calendar admin page."""

from __future__ import annotations

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app import access, ui
from app.checks import duties
from app.checks.forms import DutyItemForm
from app.checks.labels_pdf import label_context
from app.extensions import db
from app.risks.models import RiskPoint
from reports.render import render_pdf

bp = Blueprint("checks", __name__, url_prefix="/checks")


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename={name}", "X-Content-Type-Options": "nosniff"})


# --- 包保 duty templates (admin) -------------------------------------------------------------------

@bp.route("/duties/templates")
@login_required
def duty_templates():
    access.require(current_user, "duty.configure")
    return render_template("checks/duty_templates.html", templates=duties.templates(), form=DutyItemForm())


def _item_fields(form: DutyItemForm) -> dict:
    return {"number": form.number.data, "content": form.content.data, "cycle": form.cycle.data,
            "cycle_unit": form.cycle_unit.data or None, "before_holidays": form.before_holidays.data,
            "lead_days": form.lead_days.data, "citation": form.citation.data}


@bp.route("/duties/templates/<int:template_id>/items", methods=["POST"])
@login_required
def duty_item_add(template_id: int):
    access.require(current_user, "duty.configure")
    form = DutyItemForm()
    if form.validate_on_submit():
        done = ui.attempt(lambda: duties.add_item(current_user, template_id, **_item_fields(form)), form)
        if done.ok:
            flash(_("Duty added."), "success")
            return redirect(url_for("checks.duty_templates"))
        status = done.status
    else:
        status = 422
    return render_template("checks/duty_templates.html", templates=duties.templates(), form=form,
                           form_template_id=template_id, blank_form=DutyItemForm(formdata=None)), status


@bp.route("/duties/items/<int:item_id>", methods=["GET", "POST"])
@login_required
def duty_item_edit(item_id: int):
    access.require(current_user, "duty.configure")
    item = db.session.get(duties.DutyTemplateItem, item_id) or abort(404)
    form = DutyItemForm(obj=item)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            done = ui.attempt(lambda: duties.update_item(current_user, item_id, **_item_fields(form)), form)
            if done.ok:
                flash(_("Duty saved."), "success")
                return redirect(url_for("checks.duty_templates"))
            status = done.status
        else:
            status = 422
    return render_template("checks/duty_item.html", item=item, form=form), status


@bp.route("/duties/items/<int:item_id>/active", methods=["POST"])
@login_required
def duty_item_active(item_id: int):
    access.require(current_user, "duty.configure")
    active = request.form.get("active") == "1"
    done = ui.attempt(lambda: duties.set_item_active(current_user, item_id, active))
    if done.ok:
        flash(_("Duty restored.") if active else _("Duty withdrawn: it is no longer generated."), "success")
    return redirect(url_for("checks.duty_templates"))


# --- the unit's QR label ------------------------------------------------------------------------------

def _measure_count(point: RiskPoint) -> int:
    try:
        from app.risks.models import ControlMeasure
    except ImportError:  # before the national model
        return sum(len(v) for v in (point.controls or {}).values())
    return db.session.scalar(select(func.count()).select_from(ControlMeasure).where(
        ControlMeasure.risk_point_id == point.id, ControlMeasure.active.is_(True))) or 0


@bp.route("/units/<int:point_id>/label.pdf")
@login_required
def unit_label(point_id: int):
    point = access.get_visible(RiskPoint, point_id, current_user)
    return _pdf(render_pdf("unit_label.html", label_context(point, _measure_count(point))),
                f"check-label-{point.id}.pdf")


@bp.route("/units/<int:point_id>")
@login_required
def unit(point_id: int):
    point = access.get_visible(RiskPoint, point_id, current_user)
    return render_template("checks/unit.html", point=point)


CYCLE_UNIT_LABELS = {"hour": _l("hours"), "day": _l("days"), "week": _l("weeks"), "month": _l("months"),
                     "year": _l("years")}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["cycle_unit"] = lambda u: str(CYCLE_UNIT_LABELS.get(getattr(u, "value", u), u or ""))
    ui.nav_item("checks.duty_templates", _l("Major hazard duty lists"), lambda u: access.can(u, "duty.configure"))
