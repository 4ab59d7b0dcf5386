"""Reading check windows and their figures: THE one place for 应排查/已排查/逾期/超期未排查/停用 and the
completion rate (docs/checks.md "Figures"; the definitions are workflows/check_figures.py).

Windows are computed from the tasks' definitions (workflows/check_windows.py), never stored: a period's
planned windows are counted in closed form per distinct schedule, records are counted by SQL on the
records' ``(enterprise_id, window_end)`` index, and only the few tasks whose unit was suspended in the
period are walked window by window (``task_figures``, the core's reference). Dashboards, the weekly
score, exports and the API call ``check_stats``; the phone and the manager's lists call ``windows_for``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import has_request_context, request
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from app import access
from app.auth.models import Role, User
from app.checks.models import CheckRecord, CheckTask, schedule_of
from app.checks.service import calendar, now_cst, suspensions_by_point, suspensions_for_points
from app.clock import utcnow
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.organisations.models import Department, Enterprise, Region
from app.risks.models import CheckRecord as LegacyRecord
from app.risks.models import ControlMeasure, RiskPoint
from workflows.check_figures import CheckFigures, task_figures
from workflows.check_tasks import from_utc, to_cst, to_utc
from workflows.check_windows import (
    WindowState,
    count_windows,
    merge_suspensions,
    overlaps_suspension,
    window_at,
    window_state,
    windows_overlapping,
)
from workflows.check_windows import windows as walk
from workflows.national_codes import TASK_TYPE_NAMES, TaskType

GROUPS = ("department", "user", "task_type", "enterprise", "risk_point")
_TASK_COLUMNS = (CheckTask.id, CheckTask.enterprise_id, CheckTask.measure_id, CheckTask.risk_point_id,
                 CheckTask.cycle, CheckTask.cycle_unit, CheckTask.starts_at, CheckTask.workday_type,
                 CheckTask.work_start, CheckTask.work_end, CheckTask.ends_at, CheckTask.task_type,
                 CheckTask.assignee_user_id, CheckTask.assignee_department_id)


def period(from_, to, *, default_days: int | None = None) -> tuple[datetime, datetime]:
    """``(a, b)`` in naive CST from what a form or the API gives: a date ``from`` is its midnight, a date
    ``to`` the midnight after it (the day is included); datetimes as given. Invalid naming the field."""
    errors: dict = {}

    def one(value, name: str, end: bool):
        if value in (None, ""):
            return None
        try:
            if isinstance(value, datetime):
                return to_cst(value)
            if isinstance(value, date):
                d = value
            elif isinstance(value, str) and len(value.strip()) == 10:
                d = date.fromisoformat(value.strip())
            else:
                return to_cst(datetime.fromisoformat(str(value).strip()))
            return datetime(d.year, d.month, d.day) + (timedelta(days=1) if end else timedelta(0))
        except ValueError:
            errors[name] = _("Enter a date (YYYY-MM-DD) or a date and time.")
            return None

    a, b = one(from_, "from", False), one(to, "to", True)
    if not errors and (a is None or b is None):
        if default_days is None:
            for name, value in (("from", a), ("to", b)):
                if value is None:
                    errors[name] = _("This field is required.")
        else:
            today = now_cst().date()
            midnight = datetime(today.year, today.month, today.day)
            a = a or midnight - timedelta(days=default_days - 1)
            b = b or midnight + timedelta(days=1)
    if not errors and b <= a:
        errors["to"] = _("The end must come after the start.")
    if not errors and (b - a).days > 3700:
        errors["to"] = _("The period is too long (at most ten years).")
    if errors:
        raise Invalid(fields=errors)
    return a, b


def _pairs(stmt) -> list:
    """Rows of two columns as pairs (``dict(result)`` would take the Result for a mapping)."""
    return db.session.execute(stmt).all()


def _visible_enterprise(user: User, enterprise_id) -> Enterprise:
    return access.get_visible(Enterprise, enterprise_id, user)


def enterprise_ids(user: User, *, enterprise_id=None, region_id=None) -> list[int]:
    """The enterprises the figures cover: one (404 if not visible), a region's subtree (404 if the region
    is not visible), else every enterprise the user may see."""
    if enterprise_id is not None:
        return [_visible_enterprise(user, enterprise_id).id]
    stmt = select(Enterprise.id).where(access.enterprise_condition(Enterprise.id, user))
    if region_id is not None:
        region = access.get_visible(Region, region_id, user)
        stmt = stmt.where(Enterprise.region_id.in_(access.region_subtree(region.path)))
    return list(db.session.scalars(stmt.order_by(Enterprise.id)))


class _Schedules:
    """Schedules of plain task rows, built once per distinct definition (tasks defined in bulk share one)."""

    def __init__(self):
        self.cache: dict = {}

    def __call__(self, row):
        key = (row.cycle, row.cycle_unit, row.starts_at, row.workday_type, row.work_start, row.work_end,
               row.ends_at)
        s = self.cache.get(key)
        if s is None:
            s = self.cache[key] = schedule_of(*key)
        return s


# --- figures ------------------------------------------------------------------------------------

def check_stats(user: User, *, enterprise_id=None, region_id=None, from_=None, to=None, group_by=None,
                now: datetime | None = None) -> dict:
    """``{planned, done, late, missed, suspended, due, completion_rate, groups}`` for the period
    ``from_``–``to`` (docs/checks.md "Figures": windows closing in the period, as of now), over one
    enterprise, a region's enterprises, or all the user may see; ``groups`` per ``group_by``
    (department, user, task_type, enterprise, risk_point), each with ``key`` and ``name``."""
    if not access.can(user, "check.stats"):
        raise Forbidden()
    if group_by not in (None, "", *GROUPS):
        raise Invalid(fields={"group_by": _("Not a valid choice.")})
    a, b = period(from_, to)
    ids = enterprise_ids(user, enterprise_id=enterprise_id, region_id=region_id)
    grouped = grouped_counts(ids, a, b, group_by or None, now=now)
    total = [sum(c[i] for c in grouped.values()) for i in range(5)]
    out = CheckFigures(*total).as_dict()
    out["groups"] = _groups(group_by, grouped) if group_by else []
    return out


_SCHEDULE_COLUMNS = (CheckTask.cycle, CheckTask.cycle_unit, CheckTask.starts_at, CheckTask.workday_type,
                     CheckTask.work_start, CheckTask.work_end, CheckTask.ends_at)


def _group_columns(group_by: str | None) -> tuple[list, bool]:
    """The SQL columns a group is keyed by, and whether they need the assignee's row."""
    if group_by == "enterprise":
        return [CheckTask.enterprise_id], False
    if group_by == "task_type":
        return [CheckTask.task_type], False
    if group_by == "risk_point":
        return [CheckTask.risk_point_id], False
    if group_by == "user":
        return [CheckTask.assignee_user_id, CheckTask.assignee_department_id], False
    if group_by == "department":
        return [func.coalesce(CheckTask.assignee_department_id, User.department_id)], True
    return [], False


