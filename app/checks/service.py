"""Use cases of scheduled checks: define tasks, record checks, keep the working-day calendar.

Every function checks scope (a foreign object is NotFound, 404) and permission (Forbidden, 403) inside,
validates everything before changing anything (Invalid naming each bad field, 422), and never commits.
The rules themselves are the framework-free core (docs/checks.md): ``workflows.check_tasks`` validates a
schedule, ``workflows.check_windows`` says which window a record belongs to, ``workflows.work_calendar``
which days are working days.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import access, storage
from app.auth.models import User
from app.checks import policy
from app.checks.models import CheckPhoto, CheckRecord, CheckResult, CheckTask, WorkCalendarYear
from app.clock import utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db, on_postgres
from app.hazards import service as hazards
from app.organisations import lookups
from app.organisations.models import Enterprise
from app.risks.models import ControlMeasure, RiskPoint, RiskPointStatus, Suspension
from workflows import work_calendar
from workflows.check_tasks import (
    CycleUnit,
    TaskDefinitionError,
    format_clock,
    from_utc,
    parse_clock,
    schedule_from_input,
    to_cst,
    to_utc,
)
from workflows.check_tasks import Suspension as Period
from workflows.check_windows import bind_record, window_at
from workflows.grading import ControlLevel
from workflows.national_codes import TaskType, task_number_error

NOTE_MAX = 2000
DEVICE_MAX = 128
CLIENT_ID_MAX = 64


# --- messages ---------------------------------------------------------------------------------

def _reason_message(field: str, reason: str) -> str:
    """The Chinese (via gettext) message of a reason code of workflows.check_tasks / national_codes."""
    messages = {
        "required": _("This field is required."),
        "not_integer": _("Enter a whole number."),
        "not_positive": _("The cycle must be a positive whole number (1 or more)."),
        "too_large": _("The cycle is too long for this unit; use a larger unit."),
        "unknown_value": _("Not a valid choice."),
        "bad_datetime": _("Enter a date and time (YYYY-MM-DD HH:MM)."),
        "bad_time": _("Enter a time of day as HH:MM."),
        "hours_required": _("An hourly task needs its working hours (start and end)."),
        "end_not_after_start": _("The end must come after the start."),
        "not_allowed": _("Only a 包保 duty task has an item number."),
        "out_of_range": _("Not an item of the national 包保 task list."),
        "wrong_class": _("This sub-class belongs to another class."),
    }
    if field == "work_end" and reason == "end_not_after_start":
        return _("The working hours must end after they start.")
    return messages.get(reason, _("Not a valid choice."))


def _raise(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)


def now_cst() -> datetime:
    return from_utc(utcnow())


def _instant(value) -> datetime | None:
    """An API or form value (ISO string, datetime, date) as naive CST; None if empty; ValueError if bad."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return to_cst(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return to_cst(datetime.fromisoformat(str(value).strip()))


# --- the calendar -------------------------------------------------------------------------------

_calendar_cache: dict = {}


def calendar() -> work_calendar.WorkCalendar:
    """The working-day calendar in force: the verified calendars shipped (workflows/holidays_cn.py) with
    the years kept in the database (seeded by the migration, imported by the admin) over them.

    Cached per process, keyed by the table's row count and last change (one small query per call)."""
    key = tuple(db.session.execute(select(func.count(WorkCalendarYear.year),
                                          func.max(WorkCalendarYear.updated_at))).one())
    cached = _calendar_cache.get("cal")
    if cached is not None and cached[0] == key:
        return cached[1]
    cal = work_calendar.statutory()
    bodies = db.session.scalars(select(WorkCalendarYear.body).order_by(WorkCalendarYear.year)).all()
    if bodies:
        cal = cal.merged(work_calendar.parse("\n".join(bodies)))
    _calendar_cache["cal"] = (key, cal)
    return cal


def missing_calendar_years(today: date | None = None) -> list[int]:
    """This year and next year when the calendar has no notice for them (the admin's dashboard warns)."""
    year = (today or now_cst().date()).year
    return calendar().missing_years([year, year + 1])


