"""Pages of the scheduled checks (issue 13): 我的任务 on the phone, a unit's measures, the QR label, the
manager's tasks and figures, the 包保 duties and 履职 view, the holiday calendar admin page."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app import access, storage, ui
from app.checks import duties, queries, service
from app.checks.forms import AbnormalForm, DutyItemForm
from app.checks.labels_pdf import label_context
from app.checks.models import CheckTask
from app.clock import to_local, utcnow
from app.errors import Forbidden
from app.extensions import db
from app.risks.models import ControlMeasure, RiskPoint
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


# --- 我的任务 (phone) ---------------------------------------------------------------------------------

OPEN_STATES = ("due", "missed")


OVERDUE_HOURS = 24


def _today_windows(**kw) -> list[dict]:
    """The user's windows that want a check now: due (open now, or later today), and overdue — closed
    without a check in the last 24 hours (it may still be recorded, as late)."""
    now = service.now_cst()
    windows = queries.windows_for(current_user, assignee="me", state=list(OPEN_STATES),
                                  from_=now - timedelta(hours=OVERDUE_HOURS), to=now.date().isoformat(), **kw)
    since = utcnow() - timedelta(hours=OVERDUE_HOURS)
    return [w for w in windows if w["state"] == "due" or w["ends_at"] > since]


def _unit_cards(windows: list[dict]) -> list[dict]:
    by_point: dict[int, dict] = {}
    for w in windows:
        card = by_point.setdefault(w["risk_point_id"], {"due": 0, "missed": 0, "ends_at": None, "tasks": set()})
        card[w["state"]] += 1
        card["tasks"].add(w["task_id"])
        if w["state"] == "due" and (card["ends_at"] is None or w["ends_at"] < card["ends_at"]):
            card["ends_at"] = w["ends_at"]
    points = {p.id: p for p in db.session.scalars(select(RiskPoint).where(RiskPoint.id.in_(list(by_point))))}
    cards = [card | {"point": points[pid]} for pid, card in by_point.items() if pid in points]
    cards.sort(key=lambda c: (-c["missed"], c["ends_at"] or c["point"].created_at, c["point"].name))
    return cards


@bp.route("/")
@login_required
def my():
    windows = _today_windows() if current_user.role.is_enterprise else []
    cards = _unit_cards(windows)
    return render_template("checks/my.html", cards=cards, due=sum(c["due"] for c in cards),
                           missed=sum(c["missed"] for c in cards))


def _record_fields(form) -> dict:
    """What every record form sends besides the result: the client's keys and the location."""
    return {"client_id": form.get("client_id") or None, "device_id": form.get("device_id") or None,
            "via_qr": form.get("via_qr") == "1", "latitude": form.get("latitude") or None,
            "longitude": form.get("longitude") or None}


@bp.route("/units/<int:point_id>")
@login_required
def unit(point_id: int):
    point = access.get_visible(RiskPoint, point_id, current_user)
    via_qr = request.args.get("via") == "qr"
    windows = _today_windows(risk_point_id=point.id) if current_user.role.is_enterprise else []
    done = queries.windows_for(current_user, assignee="me", risk_point_id=point.id, state=["done", "late"]) \
        if current_user.role.is_enterprise else []
    task_ids = {w["task_id"] for w in windows} | {w["task_id"] for w in done}
    tasks = {t.id: t for t in db.session.scalars(select(CheckTask).where(CheckTask.id.in_(task_ids)))} \
        if task_ids else {}
    measures = db.session.scalars(select(ControlMeasure).where(
        ControlMeasure.risk_point_id == point.id, ControlMeasure.active.is_(True))
        .order_by(ControlMeasure.event_id, ControlMeasure.position, ControlMeasure.id)).all()
    rows = []
    for m in measures:
        mine = [w | {"task": tasks[w["task_id"]]} for w in windows + done
                if w["measure_id"] == m.id and w["task_id"] in tasks]
        if mine:
            mine.sort(key=lambda w: (w["state"] not in OPEN_STATES, w["starts_at"]))
            rows.append({"measure": m, "windows": mine})
    legacy = queries.legacy_checks(current_user, point.id)
    return render_template("checks/unit.html", point=point, rows=rows, via_qr=via_qr,
                           due=sum(1 for w in windows if w["state"] == "due"), legacy=legacy[:50])


@bp.route("/units/<int:point_id>/all-normal", methods=["POST"])
@login_required
def all_normal(point_id: int):
    fields = _record_fields(request.form)
    done = ui.attempt(lambda: service.record_all_normal(current_user, point_id, **fields))
    if done.ok:
        if done.value:
            flash(_("%(n)s checks recorded: all normal.", n=len(done.value)), "success")
        else:
            flash(_("Nothing of yours is due on this unit now."), "warning")
    return redirect(url_for("checks.unit", point_id=point_id, via="qr" if fields["via_qr"] else None))


