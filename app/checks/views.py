"""Pages of the scheduled checks (issue 13): 我的任务 on the phone, a unit's measures, the QR label, the
manager's tasks and figures, the 包保 duties and 履职 view, the holiday calendar admin page."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, Flask, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app import access, labels, paging, storage, ui, xlsx
from app.auth.models import User
from app.checks import duties, exports, queries, service
from app.checks.forms import AbnormalForm, CalendarImportForm, CalendarYearForm, DutyItemForm, TaskForm
from app.checks.labels_pdf import label_context
from app.checks.models import CheckTask, WorkCalendarYear
from app.clock import to_local
from app.errors import Forbidden
from app.extensions import db
from app.organisations.models import Department, Enterprise, Region
from app.risks.models import ControlMeasure, RiskObject, RiskPoint, RiskPointStatus
from reports.render import render_pdf
from workflows import work_calendar
from workflows.check_tasks import from_utc
from workflows.grading import CONTROL_ORDER
from workflows.national_codes import TASK_TYPE_NAMES, TaskType

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

def _today_windows(**kw) -> list[dict]:
    return queries.windows_wanting_check(current_user, **kw)


def _unit_cards(windows: list[dict]) -> list[dict]:
    by_point: dict[int, dict] = {}
    for w in windows:
        card = by_point.setdefault(w["risk_point_id"], {"due": 0, "missed": 0, "ends_at": None, "tasks": set()})
        card[w["state"]] += 1
        card["tasks"].add(w["task_id"])
        if w["state"] == "due" and (card["ends_at"] is None or w["ends_at"] < card["ends_at"]):
            card["ends_at"] = w["ends_at"]
    # The columns a card shows, its object's name joined: one statement, no lazy load per card.
    from app.risks.models import RiskObject

    points = {p.id: p for p in db.session.execute(
        select(RiskPoint.id, RiskPoint.name, RiskPoint.area, RiskPoint.created_at,
               RiskObject.name.label("object_name")).outerjoin(RiskObject, RiskObject.id == RiskPoint.object_id)
        .where(RiskPoint.id.in_(list(by_point))))} if by_point else {}
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
            mine.sort(key=lambda w: (w["state"] not in queries.WANTING_STATES, w["starts_at"]))
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


# --- the manager: tasks from the register ---------------------------------------------------------------

def _managed_enterprise() -> Enterprise:
    """The enterprise whose tasks the user defines: his own; the admin names one (``?enterprise_id=``)."""
    ident = request.values.get("enterprise_id", type=int) if current_user.role.value == "admin" \
        else current_user.enterprise_id
    if ident is None:
        abort(404)
    enterprise = access.get_visible(Enterprise, ident, current_user)
    if not access.can(current_user, "check.manage", enterprise.id):
        raise Forbidden()
    return enterprise


def _assignee_choices(enterprise: Enterprise) -> list[tuple[str, str]]:
    users = db.session.scalars(select(User).where(User.enterprise_id == enterprise.id, User.active.is_(True))
                               .order_by(User.display_name)).all()
    depts = db.session.scalars(select(Department).where(Department.enterprise_id == enterprise.id)
                               .order_by(Department.path)).all()
    return [("", "—")] + [(f"u:{u.id}", u.display_name) for u in users] + \
        [(f"d:{d.id}", _("Department: %(name)s", name=d.name)) for d in depts]


def _task_form(enterprise: Enterprise, *, bulk: bool = False) -> TaskForm:
    form = TaskForm()
    form.assignee.choices = _assignee_choices(enterprise)
    form.task_type.choices = [(t.value, TASK_TYPE_NAMES[t]) for t in TaskType]
    form.control_level.choices = [(lv.value, labels.label(lv)) for lv in CONTROL_ORDER]
    if request.method == "GET" and not form.starts_on.data:
        form.starts_on.data = service.now_cst().date().isoformat()
    return form


def _task_fields(form: TaskForm) -> dict:
    who = form.assignee.data or ""
    fields = {"cycle": form.cycle.data if form.cycle.data is not None else request.form.get("cycle"),
              "cycle_unit": form.cycle_unit.data, "workday_type": form.workday_type.data,
              "starts_at": f"{form.starts_on.data}T00:00:00+08:00" if form.starts_on.data else None,
              "work_start": form.work_start.data or None, "work_end": form.work_end.data or None,
              "task_type": form.task_type.data or "routine", "task_number": form.task_number.data}
    if who.startswith("u:"):
        fields["assignee_user_id"] = who[2:]
    elif who.startswith("d:"):
        fields["assignee_department_id"] = who[2:]
    return fields


TASK_ALIASES = {"starts_at": "starts_on", "assignee_user_id": "assignee", "assignee_department_id": "assignee",
                "measure_id": "general"}


@bp.route("/register")
@login_required
def register():
    """The enterprise's units and their measures checked by people, with their tasks: define them here."""
    enterprise = _managed_enterprise()
    points = db.session.scalars(select(RiskPoint).where(
        RiskPoint.enterprise_id == enterprise.id, RiskPoint.status == RiskPointStatus.active)
        .order_by(RiskPoint.area, RiskPoint.name)).all()
    measures = db.session.scalars(select(ControlMeasure).where(
        ControlMeasure.enterprise_id == enterprise.id, ControlMeasure.active.is_(True))
        .order_by(ControlMeasure.risk_point_id, ControlMeasure.event_id, ControlMeasure.position,
                  ControlMeasure.id)).all()
    tasks = db.session.scalars(select(CheckTask).where(CheckTask.enterprise_id == enterprise.id,
                                                       CheckTask.active.is_(True)).order_by(CheckTask.id)).all()
    by_measure: dict[int, list] = {}
    for t in tasks:
        by_measure.setdefault(t.measure_id, []).append(t)
    by_point: dict[int, list] = {}
    for m in measures:
        by_point.setdefault(m.risk_point_id, []).append(m)
    return render_template("checks/register.html", enterprise=enterprise, points=points, by_point=by_point,
                           by_measure=by_measure, task_count=len(tasks))