def calendar_warning(today: date | None = None) -> str | None:
    """The admin's dashboard warning when this year or next has no notice in the calendar, else None."""
    missing = missing_calendar_years(today)
    if not missing:
        return None
    return _("The working-day calendar has no State Council holiday notice for %(years)s: tasks on statutory "
             "working days count Monday to Friday there. Import the notice once it is published.",
             years="、".join(str(y) for y in missing))


def import_calendar(actor: User, text: str) -> list[int]:
    """Add or replace whole years from the import format (docs/calendar.md); the years imported.
    A bad file changes nothing: Invalid on ``file`` with the line and the reason."""
    access.require(actor, "check.calendar")
    try:
        parsed = work_calendar.parse(text or "")
    except work_calendar.CalendarFormatError as exc:
        reasons = {
            "unknown_statement": _("Unknown statement."), "missing_year": _("A “year” line must come first."),
            "bad_year": _("Not a year."), "bad_date": _("Not a date (YYYY-MM-DD)."),
            "outside_year": _("The date is not in the year it is listed under."),
            "end_before_start": _("The last day comes before the first."),
            "missing_name": _("The festival's name is missing."),
            "workday_not_weekend": _("An adjusted working day must be a Saturday or Sunday."),
            "holiday_on_workday": _("A day is both a day off and a working day."),
            "duplicate_year": _("The year is listed twice."),
            "missing_citation": _("The year lacks its notice's title or document number."),
        }
        raise Invalid(fields={"file": _("Line %(line)s: %(reason)s", line=exc.line,
                                        reason=reasons.get(exc.reason, exc.reason))}) from None
    if not parsed.years:
        raise Invalid(fields={"file": _("The file holds no year.")})
    for year, cal in parsed.years.items():
        row = db.session.get(WorkCalendarYear, year) or WorkCalendarYear(year=year)
        row.title, row.document, row.issued, row.source = cal.title, cal.document, cal.issued, cal.source
        row.body = work_calendar.dumps(work_calendar.WorkCalendar({year: cal}))
        row.updated_by_id = actor.id
        row.updated_at = utcnow()
        db.session.add(row)
    db.session.flush()
    return sorted(parsed.years)


def delete_calendar_year(actor: User, year: int) -> None:
    """Remove an imported year (a shipped year stays: import a corrected notice over it instead)."""
    access.require(actor, "check.calendar")
    row = db.session.get(WorkCalendarYear, year)
    if row is None:
        raise NotFound()
    if year in work_calendar.statutory().years:
        raise Invalid(fields={"year": _("A shipped calendar cannot be removed; import a corrected notice "
                                        "for that year instead.")})
    db.session.delete(row)
    db.session.flush()


def export_calendar(actor: User | None = None) -> str:
    """The calendar in force, in the import format (to correct and import again)."""
    return work_calendar.dumps(calendar())


# --- tasks -------------------------------------------------------------------------------------

def _measure(actor: User, measure_id):
    return access.get_visible(ControlMeasure, measure_id, actor)