def _key(group_by: str | None, values) -> object:
    if group_by == "user":
        return ("user", values[0]) if values[0] is not None else ("department", values[1])
    if group_by == "task_type":
        return str(getattr(values[0], "value", values[0]))
    return values[0] if values else None


def grouped_counts(enterprise_ids_: list[int], a: datetime, b: datetime, group_by: str | None = None, *,
                   now: datetime | None = None) -> dict:
    """``{group key: [planned, done, late, suspended, due]}`` — what ``task_counts`` gives per task, summed
    per group, but counted per distinct (schedule, group) in SQL: the work in Python grows with the
    distinct schedules, not with the tasks (a county's 20 000 tasks share a few hundred). Tasks whose
    unit has a suspension are taken one by one (``task_counts``' walk)."""
    now = now or now_cst()
    out: dict = defaultdict(lambda: [0, 0, 0, 0, 0])
    if not enterprise_ids_:
        return out
    top = min(b, now)
    cal = calendar()
    suspended = suspensions_by_point(enterprise_ids=enterprise_ids_)
    gcols, with_user = _group_columns(group_by)
    conds = [access.among(CheckTask.enterprise_id, enterprise_ids_), CheckTask.starts_at < to_utc(b)]
    if suspended:
        conds.append(CheckTask.risk_point_id.not_in(list(suspended)))

    def joined(stmt):
        return stmt.outerjoin(User, User.id == CheckTask.assignee_user_id) if with_user else stmt

    n_keys = len(gcols)
    stmt = joined(select(*_SCHEDULE_COLUMNS, *gcols, func.count()).where(*conds)
                  .group_by(*_SCHEDULE_COLUMNS, *gcols))
    judge_due = a < now < b
    planned: dict = {}
    opened: dict = {}
    for row in db.session.execute(stmt):
        s = schedule_of(*row[:7])
        counts = out[_key(group_by, row[7:7 + n_keys])]
        n = row[-1]
        if s not in planned:
            planned[s] = count_windows(s, a, top, cal) if top > a else 0
            opened[s] = judge_due and window_at(s, now, cal) is not None
        counts[0] += planned[s] * n
        if opened[s]:
            counts[4] += n
    # Records: by the end of their window in the period; and those of the windows open now (not due).
    # Counted per task on the records' index first (index-only), then joined to the tasks for the group.
    def record_counts(*where, by_late: bool):
        extra = [CheckRecord.late] if by_late else []
        if not suspended and group_by in (None, "enterprise"):  # no need of the tasks at all
            cols = [CheckRecord.enterprise_id] if group_by else []
            return db.session.execute(select(*cols, *extra, func.count()).where(
                access.among(CheckRecord.enterprise_id, enterprise_ids_), *where).group_by(*cols, *extra))
        per_task = select(CheckRecord.task_id, *extra, func.count().label("n")).where(
            access.among(CheckRecord.enterprise_id, enterprise_ids_), *where).group_by(CheckRecord.task_id, *extra).subquery()
        late_col = [per_task.c.late] if by_late else []
        return db.session.execute(joined(
            select(*gcols, *late_col, func.sum(per_task.c.n)).select_from(per_task)
            .join(CheckTask, CheckTask.id == per_task.c.task_id)).where(*conds).group_by(*gcols, *late_col))

    if top > a:
        for row in record_counts(CheckRecord.window_end > to_utc(a), CheckRecord.window_end <= to_utc(top),
                                 by_late=True):
            out[_key(group_by, row[:n_keys])][2 if row[-2] else 1] += int(row[-1] or 0)  # sum(): numeric
    if judge_due:
        for row in record_counts(CheckRecord.window_start <= to_utc(now), CheckRecord.window_end > to_utc(now),
                                 by_late=False):
            out[_key(group_by, row[:n_keys])][4] -= int(row[-1] or 0)
    if suspended:
        walked = task_counts(enterprise_ids_, a, b, now=now,
                             extra=CheckTask.risk_point_id.in_(list(suspended)))
        key_of = _group_key(group_by, walked) if group_by else (lambda _row: None)
        for row, counts in walked.items():
            g = out[key_of(row)]
            for i, n in enumerate(counts):
                g[i] += n
    return out