@bp.route("/measures/<int:measure_id>/tasks/new", methods=["GET", "POST"])
@login_required
def task_new(measure_id: int):
    measure = access.get_visible(ControlMeasure, measure_id, current_user)
    if not access.can(current_user, "check.manage", measure.enterprise_id):
        raise Forbidden()
    enterprise = db.session.get(Enterprise, measure.enterprise_id)
    form = _task_form(enterprise)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            done = ui.attempt(lambda: service.create_task(current_user, measure.id, **_task_fields(form)), form,
                              aliases=TASK_ALIASES)
            if done.ok:
                flash(_("Check task defined."), "success")
                return redirect(url_for("checks.register", enterprise_id=enterprise.id
                                        if current_user.role.value == "admin" else None))
            status = done.status
        else:
            status = 422
    return render_template("checks/task_form.html", form=form, measure=measure, enterprise=enterprise,
                           bulk=False), status


@bp.route("/tasks/bulk", methods=["GET", "POST"])
@login_required
def task_bulk():
    """One task per measure checked by people of every unit controlled at a level."""
    enterprise = _managed_enterprise()
    form = _task_form(enterprise, bulk=True)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            fields = _task_fields(form)
            done = ui.attempt(lambda: service.create_tasks_bulk(
                current_user, enterprise_id=enterprise.id, control_level=form.control_level.data, **fields),
                form, aliases=TASK_ALIASES)
            if done.ok:
                flash(_("%(n)s check tasks defined (measures that had such a task already were skipped).",
                        n=len(done.value)), "success")
                return redirect(url_for("checks.register", enterprise_id=enterprise.id
                                        if current_user.role.value == "admin" else None))
            status = done.status
        else:
            status = 422
    return render_template("checks/task_form.html", form=form, measure=None, enterprise=enterprise,
                           bulk=True), status


@bp.route("/tasks/<int:task_id>/deactivate", methods=["POST"])
@login_required
def task_deactivate(task_id: int):
    task = access.get_visible(CheckTask, task_id, current_user)
    done = ui.attempt(lambda: service.update_task(current_user, task.id, active=False,
                                                  version=request.form.get("version")))
    if done.ok:
        flash(_("Task deactivated: no window starts from now on; its past stays counted."), "success")
    return redirect(url_for("checks.register", enterprise_id=task.enterprise_id
                            if current_user.role.value == "admin" else None))


# --- figures: planned / done / late / missed ----------------------------------------------------------

