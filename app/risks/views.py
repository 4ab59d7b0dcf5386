"""Web pages of the risk register, the four-colour map, checks, reviews and the public card page."""

from __future__ import annotations

import base64
import io
import math
from types import SimpleNamespace

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pypdf import PdfWriter
from sqlalchemy import func, select

from app import access, figures, signals, storage, ui, xlsx
from app.auth.models import User
from app.clock import today
from app.errors import Invalid, ServiceError
from app.extensions import db
from app.labels import label
from app.organisations.models import Department, Enterprise
from app.risks import cards, events, excel, maps, objects, service
from app.risks.forms import AreaForm, AssessmentForm, ImportForm, RiskPointForm, SitePlanForm, SuspensionForm
from app.risks.models import RiskObject, RiskPoint, RiskPointStatus
from reports.render import render_pdf
from workflows import grading
from workflows.figures import FIGURES
from workflows.grades import Grade
from workflows.risk_codes import ACCIDENT_TYPES, CONTROL_CATEGORY_NAMES, HAZARD_FACTORS, ControlCategory

bp = Blueprint("risks", __name__, url_prefix="/risks")
public_bp = Blueprint("risks_public", __name__, url_prefix="/public/risk-cards")
PER_PAGE = 50


def _own_register() -> Enterprise:
    """The register the current user keeps: his own enterprise's (the service says whether he may)."""
    try:
        return service.enterprise_for_edit(current_user, current_user.enterprise)
    except Invalid:  # only when he has no enterprise: say where to go instead of naming a field
        raise Invalid(fields={"enterprise": _("Open an enterprise's register first.")}) from None


# --- register ----------------------------------------------------------------------------------