def _validate_task(enterprise_id: int, fields: dict, errors: dict, measure=None) -> dict:
    """The columns of a new task from its fields (API names), or errors naming each bad field."""
    values: dict = {}
    try:
        schedule = schedule_from_input(
            cycle=fields.get("cycle"), cycle_unit=fields.get("cycle_unit"), starts_at=fields.get("starts_at"),
            workday_type=fields.get("workday_type"), work_start=fields.get("work_start"),
            work_end=fields.get("work_end"))
    except TaskDefinitionError as exc:
        for name, reason in exc.fields.items():
            errors[name] = _reason_message(name, reason)
        schedule = None
    task_type = fields.get("task_type") or TaskType.routine
    for name, reason in task_number_error(task_type, fields.get("task_number")).items():
        errors[name] = _reason_message(name, reason)
    level = fields.get("control_level")
    if level not in (None, ""):
        try:
            level = ControlLevel(level)
        except ValueError:
            errors["control_level"] = _("Not a valid choice.")
    else:
        level = None
    user_id, dept_id = fields.get("assignee_user_id"), fields.get("assignee_department_id")
    if user_id in (None, "") and dept_id in (None, "") and measure is not None and task_type != TaskType.routine:
        user_id = _duty_person(measure, TaskType(task_type)) if "task_type" not in errors else None
    if user_id not in (None, "") and dept_id not in (None, ""):
        errors["assignee_user_id"] = _("Assign the task to a person or to a department, not both.")
    elif user_id not in (None, ""):
        user = lookups.person_of(enterprise_id, user_id)
        if user is None:
            errors["assignee_user_id"] = _("Choose an active person of this enterprise.")
        else:
            values["assignee_user_id"] = user.id
    elif dept_id not in (None, ""):
        dept = lookups.unit_of(enterprise_id, dept_id)
        if dept is None:
            errors["assignee_department_id"] = _("Choose a department of this enterprise.")
        else:
            values["assignee_department_id"] = dept.id
            level = level or ControlLevel(dept.level.value)
    else:
        errors["assignee_user_id"] = _("Choose who does the checks: a person or a department.")
    if errors or schedule is None:
        return values
    hourly = schedule.unit is CycleUnit.hour
    values.update(
        cycle=schedule.cycle, cycle_unit=schedule.unit, starts_at=to_utc(schedule.starts_at),
        workday_type=schedule.workday_type,
        work_start=format_clock(parse_clock(fields["work_start"])) if hourly else None,
        work_end=format_clock(parse_clock(fields["work_end"], end=True)) if hourly else None,
        task_type=TaskType(task_type),
        task_number=int(fields["task_number"]) if fields.get("task_number") not in (None, "") else None,
        control_level=level)
    return values


def _int_get(model, ident):
    try:
        ident = int(ident)
    except (TypeError, ValueError):
        return None
    if not -2**31 < ident < 2**31:
        return None
    return db.session.get(model, ident)


def _duty_person(measure, task_type: TaskType) -> int | None:
    """The 包保 person of the measure's analysis object for a duty task (principal/technical/operator)."""
    obj = getattr(measure.risk_point, "object", None)
    return getattr(obj, f"{task_type.value}_user_id", None) if obj is not None else None


TASK_FIELDS = ("cycle", "cycle_unit", "starts_at", "workday_type", "work_start", "work_end", "task_type",
               "task_number", "assignee_user_id", "assignee_department_id", "control_level")


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(TASK_FIELDS)
    if unknown:
        raise Invalid(fields={name: _("Unknown field.") for name in sorted(unknown)})


def create_task(actor: User, measure_id, **fields) -> CheckTask:
    """A check task of one control measure (a measure checked by people: ``data_source`` manual)."""
    _check_fields(fields)
    measure = _measure(actor, measure_id)
    access.require(actor, "check.manage", measure.enterprise_id)
    errors: dict = {}
    if getattr(measure, "data_source", "manual") != "manual":
        errors["measure_id"] = _("This measure is watched by automated monitoring; it has no check task.")
    if not getattr(measure, "active", True):
        errors["measure_id"] = _("This measure is no longer in use.")
    values = _validate_task(measure.enterprise_id, fields, errors, measure)
    _raise(errors)
    task = CheckTask(enterprise_id=measure.enterprise_id, measure_id=measure.id,
                     risk_point_id=measure.risk_point_id, created_by_id=actor.id, active=True, **values)
    db.session.add(task)
    db.session.flush()
    return task