def task_counts(enterprise_ids_: list[int], a: datetime, b: datetime, *, now: datetime | None = None,
                extra=None) -> dict:
    """Per task (a plain row), ``[planned, done, late, suspended, due]`` for ``(a, b]`` at ``now`` (CST):
    the figures of ``workflows.check_figures``, counted without walking windows."""
    now = now or now_cst()
    if not enterprise_ids_:
        return {}
    top = min(b, now)
    cal = calendar()
    stmt = select(*_TASK_COLUMNS).where(access.among(CheckTask.enterprise_id, enterprise_ids_),
                                        CheckTask.starts_at < to_utc(b))
    if extra is not None:
        stmt = stmt.where(extra)
    rows = db.session.execute(stmt).all()
    if not rows:
        return {}
    schedules = _Schedules()
    suspended_points = suspensions_by_point(enterprise_ids=enterprise_ids_)
    records: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    if top > a:
        for task_id, late, n in db.session.execute(
                select(CheckRecord.task_id, CheckRecord.late, func.count()).where(
                    access.among(CheckRecord.enterprise_id, enterprise_ids_), CheckRecord.window_end > to_utc(a),
                    CheckRecord.window_end <= to_utc(top)).group_by(CheckRecord.task_id, CheckRecord.late)):
            records[task_id][1 if late else 0] += n
    open_recorded: set = set()
    judge_due = a < now < b
    if judge_due:
        open_recorded = set(db.session.execute(select(CheckRecord.task_id, CheckRecord.window_start).where(
            access.among(CheckRecord.enterprise_id, enterprise_ids_), CheckRecord.window_end > to_utc(now),
            CheckRecord.window_start <= to_utc(now))))
    planned_cache: dict = {}
    open_cache: dict = {}
    out = {}
    for row in rows:
        s = schedules(row)
        periods = suspended_points.get(row.risk_point_id)
        if periods:
            out[row] = _walked(row, s, a, b, now, periods, cal)
            continue
        planned = planned_cache.get(s)
        if planned is None:
            planned = planned_cache[s] = count_windows(s, a, top, cal) if top > a else 0
        done, late = records.get(row.id, (0, 0))
        due = 0
        if judge_due:
            w = open_cache.get(s, False)
            if w is False:
                w = open_cache[s] = window_at(s, now, cal)
            if w is not None and (row.id, to_utc(w.start)) not in open_recorded:
                due = 1
        out[row] = [planned, done, late, 0, due]
    return out