GROUPS = {"department": _l("Department"), "user": _l("Person"), "task_type": _l("Task type"),
          "risk_point": _l("Unit"), "enterprise": _l("Enterprise")}


def _stats_args() -> dict:
    """The period (dates, both included; default the last 7 days), the grouping and the scope."""
    today = service.now_cst().date()
    args = {"from": request.args.get("from") or (today - timedelta(days=6)).isoformat(),
            "to": request.args.get("to") or today.isoformat(),
            "group_by": request.args.get("group_by") or ("enterprise" if not current_user.role.is_enterprise
                                                         else "department"),
            "enterprise_id": request.args.get("enterprise_id", type=int),
            "region_id": request.args.get("region_id", type=int)}
    if args["group_by"] not in GROUPS:
        args["group_by"] = "department"
    if current_user.role.is_enterprise:
        args["enterprise_id"], args["region_id"] = current_user.enterprise_id, None
        if args["group_by"] == "enterprise":
            args["group_by"] = "department"
    return args


def _stats(args: dict) -> dict:
    return queries.check_stats(current_user, enterprise_id=args["enterprise_id"], region_id=args["region_id"],
                               from_=args["from"], to=args["to"], group_by=args["group_by"])


def _scope_name(args: dict) -> str:
    if args["enterprise_id"]:
        e = db.session.get(Enterprise, args["enterprise_id"])
        return e.name if e else ""
    if args["region_id"]:
        r = db.session.get(Region, args["region_id"])
        return r.name if r else ""
    return _("Everything you may see")


@bp.route("/stats")
@login_required
def stats():
    if not access.can(current_user, "check.stats"):
        raise Forbidden()
    args = _stats_args()
    done = ui.attempt(lambda: _stats(args))
    figures = done.value if done.ok else None
    enterprises = [] if current_user.role.is_enterprise else db.session.scalars(
        access.visible(Enterprise, current_user).order_by(Enterprise.name).limit(500)).all()
    return render_template("checks/stats.html", figures=figures, args=args, groups=GROUPS,
                           enterprises=enterprises, scope=_scope_name(args)), 200 if done.ok else done.status


def _link_args(args: dict, **extra) -> dict:
    keep = {k: v for k, v in args.items() if v not in (None, "")}
    keep.update({k: v for k, v in extra.items() if v not in (None, "")})
    return keep


@bp.route("/stats.xlsx")
@login_required
def stats_xlsx():
    if not access.can(current_user, "check.stats"):
        raise Forbidden()
    args = _stats_args()
    figures = _stats(args)
    sheet = exports.figures_sheet(figures, title=_("Check tasks: %(scope)s", scope=_scope_name(args)),
                                  period=f"{args['from']} — {args['to']}", group_title=str(GROUPS[args["group_by"]]))
    return xlsx.send(sheet, "check-figures.xlsx")


def _in_group(task, group_by: str | None, key: str | None, dept_of: dict) -> bool:
    """Whether a task (a model or a plain row) belongs to the group of the figure drilled into."""
    if not group_by or key in (None, ""):
        return True
    if group_by == "task_type":
        return str(getattr(task.task_type, "value", task.task_type)) == key
    if group_by == "risk_point":
        return str(task.risk_point_id) == key
    if group_by == "enterprise":
        return str(task.enterprise_id) == key
    if group_by == "user":
        kind, _sep, ident = key.partition(":")
        return str(task.assignee_user_id if kind == "user" else task.assignee_department_id) == ident \
            and (task.assignee_user_id is not None) == (kind == "user")
    dept = task.assignee_department_id if task.assignee_department_id is not None \
        else dept_of.get(task.assignee_user_id)
    return str(dept) == key if key != "None" else dept is None


def _task_row(t: CheckTask) -> dict:
    who = t.assignee_user.display_name if t.assignee_user else (
        t.assignee_department.name if t.assignee_department else "")
    return {"task": t, "unit": t.risk_point.name, "measure": t.measure.description, "assignee": who,
            "task_type": TASK_TYPE_NAMES[t.task_type], "enterprise": t.risk_point.enterprise.name,
            "when": _task_when(t)}