@bp.route("/")
@login_required
def index():
    stmt = access.visible(RiskPoint, current_user)
    grade = request.args.get("grade") or ""
    status = request.args.get("status") or "active"
    q = (request.args.get("q") or "").strip()
    enterprise_id = request.args.get("enterprise_id", type=int)
    if grade in Grade.__members__:
        stmt = stmt.where(RiskPoint.effective_grade == Grade(grade))
    if status in RiskPointStatus.__members__:
        stmt = stmt.where(RiskPoint.status == RiskPointStatus(status))
    if q:
        stmt = stmt.where(RiskPoint.name.contains(q, autoescape=True) | RiskPoint.area.contains(q, autoescape=True))
    if enterprise_id:
        stmt = stmt.where(RiskPoint.enterprise_id == enterprise_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    page = max(1, request.args.get("page", 1, type=int))
    points = db.session.scalars(stmt.order_by(RiskPoint.enterprise_id, RiskPoint.area, RiskPoint.name)
                                .offset((page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    departments = db.session.scalars(select(Department).where(
        Department.enterprise_id == current_user.enterprise_id).order_by(Department.path)).all() \
        if current_user.enterprise_id else []
    return render_template("risks/index.html", points=points, departments=departments, page=page, pages=max(1, math.ceil(total / PER_PAGE)),
                           total=total, args={"grade": grade, "status": status, "q": q,
                                              "enterprise_id": enterprise_id or ""})


def _form_choices(enterprise: Enterprise, point: RiskPoint | None = None) -> dict:
    departments = db.session.scalars(select(Department).where(Department.enterprise_id == enterprise.id)
                                     .order_by(Department.path)).all()
    users = db.session.scalars(select(User).where(User.enterprise_id == enterprise.id, User.active.is_(True))
                               .order_by(User.display_name)).all()
    objects_ = db.session.scalars(select(RiskObject).where(RiskObject.enterprise_id == enterprise.id)
                                  .order_by(RiskObject.name)).all()
    multi = point is not None and len(events.events_of(point)) > 1
    return {"departments": departments, "users": users, "objects": objects_, "multi_event": multi}


def _form_data(form: RiskPointForm) -> dict:
    return {
        "name": form.name.data, "area": form.area.data, "kind": form.kind.data,
        "hazard_factors": form.hazard_factors.data or [], "accident_types": form.accident_types.data or [],
        # A unit with several events edits its measures per event: the form has no category fields then.
        **({"controls": {c.value: (getattr(form, c.value).data or "").splitlines() for c in ControlCategory}}
           if form.engineering.render_kw is None else {}),
        "object_id": form.object_id.data,
        "consequences": form.consequences.data, "responsible_department_id": form.responsible_department_id.data,
        "responsible_user_id": form.responsible_user_id.data, "control_level": form.control_level.data,
        "review_interval_months": form.review_interval_months.data, "status": form.status.data or "active",
    }


CONTROLS_FIELD = {"controls": "engineering"}  # the first of the five control fields


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    enterprise = _own_register()
    form = RiskPointForm(**_form_choices(enterprise))
    status = 200
    if form.validate_on_submit():
        done = ui.attempt(lambda: service.create_point(current_user, enterprise, **_form_data(form)), form,
                          aliases=CONTROLS_FIELD)
        if done.ok:
            flash(_("Risk point saved. Assess it to give it a grade."), "success")
            return redirect(url_for("risks.detail", point_id=done.value.id))
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/form.html", form=form, point=None), status


@bp.route("/<int:point_id>/edit", methods=["GET", "POST"])
@login_required
def edit(point_id: int):
    point = service.point_for_edit(current_user, point_id)
    form = RiskPointForm(obj=point, **_form_choices(point.enterprise, point))
    if request.method == "GET":
        form.object_id.data = str(point.object_id or "")
        for c in ControlCategory:
            getattr(form, c.value).data = "\n".join((point.controls or {}).get(c.value, []))
        form.kind.data = point.kind.value
        form.status.data = point.status.value
        form.control_level.data = point.control_level.value if point.control_level_manual and point.control_level else ""
        form.responsible_department_id.data = str(point.responsible_department_id or "")
        form.responsible_user_id.data = str(point.responsible_user_id or "")
    status = 200
    if form.validate_on_submit():
        done = ui.attempt(lambda: service.update_point(
            current_user, point, expected_version=request.form.get("version", type=int), **_form_data(form)),
            form, aliases=CONTROLS_FIELD)
        if done.ok:
            flash(_("Risk point saved."), "success")
            return redirect(url_for("risks.detail", point_id=point.id))
        status = done.status
    elif form.errors:
        status = 422
    return render_template("risks/form.html", form=form, point=point), status


def _detail(point: RiskPoint, form: AssessmentForm, status: int = 200, suspension_form=None):
    hazards = signals.risk_point_hazards.first(point.id, limit=20) or []  # hazards answers
    ruleset = service.ruleset_for(point.enterprise)
    unit_events = events.events_of(point)
    measures = events.measures_of(point)
    by_event = {e.id: [m for m in measures if m.event_id == e.id] for e in unit_events}
    if len(unit_events) > 1:
        form.event_id.choices = [("", "—")] + [(str(e.id), e.name) for e in unit_events]
    return render_template(
        "risks/detail.html", point=point, form=form, history=service.history(point), hazards=hazards,
        ruleset=ruleset, factors=grading.FACTORS, hazard_factor_names=HAZARD_FACTORS, accident_names=ACCIDENT_TYPES,
        categories=CONTROL_CATEGORY_NAMES, Method=grading.Method, events=unit_events, measures_by_event=by_event,
        suspensions=objects.suspensions_of(risk_point_id=point.id),
        suspension_form=suspension_form or SuspensionForm()), status


@bp.route("/<int:point_id>")
@login_required
def detail(point_id: int):
    point = access.get_visible(RiskPoint, point_id, current_user)
    return _detail(point, AssessmentForm())


@bp.route("/<int:point_id>/assess", methods=["POST"])
@login_required
def assess(point_id: int):
    point = service.point_for_edit(current_user, point_id)
    form = AssessmentForm()
    status = 422
    if form.validate_on_submit():
        done = ui.attempt(lambda: service.assess(current_user, point, form.method.data, form.inputs(),
                                                 form.note.data, event_id=form.event_id.data or None), form,
                          place=_put_assessment_errors)
        if done.ok:
            row = done.value
            score = "" if row.score is None else grading._fmt(row.score)
            flash(_("Assessed: score %(score)s, grade %(grade)s.", score=score or "—",
                    grade=label(row.grade)), "success")
            return redirect(url_for("risks.detail", point_id=point.id))
        status = done.status
    return _detail(service.visible_point(current_user, point_id), form, status)


def _put_assessment_errors(form: AssessmentForm, exc: ServiceError) -> None:
    """A method's inputs are named ``inputs.L`` etc. by the service: each goes next to its own input."""
    for key, messages in exc.fields.items():
        target = form.field_for(key)
        target.errors = list(target.errors) + messages


@bp.route("/<int:point_id>/card.pdf")
@login_required
def card_pdf(point_id: int):
    point = access.get_visible(RiskPoint, point_id, current_user)
    pdf = render_pdf("risk_card.html", cards.card_context(point))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=risk-card-{point.id}.pdf", "X-Content-Type-Options": "nosniff"})


@bp.route("/cards.pdf")
@login_required
def post_cards_pdf():
    """The cards of every risk point a post (or any department, with what lies below it) is responsible for."""
    dept = db.session.get(Department, request.args.get("department_id", 0, type=int))
    if dept is None or not access.can(current_user, "enterprise.view", dept.enterprise):
        abort(404)
    below = select(Department.id).where(Department.path.startswith(dept.path, autoescape=True))
    points = db.session.scalars(access.visible(RiskPoint, current_user).where(
        RiskPoint.status == RiskPointStatus.active, RiskPoint.responsible_department_id.in_(below))
        .order_by(RiskPoint.name)).all()
    if not points:
        flash(_("No risk point names this department as responsible."), "warning")
        return redirect(url_for("risks.index"))
    writer = PdfWriter()
    for point in points:
        writer.append(io.BytesIO(render_pdf("risk_card.html", cards.card_context(point))))
    out = io.BytesIO()
    writer.write(out)
    return Response(out.getvalue(), mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=risk-cards-{dept.id}.pdf", "X-Content-Type-Options": "nosniff"})


@public_bp.route("/<token>")
def card(token: str):
    point = db.session.scalar(select(RiskPoint).where(RiskPoint.card_token == token,
                                                      RiskPoint.status == RiskPointStatus.active))
    if point is None:
        abort(404)
    return render_template("risks/public_card.html", card=cards.card_context(point))


# --- reviews and checks ------------------------------------------------------------------------

@bp.route("/reviews")
@login_required
def reviews():
    within = min(max(request.args.get("within", 14, type=int), 0), 365)
    stmt = service.due_for_review(access.visible(RiskPoint, current_user), within)
    points = db.session.scalars(stmt.limit(500)).all()
    never = db.session.scalars(access.visible(RiskPoint, current_user).where(
        RiskPoint.status == RiskPointStatus.active, RiskPoint.assessed_grade.is_(None))
        .order_by(RiskPoint.name).limit(200)).all()
    return render_template("risks/reviews.html", points=points, never=never, within=within)


@bp.route("/checks", methods=["GET", "POST"])
@login_required
def checks():
    """The old 我的排查 checklist's address: scheduled checks (我的任务, app/checks) replaced it; the checks
    recorded with it stay visible on each unit's check page."""
    return redirect(url_for("checks.my"))


# --- four-colour map ---------------------------------------------------------------------------

def _map_enterprise(enterprise_id: int | None) -> Enterprise:
    if enterprise_id is None:
        if current_user.enterprise_id is None:
            return None
        enterprise_id = current_user.enterprise_id
    return access.get_visible(Enterprise, enterprise_id, current_user)


@bp.route("/map", methods=["GET"])
@bp.route("/map/<int:enterprise_id>", methods=["GET"])
@login_required
def map_view(enterprise_id: int | None = None, plan_form=None, area_form=None, status=200):
    enterprise = _map_enterprise(enterprise_id)
    if enterprise is None:
        return redirect(url_for("risks.region"))
    plan = maps.site_plan(enterprise.id)
    return render_template("risks/map.html", enterprise=enterprise, plan=plan, data=maps.map_data(enterprise),
                           plan_form=plan_form or SitePlanForm(), area_form=area_form or AreaForm(),
                           editable=access.can(current_user, "risk.edit", enterprise)), status


@bp.route("/map/<int:enterprise_id>/plan", methods=["POST"])
@login_required
@storage.upload_limit
def upload_plan(enterprise_id: int):
    enterprise = service.enterprise_for_edit(current_user, enterprise_id)
    form = SitePlanForm()
    status = 422
    if form.validate_on_submit():
        upload = request.files.get("plan")

        def save():
            if upload is None or not upload.filename:
                raise Invalid(fields={"plan": _("Choose an image file.")})
            return maps.save_site_plan(current_user, enterprise, storage.read_limited(upload), upload.filename)

        done = ui.attempt(save, form, place=lambda f, exc: setattr(f.plan, "errors", ui.messages(exc)))
        if done.ok:
            flash(_("Site plan uploaded. Place the areas and risk points on it."), "success")
            return redirect(url_for("risks.map_view", enterprise_id=enterprise.id))
        status = done.status
    return map_view(enterprise.id, plan_form=form, status=status)


@bp.route("/map/<int:enterprise_id>/areas", methods=["POST"])
@login_required
def add_area(enterprise_id: int):
    enterprise = service.enterprise_for_edit(current_user, enterprise_id)
    form = AreaForm()
    status = 422
    if form.validate_on_submit():
        done = ui.attempt(lambda: maps.create_area(current_user, enterprise, form.name.data), form,
                          place=lambda f, exc: setattr(f.name, "errors", ui.messages(exc)))
        if done.ok:
            return redirect(url_for("risks.map_view", enterprise_id=enterprise.id))
        status = done.status
    return map_view(enterprise.id, area_form=form, status=status)


@bp.route("/map/<int:enterprise_id>/place", methods=["POST"])
@login_required
def place(enterprise_id: int):
    """JSON from the map's script: {"type": "pin", "id", "x", "y"} or {"type": "area", "id", "polygon"}."""
    enterprise = service.enterprise_for_edit(current_user, enterprise_id)
    body = request.get_json(silent=True) or {}
    done = ui.attempt(lambda: maps.place(current_user, enterprise, body.get("type"), _int(body.get("id")),
                                         x=body.get("x"), y=body.get("y"), polygon=body.get("polygon")),
                      place=lambda _form, _exc: None)  # the script shows the refusal, not a flash
    if not done.ok:
        exc = done.error
        return jsonify({"error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}), exc.status
    return jsonify({"ok": True, "map": maps.map_data(enterprise)})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@bp.route("/map/<int:enterprise_id>/plan.img")
@login_required
def plan_image(enterprise_id: int):
    enterprise = _map_enterprise(enterprise_id)
    plan = maps.site_plan(enterprise.id)
    if plan is None:
        abort(404)
    return storage.send(storage.load(plan.sha256), mime=plan.mime, filename=f"site-plan-{enterprise.id}",
                        inline=True)


def map_pdf_context(enterprise: Enterprise, size: str) -> dict:
    plan = maps.site_plan(enterprise.id)
    data = maps.map_data(enterprise)
    png = maps.composite_png(plan, data)
    return {
        "enterprise_name": enterprise.name, "size": size, "date": today().isoformat(),
        "image": "data:image/png;base64," + base64.b64encode(png).decode() if png else None,
        "areas": data["areas"], "pins": data["pins"], "counts": data["counts"], "total": data["total"],
        "unassessed": data["unassessed"],
        "legend": [{"grade": g.value, "name": cards.GRADE_NAMES[g.value], "colour": g.colour,
                    "count": data["counts"][g.value]} for g in maps.GRADES],
    }


@bp.route("/map/<int:enterprise_id>.pdf")
@login_required
def map_pdf(enterprise_id: int):
    enterprise = _map_enterprise(enterprise_id)
    size = "A3" if request.args.get("size") == "A3" else "A4"
    pdf = render_pdf("four_colour_map.html", map_pdf_context(enterprise, size))
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f"inline; filename=four-colour-map-{enterprise.id}.pdf", "X-Content-Type-Options": "nosniff"})


@bp.route("/region")
@login_required
def region():
    if not access.can(current_user, "risk.region"):
        if current_user.enterprise_id:
            return redirect(url_for("risks.map_view"))
        abort(403)
    page = max(1, request.args.get("page", 1, type=int))
    grade = request.args.get("grade") if request.args.get("grade") in Grade.__members__ else None
    summary = maps.region_summary(current_user, page=page, only_grade=grade)
    return render_template("risks/region.html", summary=summary, grade=grade or "",
                           figures=SimpleNamespace(**FIGURES), figure_definition=figures.definition)


# --- Excel -------------------------------------------------------------------------------------



@bp.route("/template.xlsx")
@login_required
def xlsx_template():
    return xlsx.send(excel.template(), "risk-register-template.xlsx")


@bp.route("/export.xlsx")
@login_required
def xlsx_export():
    enterprise = _map_enterprise(request.args.get("enterprise_id", type=int))
    if enterprise is None:
        abort(404)
    return xlsx.send(excel.export(enterprise), f"risk-register-{enterprise.id}.xlsx")


@bp.route("/import", methods=["GET", "POST"])
@login_required
def xlsx_import():
    enterprise = _own_register()
    form = ImportForm()
    errors: list[str] = []
    if form.validate_on_submit():
        upload = request.files.get("file")

        def load():
            if upload is None or not upload.filename:
                raise Invalid(fields={"file": _("Choose an Excel file.")})
            return excel.import_register(current_user, enterprise, upload.read())

        done = ui.attempt(load, form, place=lambda _f, exc: errors.extend(ui.messages(exc)))
        if done.ok:
            flash(_("%(n)s risk points imported.", n=len(done.value)), "success")
            return redirect(url_for("risks.index"))
    return render_template("risks/import.html", form=form, errors=errors), 422 if errors else 200