def _walked(row, schedule, a, b, now, periods, cal) -> list[int]:
    """A task whose unit was out of service: its windows one by one (the core's reference)."""
    recs = {from_utc(ws): from_utc(rt) for ws, rt in db.session.execute(
        select(CheckRecord.window_start, CheckRecord.recorded_at).where(
            CheckRecord.task_id == row.id, CheckRecord.window_end > to_utc(a),
            CheckRecord.window_start < to_utc(b)))}
    f = task_figures(schedule, a, b, now, recs, periods, cal)
    return [f.planned, f.done, f.late, f.suspended, f.due]


def _group_key(group_by: str, per_task: dict):
    if group_by == "enterprise":
        return lambda row: row.enterprise_id
    if group_by == "task_type":
        return lambda row: str(getattr(row.task_type, "value", row.task_type))
    if group_by == "risk_point":
        return lambda row: row.risk_point_id
    if group_by == "user":
        return lambda row: ("user", row.assignee_user_id) if row.assignee_user_id is not None \
            else ("department", row.assignee_department_id)
    # department: the department named, or the assignee's own department (None: no department).
    users = {r.assignee_user_id for r in per_task if r.assignee_user_id is not None}
    dept_of = dict(_pairs(select(User.id, User.department_id).where(User.id.in_(users)))) \
        if users else {}
    return lambda row: row.assignee_department_id if row.assignee_department_id is not None \
        else dept_of.get(row.assignee_user_id)


def _groups(group_by: str, grouped: dict) -> list[dict]:
    names: dict = {}
    keys = list(grouped)
    if group_by == "enterprise":
        names = dict(_pairs(select(Enterprise.id, Enterprise.name).where(
            Enterprise.id.in_([k for k in keys if k is not None]))))
    elif group_by == "department":
        names = dict(_pairs(select(Department.id, Department.name).where(
            Department.id.in_([k for k in keys if k is not None]))))
    elif group_by == "risk_point":
        from app.risks.models import RiskPoint

        names = dict(_pairs(select(RiskPoint.id, RiskPoint.name).where(
            RiskPoint.id.in_([k for k in keys if k is not None]))))
    elif group_by == "user":
        uids = [k[1] for k in keys if k[0] == "user"]
        dids = [k[1] for k in keys if k[0] == "department"]
        unames = dict(_pairs(select(User.id, User.display_name).where(User.id.in_(uids))))
        dnames = dict(_pairs(select(Department.id, Department.name).where(
            Department.id.in_(dids))))
        names = {k: (unames if k[0] == "user" else dnames).get(k[1], "") for k in keys}
    out = []
    for key, counts in grouped.items():
        item = CheckFigures(*counts).as_dict()
        if group_by == "user":
            item.update(key=f"{key[0]}:{key[1]}", user_id=key[1] if key[0] == "user" else None,
                        department_id=key[1] if key[0] == "department" else None, name=names.get(key, ""))
        elif group_by == "task_type":
            item.update(key=key, task_type=key, name=TASK_TYPE_NAMES.get(TaskType(key), key))
        else:
            item.update(key=None if key is None else str(key), name=names.get(key) or _("(none)"))
            item[f"{group_by}_id"] = key
        out.append(item)
    out.sort(key=lambda g: (-(g["planned"] or 0), str(g.get("name"))))
    return out


# --- windows --------------------------------------------------------------------------------------

def _my_tasks_condition(user: User):
    conds = [CheckTask.assignee_user_id == user.id]
    dept = user.department
    if dept is not None:
        ancestors = [int(i) for i in dept.path.strip("/").split("/") if i]
        conds.append(CheckTask.assignee_department_id.in_(ancestors))
    return or_(*conds)