def create_tasks_bulk(actor: User, *, enterprise_id, control_level, **fields) -> list[CheckTask]:
    """One task per measure checked by people of every active unit controlled at ``control_level``
    (the register's 分级管控 level), all with the same schedule and assignee. A measure that already has
    an active task of this type and assignee is skipped (running it twice adds nothing)."""

    _check_fields(fields)
    enterprise = access.get_visible(Enterprise, _int_or_none(enterprise_id), actor)
    access.require(actor, "check.manage", enterprise.id)
    errors: dict = {}
    try:
        level = ControlLevel(control_level)
    except ValueError:
        errors["control_level"] = _("Not a valid choice.")
        level = None
    values = _validate_task(enterprise.id, {**fields, "control_level": fields.get("control_level") or control_level},
                            errors)
    _raise(errors)
    measures = db.session.scalars(
        select(ControlMeasure).join(RiskPoint, RiskPoint.id == ControlMeasure.risk_point_id).where(
            ControlMeasure.enterprise_id == enterprise.id, ControlMeasure.active.is_(True),
            ControlMeasure.data_source == "manual", RiskPoint.status == RiskPointStatus.active,
            RiskPoint.control_level == level).order_by(ControlMeasure.risk_point_id, ControlMeasure.id)).all()
    existing = set(db.session.scalars(select(CheckTask.measure_id).where(
        CheckTask.enterprise_id == enterprise.id, CheckTask.active.is_(True),
        CheckTask.task_type == values["task_type"],
        CheckTask.assignee_user_id.is_(None) if values.get("assignee_user_id") is None
        else CheckTask.assignee_user_id == values["assignee_user_id"],
        CheckTask.assignee_department_id.is_(None) if values.get("assignee_department_id") is None
        else CheckTask.assignee_department_id == values["assignee_department_id"])))
    tasks = [CheckTask(enterprise_id=enterprise.id, measure_id=m.id, risk_point_id=m.risk_point_id,
                       created_by_id=actor.id, active=True, **values)
             for m in measures if m.id not in existing]
    db.session.add_all(tasks)
    db.session.flush()
    return tasks


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def update_task(actor: User, task_id, *, active=None, version=None) -> CheckTask:
    """Deactivate a task (``active=False``): no window starts from now on; its past stays as it was.
    A deactivated task is not reactivated (its windows while off would become missed): define a new one."""
    task = access.get_visible(CheckTask, task_id, actor, for_update=on_postgres())
    access.require(actor, "check.manage", task.enterprise_id)
    if version not in (None, "") and str(version) != str(task.version):
        raise Conflict()
    if active is None:
        return task
    if not isinstance(active, bool):
        raise Invalid(fields={"active": _("Not a valid choice.")})
    if active and not task.active:
        raise Invalid(fields={"active": _("A deactivated task is not reactivated; define a new task instead.")})
    if not active and task.active:
        task.active = False
        task.ends_at = max(utcnow(), task.starts_at)
        db.session.flush()
    return task


def end_tasks_of_measures(measure_ids, actor=None) -> int:
    """Receiver of ``signals.measures_out_of_use``: the active tasks of measures retired (or of a unit
    retired) end now, as a deactivation would; their past windows and records stay. Returns how many."""
    now = utcnow()
    tasks = db.session.scalars(select(CheckTask).where(CheckTask.measure_id.in_(list(measure_ids)),
                                                       CheckTask.active.is_(True))).all()
    for task in tasks:
        task.active = False
        task.ends_at = max(now, task.starts_at)
    return len(tasks)




# --- suspensions of a task ---------------------------------------------------------------------

def suspensions_by_point(*, enterprise_ids: Iterable[int] | None = None,
                         point_ids: Iterable[int] | None = None) -> dict[int, list]:
    """Per risk point, its 停用/检修 periods (its own and its analysis object's) as core Suspensions (CST):
    of the given enterprises, of the given points, or of all (the scan). Suspensions are few: one query
    for them, one for the units of the objects among them (no list of every unit in a statement)."""

    stmt = select(Suspension.risk_point_id, Suspension.object_id, Suspension.starts_at, Suspension.ends_at)
    if point_ids is not None:
        point_ids = set(point_ids)
        if not point_ids:
            return {}
        objects = select(RiskPoint.object_id).where(RiskPoint.id.in_(point_ids), RiskPoint.object_id.is_not(None))
        stmt = stmt.where(Suspension.risk_point_id.in_(point_ids) | Suspension.object_id.in_(objects))
    elif enterprise_ids is not None:
        enterprise_ids = list(enterprise_ids)
        if not enterprise_ids:
            return {}
        stmt = stmt.where(access.among(Suspension.enterprise_id, enterprise_ids))
    rows = db.session.execute(stmt).all()
    object_ids = {oid for _pid, oid, _s, _e in rows if oid is not None}
    units: dict[int, list[int]] = {}
    if object_ids:
        for pid, oid in db.session.execute(select(RiskPoint.id, RiskPoint.object_id).where(
                RiskPoint.object_id.in_(object_ids))):
            units.setdefault(oid, []).append(pid)
    out: dict[int, list] = {}
    for pid, oid, start, end in rows:
        period = Period(from_utc(start), from_utc(end))
        for point in ([pid] if pid is not None else units.get(oid, [])):
            if point_ids is None or point in point_ids:
                out.setdefault(point, []).append(period)
    return out