def _missed_tasks(args: dict) -> list[tuple]:
    """The tasks of the group drilled into with their missed windows of the period, ``(row, missed)``:
    one row per task (``queries.missed_by_task``), however many windows an hourly task missed."""
    rows = queries.missed_by_task(current_user, enterprise_id=args["enterprise_id"], region_id=args["region_id"],
                                  from_=args["from"], to=args["to"])
    users = {r.assignee_user_id for r, _n in rows if r.assignee_user_id}
    dept_of = dict(db.session.execute(select(User.id, User.department_id).where(User.id.in_(users))).all()) \
        if users and args["group_by"] == "department" else {}
    return [(r, n) for r, n in rows if _in_group(r, args["group_by"], args.get("key"), dept_of)]


def _with_tasks(rows: list[tuple]) -> list[dict]:
    """The page's rows with what they show (one query for the page's tasks)."""
    tasks = {t.id: t for t in db.session.scalars(select(CheckTask).where(
        CheckTask.id.in_([r.id for r, _n in rows])))} if rows else {}
    return [_task_row(tasks[r.id]) | {"missed": n} for r, n in rows]


MISSED_PER_PAGE = 50


@bp.route("/missed")
@login_required
def missed():
    """Drill into the missed checks (超期未排查) behind a figure: one row per task with how many windows it
    missed, a page at a time; a task's own missed windows one page at a time (``task_id``, keyset)."""
    if not access.can(current_user, "check.stats"):
        raise Forbidden()
    args = _stats_args() | {"key": request.args.get("key") or None}
    task_id = request.args.get("task_id", type=int)
    if task_id is not None:
        return _missed_of_task(args, task_id)
    done = ui.attempt(lambda: _missed_tasks(args))
    rows = done.value if done.ok else []
    if request.args.get("format") == "xlsx":
        title = _("Missed checks: %(scope)s", scope=_scope_name(args))
        return xlsx.send(exports.missed_sheet(_with_tasks(rows), title=title, period=f"{args['from']} — {args['to']}"),
                         "missed-checks.xlsx")
    page = paging.page_of_list(rows, request.args.get("page", 1, type=int), MISSED_PER_PAGE)
    return render_template("checks/missed.html", rows=_with_tasks(page.items), page=page,
                           total=sum(n for _r, n in rows), tasks=len(rows), args=args, scope=_scope_name(args))


def _missed_of_task(args: dict, task_id: int):
    after = None
    if request.args.get("after"):
        try:
            after = datetime.fromisoformat(request.args["after"])
        except ValueError:
            after = None
    windows, cursor = queries.missed_windows(current_user, task_id, from_=args["from"], to=args["to"],
                                             after=after, limit=MISSED_PER_PAGE)
    task = db.session.get(CheckTask, task_id)
    shown = [{"starts": from_utc(w["starts_at"]).strftime("%Y-%m-%d %H:%M"),
              "ends": from_utc(w["ends_at"]).strftime("%Y-%m-%d %H:%M")} for w in windows]
    return render_template("checks/missed_task.html", row=_task_row(task), windows=shown, args=args,
                           next_after=cursor.isoformat() if cursor else None, first=after is None,
                           scope=_scope_name(args))


# --- 包保: the duties of major hazard sources and the 履职 view -----------------------------------------------

def _duty_args() -> dict:
    today = service.now_cst().date()
    return {"from": request.args.get("from") or (today - timedelta(days=89)).isoformat(),
            "to": request.args.get("to") or today.isoformat(),
            "enterprise_id": current_user.enterprise_id if current_user.role.is_enterprise
            else request.args.get("enterprise_id", type=int),
            "region_id": None if current_user.role.is_enterprise else request.args.get("region_id", type=int)}


@bp.route("/duties")
@login_required
def duty_performance():
    """履职: each major hazard source's three 包保 persons and how they did their duty checks — for the
    enterprise, and for the authorities over the sources of their region."""
    if not access.can(current_user, "check.stats"):
        raise Forbidden()
    args = _duty_args()
    done = ui.attempt(lambda: (lambda objs: (objs, duties.performance(current_user, objs, args["from"], args["to"])))(
        duties.sources(current_user, enterprise_id=args["enterprise_id"], region_id=args["region_id"])))
    objs, perf = done.value if done.ok else ([], {})
    return render_template("checks/duties.html", objects=objs, perf=perf, args=args), 200 if done.ok else done.status