def windows_for(user: User, *, assignee=None, enterprise_id=None, state=None, from_=None, to=None,
                risk_point_id=None, task_id=None, now: datetime | None = None) -> list[dict]:
    """Windows overlapping ``from_``–``to`` (default: today) of the tasks the user may see, each
    ``{task_id, measure_id, risk_point_id, starts_at, ends_at, state}`` (UTC), in order of start.

    ``assignee="me"``: the tasks the user records (his own, or his department's or one above it). A
    member of staff only ever sees those; an enterprise's manager and principal see its tasks; the
    authorities and admin the tasks of the enterprises they may see (read-only)."""
    if assignee not in (None, "", "me"):
        raise Invalid(fields={"assignee": _("Not a valid choice.")})
    states = None
    if state not in (None, ""):
        states = {state} if isinstance(state, str) else set(state)
        if not states <= set(WindowState):
            raise Invalid(fields={"state": _("Not a valid choice.")})
    a, b = period(from_, to, default_days=1)
    now = now or now_cst()
    mine = assignee == "me" or user.role == Role.enterprise_staff
    if not mine and not access.can(user, "check.stats"):
        raise Forbidden()
    cond = [CheckTask.starts_at < to_utc(b), or_(CheckTask.ends_at.is_(None), CheckTask.ends_at > to_utc(a)
                                                 - timedelta(days=3700))]
    if mine:
        if not user.role.is_enterprise:
            return []
        cond += [CheckTask.enterprise_id == user.enterprise_id, _my_tasks_condition(user)]
        if enterprise_id is not None and int(enterprise_id) != user.enterprise_id:
            raise NotFound()
    else:
        ids = enterprise_ids(user, enterprise_id=enterprise_id)
        cond.append(access.among(CheckTask.enterprise_id, ids))
    if risk_point_id is not None:
        cond.append(CheckTask.risk_point_id == risk_point_id)
    if task_id is not None:
        cond.append(CheckTask.id == task_id)
    rows = db.session.execute(select(*_TASK_COLUMNS).where(and_(*cond)).order_by(CheckTask.id)).all()
    if not rows:
        return []
    cal = calendar()
    schedules = _Schedules()
    task_ids = [r.id for r in rows]
    recorded: dict = defaultdict(dict)
    for tid, ws, rt in db.session.execute(select(CheckRecord.task_id, CheckRecord.window_start,
                                                 CheckRecord.recorded_at).where(
            CheckRecord.task_id.in_(task_ids), CheckRecord.window_end > to_utc(a),
            CheckRecord.window_start < to_utc(b))):
        recorded[tid][from_utc(ws)] = from_utc(rt)
    suspended = {k: merge_suspensions(v) for k, v in suspensions_for_points({r.risk_point_id for r in rows}).items()}
    out = []
    for row in rows:
        s = schedules(row)
        merged = suspended.get(row.risk_point_id)
        recs = recorded.get(row.id, {})
        for w in windows_overlapping(s, a, b, cal):
            st = window_state(w, now, recs.get(w.start), bool(merged) and overlaps_suspension(w, merged))
            if states is not None and st not in states:
                continue
            out.append({"task_id": row.id, "measure_id": row.measure_id, "risk_point_id": row.risk_point_id,
                        "starts_at": to_utc(w.start), "ends_at": to_utc(w.end), "state": st.value})
    out.sort(key=lambda w: (w["starts_at"], w["task_id"]))
    return out


def missed_by_task(user: User, *, enterprise_id=None, region_id=None, from_=None, to=None) -> list:
    """The tasks with missed windows (超期未排查) closing in the period, each ``(task row, missed)``, most
    missed first: counted in closed form per task (``task_counts``, the figures' own definition), so the
    cost grows with the tasks, not with their windows (an hourly task has 2 000 a quarter)."""
    a, b = period(from_, to)
    ids = enterprise_ids(user, enterprise_id=enterprise_id, region_id=region_id)
    out = []
    for row, counts in task_counts(ids, a, b).items():
        missed = CheckFigures(*counts).missed
        if missed:
            out.append((row, missed))
    out.sort(key=lambda rm: (-rm[1], rm[0].enterprise_id, rm[0].risk_point_id, rm[0].id))
    return out