def suspensions_for_points(point_ids: Iterable[int]) -> dict[int, list]:
    return suspensions_by_point(point_ids=point_ids)


# --- records -------------------------------------------------------------------------------------

def _float(value, name: str, bound: float, errors: dict) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or abs(number) > bound:
        errors[name] = _("Not a valid coordinate.")
        return None
    return number


def record_check(actor: User, task_id, *, window_start=None, result, note: str = "", device_id=None,
                 client_id=None, via_qr: bool = False, latitude=None, longitude=None, photos=(),
                 danger_source=None) -> CheckRecord:
    """Record the check of one window (the open one by default, or a past one named by ``window_start``:
    then it is late). One record per window: a second is a 409. The same ``client_id`` again gives the
    first record back. ``abnormal`` reports a hazard in the same action (source 管控措施失效 by default,
    or ``danger_source="routine"`` for something found on the way, 日常排查), linked to the measure and
    the record; ``photos`` ((filename, bytes) pairs) go with the record and the hazard."""
    task = access.get_visible(CheckTask, task_id, actor)
    if not access.can(actor, "check.record", task):
        raise Forbidden(_("This check is not assigned to you."))
    client_id = (str(client_id).strip() or None) if client_id is not None else None
    if client_id is not None and len(client_id) <= CLIENT_ID_MAX:
        first = _by_client_id(task.id, client_id)
        if first is not None:
            return first
    errors: dict = {}
    try:
        outcome = CheckResult(result)
    except ValueError:
        errors["result"] = _("Choose normal or abnormal.")
        outcome = None
    note = (note or "").strip()
    if outcome is CheckResult.abnormal and not note:
        errors["note"] = pgettext("checks", "Describe what is wrong: it becomes the hazard's description.")
    elif len(note) > NOTE_MAX:
        errors["note"] = pgettext("checks", "At most %(n)s characters (you entered %(m)s).", n=NOTE_MAX, m=len(note))
    device_id = (str(device_id).strip() or None) if device_id is not None else None
    if device_id is not None and len(device_id) > DEVICE_MAX:
        errors["device_id"] = pgettext("checks", "At most %(n)s characters (you entered %(m)s).", n=DEVICE_MAX, m=len(device_id))
    if client_id is not None and len(client_id) > CLIENT_ID_MAX:
        errors["client_id"] = pgettext("checks", "At most %(n)s characters (you entered %(m)s).", n=CLIENT_ID_MAX,
                                m=len(client_id))
    lat = _float(latitude, "latitude", 90, errors)
    lon = _float(longitude, "longitude", 180, errors)
    if (lat is None) != (lon is None) and "latitude" not in errors and "longitude" not in errors:
        errors["longitude" if lon is None else "latitude"] = _("Give both latitude and longitude, or neither.")
    if danger_source not in (None, "", "measure_failure", "routine"):
        errors["danger_source"] = _("Not a valid choice.")
    checked = []
    for filename, data in photos or ():
        try:
            checked.append(storage.check_upload(data, filename, allow_pdf=False, field_name="photos"))
        except Invalid as exc:
            errors.update(exc.fields)
    try:
        wanted = _instant(window_start)
    except ValueError:
        errors["window_start"] = _("Enter a date and time (YYYY-MM-DD HH:MM).")
        wanted = None
    _raise(errors)
    now = now_cst()
    cal = calendar()
    window = bind_record(task.schedule, now, wanted, cal)
    if window is None:
        if wanted is None:
            raise Invalid(fields={"window_start": _("No check of this task is due now.")})
        upcoming = window_at(task.schedule, wanted, cal)
        if upcoming is not None and upcoming.start == wanted:
            raise Invalid(fields={"window_start": _("This check's time has not come yet.")})
        raise Invalid(fields={"window_start": _("This task has no check starting at that time.")})
    start_utc = to_utc(window.start)
    taken = db.session.scalar(select(CheckRecord).where(CheckRecord.task_id == task.id,
                                                        CheckRecord.window_start == start_utc))
    if taken is not None:
        raise Conflict(_("This check was already recorded (%(who)s)." , who=taken.checker.display_name))
    record = CheckRecord(enterprise_id=task.enterprise_id, task_id=task.id, window_start=start_utc,
                         window_end=to_utc(window.end), recorded_at=to_utc(now), checker_id=actor.id,
                         result=outcome, note=note, late=now >= window.end, device_id=device_id,
                         client_id=client_id, via_qr=bool(via_qr), latitude=lat, longitude=lon)
    try:
        with db.session.begin_nested():
            db.session.add(record)
            db.session.flush()
    except IntegrityError:
        # Someone recorded this window (or sent this client id) at the same moment and won.
        first = _by_client_id(task.id, client_id) if client_id else None
        if first is not None:
            return first
        raise Conflict(_("This check was just recorded by someone else.")) from None
    for file in checked:
        storage.save(file.data)
        db.session.add(CheckPhoto(record=record, sha256=file.sha256, mime=file.mime, filename=file.filename,
                                  size=len(file.data)))
    if outcome is CheckResult.abnormal:
        record.hazard_id = _report_hazard(actor, task, record, note, checked, danger_source).id
    db.session.flush()
    return record