@bp.route("/duties/<int:object_id>")
@login_required
def duty_source(object_id: int):
    obj = access.get_visible(RiskObject, object_id, current_user)
    if not access.can(current_user, "check.stats"):
        raise Forbidden()
    args = _duty_args() | {"enterprise_id": obj.enterprise_id}
    done = ui.attempt(lambda: duties.performance(current_user, [obj], args["from"], args["to"]))
    rows = done.value.get(obj.id, []) if done.ok else []
    tasks = db.session.scalars(select(CheckTask).join(RiskPoint, RiskPoint.id == CheckTask.risk_point_id).where(
        RiskPoint.object_id == obj.id, CheckTask.task_type != "routine").order_by(
        CheckTask.task_type, CheckTask.starts_at, CheckTask.id).limit(500)).all()
    return render_template("checks/duty_source.html", obj=obj, rows=rows, tasks=tasks, args=args,
                           may_generate=access.can(current_user, "check.manage", obj.enterprise_id)), \
        200 if done.ok else done.status


@bp.route("/duties/<int:object_id>/generate", methods=["POST"])
@login_required
def duty_generate(object_id: int):
    done = ui.attempt(lambda: duties.generate(current_user, object_id))
    if done.ok:
        flash(_("%(n)s 包保 check tasks generated.", n=len(done.value)) if done.value
              else _("Every duty already has its tasks."), "success")
    return redirect(url_for("checks.duty_source", object_id=object_id))


# --- the holiday calendar (admin) ---------------------------------------------------------------------

def _calendar_admin() -> None:
    if not access.can(current_user, "check.calendar"):
        raise Forbidden()


def _year_rows() -> list[dict]:
    cal = service.calendar()
    stored = {r.year: r for r in db.session.scalars(select(WorkCalendarYear))}
    shipped = work_calendar.statutory().years
    rows = []
    for year in sorted(cal.years, reverse=True):
        y = cal.years[year]
        row = stored.get(year)
        rows.append({"year": year, "title": y.title, "document": y.document, "issued": y.issued, "source": y.source,
                     "holidays": len(y.holidays), "days_off": len(y.days_off), "worked": len(y.workdays),
                     "shipped": year in shipped, "imported": row is not None and row.updated_by_id is not None,
                     "updated_at": row.updated_at if row is not None and row.updated_by_id is not None else None})
    return rows


@bp.route("/calendar", methods=["GET", "POST"])
@storage.upload_limit
@login_required
def calendar_admin():
    """The statutory holidays and adjusted working days per year: list, import a file, see what is missing."""
    _calendar_admin()
    form = CalendarImportForm()
    status = 200
    if request.method == "POST":
        upload = form.file.data
        text = form.text.data or ""
        if upload is not None and getattr(upload, "filename", ""):
            raw = storage.read_limited(upload)
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                text = None
        if text is None:
            form.file.errors = [_("The file is not UTF-8 text.")]
            status = 422
        elif form.validate_on_submit():
            done = ui.attempt(lambda: service.import_calendar(current_user, text), form,
                              aliases={"file": "file"})
            if done.ok:
                flash(_("Calendar imported: %(years)s.", years="、".join(str(y) for y in done.value)), "success")
                return redirect(url_for("checks.calendar_admin"))
            status = done.status
        else:
            status = 422
    return render_template("checks/calendar.html", years=_year_rows(), form=form,
                           missing=service.missing_calendar_years()), status


@bp.route("/calendar/<int:year>", methods=["GET", "POST"])
@login_required
def calendar_year(year: int):
    """One year's days, as text in the import format: correct them and save (the year is replaced)."""

    _calendar_admin()
    cal = service.calendar()
    form = CalendarYearForm()
    if request.method == "GET":
        if year in cal.years:
            form.text.data = work_calendar.dumps(work_calendar.WorkCalendar({year: cal.years[year]}))
        elif 1900 < year < 2200:
            form.text.data = (f"year {year}\ntitle 国务院办公厅关于{year}年部分节假日安排的通知\ndocument \n"
                              "issued \nsource \n")
        else:
            abort(404)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            def save():
                try:
                    years = set(work_calendar.parse(form.text.data).years)
                except work_calendar.CalendarFormatError:
                    years = {year}  # the import names the line and the reason
                if years != {year}:
                    from app.errors import Invalid

                    raise Invalid(fields={"text": _("This page edits %(year)s only.", year=year)})
                return service.import_calendar(current_user, form.text.data)

            done = ui.attempt(save, form, aliases={"file": "text"})
            if done.ok:
                flash(_("Calendar of %(year)s saved.", year=year), "success")
                return redirect(url_for("checks.calendar_admin"))
            status = done.status
        else:
            status = 422
    return render_template("checks/calendar_year.html", year=year, form=form,
                           known=year in cal.years), status