MISSED_CHUNK = 200  # windows walked per round trip for their records


def missed_windows(user: User, task_id, *, from_=None, to=None, after: datetime | None = None,
                   limit: int = 50) -> tuple[list[dict], datetime | None]:
    """One page of a task's missed windows closing in the period, in order, after the window that
    started at ``after`` (CST; keyset: the page costs what it shows, however far it is). Returns the
    windows ``{starts_at, ends_at}`` (UTC) and the cursor of the next page (None: the last page)."""

    task = access.get_visible(CheckTask, task_id, user)
    if not access.can(user, "check.stats"):
        raise Forbidden()
    a, b = period(from_, to)
    now = now_cst()
    top = min(b, now)
    s = schedule_of(task.cycle, task.cycle_unit, task.starts_at, task.workday_type, task.work_start, task.work_end,
                    task.ends_at)
    merged = merge_suspensions(suspensions_for_points([task.risk_point_id]).get(task.risk_point_id, []))
    cal = calendar()
    start = a
    if after is not None:
        w = window_at(s, after, cal)
        start = max(a, w.end if w is not None else after)
    found: list[dict] = []
    it = walk(s, start, top, cal) if top > start else iter(())
    while True:
        chunk = [w for _n, w in zip(range(MISSED_CHUNK), it, strict=False)]
        if not chunk:
            return found, None
        recorded = set(db.session.scalars(select(CheckRecord.window_start).where(
            CheckRecord.task_id == task.id, CheckRecord.window_start >= to_utc(chunk[0].start),
            CheckRecord.window_start <= to_utc(chunk[-1].start))))
        for w in chunk:
            if to_utc(w.start) in recorded or (merged and overlaps_suspension(w, merged)):
                continue
            if len(found) == limit:
                return found, found[-1]["start"]
            found.append({"start": w.start, "starts_at": to_utc(w.start), "ends_at": to_utc(w.end)})


def legacy_checks(user: User, risk_point_id: int) -> list[dict]:
    """The checks recorded before scheduled tasks (``risk_check_records``, kept as history), each with the
    control measure it concerned when one carries its ``legacy_key`` (docs/checks.md "Older checks")."""

    point = access.get_visible(RiskPoint, risk_point_id, user)
    measures = dict(_pairs(select(ControlMeasure.legacy_key, ControlMeasure.id).where(
        ControlMeasure.risk_point_id == point.id, ControlMeasure.legacy_key.is_not(None))))
    rows = db.session.scalars(select(LegacyRecord).where(LegacyRecord.risk_point_id == point.id)
                              .order_by(LegacyRecord.checked_on.desc(), LegacyRecord.id.desc())).all()
    return [{"id": r.id, "measure_id": measures.get(r.item_key), "item_key": r.item_key, "measure": r.measure,
             "level": r.level.value, "result": "normal" if r.result.value == "ok" else "abnormal", "note": r.note,
             "checker_id": r.checked_by_id, "checked_on": r.checked_on, "hazard_id": r.hazard_id}
            for r in rows]


# --- what wants a check now (我的任务, and the to-do list) -------------------------------------------

WANTING_STATES = ("due", "missed")
OVERDUE_HOURS = 24  # a window closed without a check stays on 我的任务 this long (it may be recorded late)


def windows_wanting_check(user: User, **kw) -> list[dict]:
    """The user's windows that want a check now: due (open now, or later today), and overdue — closed
    without a check in the last ``OVERDUE_HOURS`` (it may still be recorded, as late). One definition
    for 我的任务 and the to-do list.

    Kept for the request (``kw`` empty): the page 我的任务 and the to-do count of its navigation ask the
    same question; computed twice it was half the request (bench/bench_my_tasks.py)."""

    cache = request.environ.setdefault("shuangkong.windows_wanting", {}) \
        if has_request_context() and not kw else {}
    if user.id in cache:
        return cache[user.id]
    now = now_cst()
    windows = windows_for(user, assignee="me", state=list(WANTING_STATES),
                          from_=now - timedelta(hours=OVERDUE_HOURS), to=now.date().isoformat(), **kw)
    since = utcnow() - timedelta(hours=OVERDUE_HOURS)
    found = cache[user.id] = [w for w in windows if w["state"] == "due" or w["ends_at"] > since]
    return found