def _by_client_id(task_id: int, client_id: str) -> CheckRecord | None:
    return db.session.scalar(select(CheckRecord).where(CheckRecord.task_id == task_id,
                                                       CheckRecord.client_id == client_id))


def _report_hazard(actor: User, task: CheckTask, record: CheckRecord, note: str, photos, danger_source):
    """The hazard of an abnormal check, through the hazards' own use case (its history chain starts there)."""

    measure = task.measure
    title = _("Check abnormal: %(measure)s", measure=measure.description)[:200]
    return hazards.create_hazard(
        actor, enterprise=task.risk_point.enterprise, title=title, description=note,
        risk_point_id=task.risk_point_id, control_measure_id=measure.id, check_record_id=record.id,
        danger_source=danger_source or "measure_failure",
        accident_type=getattr(measure.event, "accident_type", None),  # the failed measure's accident scenario
        attachments=[("before", f.filename, f.data) for f in photos])


def record_all_normal(actor: User, risk_point_id, *, device_id=None, client_id=None, via_qr: bool = False,
                      latitude=None, longitude=None) -> list[CheckRecord]:
    """全部正常: one ``normal`` record for every window of the unit that is open now, not yet recorded and
    assigned to the actor. Nothing due: an empty list. The same ``client_id`` again records nothing new
    (each task's record carries ``<client_id>:<task id>``)."""

    point = access.get_visible(RiskPoint, _int_or_none(risk_point_id), actor)
    if not access.can(actor, "check.record", None) or actor.enterprise_id != point.enterprise_id:
        raise Forbidden()
    client_id = (str(client_id).strip() or None) if client_id is not None else None
    if client_id is not None and len(client_id) > CLIENT_ID_MAX - 12:
        raise Invalid(fields={"client_id": pgettext("checks", "At most %(n)s characters (you entered %(m)s).",
                                             n=CLIENT_ID_MAX - 12, m=len(client_id))})
    tasks = db.session.scalars(select(CheckTask).where(CheckTask.risk_point_id == point.id,
                                                       CheckTask.active.is_(True)).order_by(CheckTask.id)).all()
    now, cal = now_cst(), calendar()
    records = []
    for task in tasks:
        if not policy.is_assignee(actor, task):
            continue
        key = f"{client_id}:{task.id}" if client_id else None
        if key is not None:
            first = _by_client_id(task.id, key)
            if first is not None:
                records.append(first)
                continue
        window = window_at(task.schedule, now, cal)
        if window is None or db.session.scalar(select(CheckRecord.id).where(
                CheckRecord.task_id == task.id, CheckRecord.window_start == to_utc(window.start))) is not None:
            continue
        try:
            records.append(record_check(actor, task.id, result=CheckResult.normal, device_id=device_id,
                                        client_id=key, via_qr=via_qr, latitude=latitude, longitude=longitude))
        except Conflict:
            continue  # recorded by a colleague meanwhile
    return records