@bp.route("/calendar/<int:year>/delete", methods=["POST"])
@login_required
def calendar_delete(year: int):
    _calendar_admin()
    done = ui.attempt(lambda: service.delete_calendar_year(current_user, year))
    if done.ok:
        flash(_("The calendar of %(year)s was removed.", year=year), "success")
    return redirect(url_for("checks.calendar_admin"))


@bp.route("/calendar.txt")
@login_required
def calendar_export():
    _calendar_admin()
    return Response(service.export_calendar(current_user), mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=work-calendar.txt",
                             "X-Content-Type-Options": "nosniff"})


def _home_warnings() -> list[dict]:
    """What the home page warns of: the admin, when this year or next has no holiday calendar."""
    if not current_user.is_authenticated or not access.can(current_user, "check.calendar"):
        return []
    text = service.calendar_warning()
    if not text:
        return []
    return [{"text": text, "href": url_for("checks.calendar_admin"), "link": _("Holiday calendar")}]


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


WINDOW_STATE_LABELS = {"due": _l("Due"), "done": lazy_pgettext("checks", "Done"), "late": _l("Late"), "missed": _l("Missed"),
                       "suspended": _l("Suspended"), "upcoming": _l("Upcoming")}
CYCLE_UNIT_LABELS = {"hour": _l("hours"), "day": _l("days"), "week": _l("weeks"), "month": _l("months"),
                     "year": _l("years")}


def _task_when(task: CheckTask) -> str:
    """How often a task is due: its cycle, or the one window of a one-off (before-holiday) task."""
    if task.ends_at is not None and task.cycle_unit.value == "day" \
            and task.ends_at - task.starts_at <= timedelta(days=task.cycle):
        fmt = "%Y-%m-%d"
        return _("Once: %(a)s to %(b)s", a=to_local(task.starts_at).strftime(fmt),
                 b=(to_local(task.ends_at) - timedelta(days=1)).strftime(fmt))
    text = _("Every %(n)s %(unit)s", n=task.cycle, unit=str(CYCLE_UNIT_LABELS[task.cycle_unit.value]))
    if task.work_start:
        text += f" {task.work_start}–{task.work_end}"
    return text


def init_app(app: Flask) -> None:
    app.jinja_env.filters["task_when"] = _task_when
    app.register_blueprint(bp)
    app.jinja_env.filters["cycle_unit"] = lambda u: str(CYCLE_UNIT_LABELS.get(getattr(u, "value", u), u or ""))
    app.jinja_env.filters["window_state"] = lambda st: str(WINDOW_STATE_LABELS.get(getattr(st, "value", st), st))
    app.jinja_env.globals["link_args"] = _link_args
    app.jinja_env.filters["rate"] = lambda r: "—" if r is None else f"{r * 100:.1f}%"
    app.jinja_env.globals["task_type_names"] = TASK_TYPE_NAMES
    app.jinja_env.filters["utc_iso"] = lambda ts: ts.isoformat() + "+00:00" if ts else ""
    app.jinja_env.filters["cst"] = lambda ts, fmt="%m-%d %H:%M": to_local(ts).strftime(fmt) if ts else ""
    ui.nav_item("checks.my", _l("My tasks"), lambda u: u.role.is_enterprise)
    ui.nav_item("checks.register", _l("Check tasks"), lambda u: u.role.value == "enterprise_manager")
    ui.nav_item("checks.stats", _l("Check figures"), lambda u: access.can(u, "check.stats"))
    ui.nav_item("checks.duty_performance", _l("包保 duties"), lambda u: access.can(u, "check.stats"))
    app.context_processor(lambda: {"checks_home_warnings": _home_warnings})
    ui.nav_item("checks.calendar_admin", _l("Holiday calendar"), lambda u: access.can(u, "check.calendar"))
    ui.nav_item("checks.duty_templates", _l("Major hazard duty lists"), lambda u: access.can(u, "duty.configure"))