@bp.route("/tasks/<int:task_id>/normal", methods=["POST"])
@login_required
def record_normal(task_id: int):
    task = access.get_visible(CheckTask, task_id, current_user)
    fields = _record_fields(request.form)
    window_start = request.form.get("window_start") or None
    done = ui.attempt(lambda: service.record_check(current_user, task.id, window_start=window_start,
                                                   result="normal", note="", **fields))
    if done.ok:
        flash(_("Recorded late: the check came after its window closed.") if done.value.late
              else _("Check recorded: normal."), "warning" if done.value.late else "success")
    return redirect(url_for("checks.unit", point_id=task.risk_point_id, via="qr" if fields["via_qr"] else None))


@bp.route("/tasks/<int:task_id>/abnormal", methods=["GET", "POST"])
@storage.upload_limit
@login_required
def abnormal(task_id: int):
    """异常: the hazard report, filled in with the measure and the unit; the photo from the camera."""
    task = access.get_visible(CheckTask, task_id, current_user)
    if not access.can(current_user, "check.record", task):
        raise Forbidden(_("This check is not assigned to you."))
    form = AbnormalForm()
    if request.method == "GET":
        form.window_start.data = request.args.get("window_start", "")
        form.via_qr.data = "1" if request.args.get("via") == "qr" else ""
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            photos = [(f.filename, storage.read_limited(f)) for f in (form.photos.data or [])
                      if getattr(f, "filename", "")]
            fields = _record_fields(request.form)
            done = ui.attempt(lambda: service.record_check(
                current_user, task.id, window_start=form.window_start.data or None, result="abnormal",
                note=form.note.data, photos=photos, **fields), form,
                aliases={"window_start": "general"})
            if done.ok:
                record = done.value
                flash(_("Check recorded as abnormal; the hazard is reported."), "warning")
                if record.hazard_id:
                    return redirect(url_for("hazards.show", hazard_id=record.hazard_id))
                return redirect(url_for("checks.unit", point_id=task.risk_point_id))
            status = done.status
        else:
            status = 422
    window = None
    if form.window_start.data:
        try:
            window = service._instant(form.window_start.data)
        except ValueError:
            window = None
    return render_template("checks/abnormal.html", task=task, measure=task.measure, point=task.risk_point,
                           form=form, window=window), status


@bp.route("/risk-checks")
@login_required
def retired_checklist():
    """The old 我的排查 checklist's address: its work is 我的任务 now."""
    return redirect(url_for("checks.my"))


# --- the unit's QR label ------------------------------------------------------------------------------

def _measure_count(point: RiskPoint) -> int:
    return db.session.scalar(select(func.count()).select_from(ControlMeasure).where(
        ControlMeasure.risk_point_id == point.id, ControlMeasure.active.is_(True),
        ControlMeasure.data_source == "manual")) or 0


@bp.route("/units/<int:point_id>/label.pdf")
@login_required
def unit_label(point_id: int):
    point = access.get_visible(RiskPoint, point_id, current_user)
    return _pdf(render_pdf("unit_label.html", label_context(point, _measure_count(point))),
                f"check-label-{point.id}.pdf")


WINDOW_STATE_LABELS = {"due": _l("Due"), "done": _l("Done"), "late": _l("Late"), "missed": _l("Missed"),
                       "suspended": _l("Suspended"), "upcoming": _l("Upcoming")}
CYCLE_UNIT_LABELS = {"hour": _l("hours"), "day": _l("days"), "week": _l("weeks"), "month": _l("months"),
                     "year": _l("years")}


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.filters["cycle_unit"] = lambda u: str(CYCLE_UNIT_LABELS.get(getattr(u, "value", u), u or ""))
    app.jinja_env.filters["window_state"] = lambda st: str(WINDOW_STATE_LABELS.get(getattr(st, "value", st), st))
    app.jinja_env.filters["utc_iso"] = lambda ts: ts.isoformat() + "+00:00" if ts else ""
    app.jinja_env.filters["cst"] = lambda ts, fmt="%m-%d %H:%M": to_local(ts).strftime(fmt) if ts else ""
    ui.nav_item("checks.my", _l("My tasks"), lambda u: u.role.is_enterprise)
    ui.nav_item("checks.duty_templates", _l("Major hazard duty lists"), lambda u: access.can(u, "duty.configure"))
