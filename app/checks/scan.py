"""The ``checks.missed`` scan step: remind the assignee and the enterprise's managers of each window that
closed without a record (超期未排查), once per window.

Windows are not stored (docs/checks.md), so there is nothing to mark: a window is missed by definition once
it closed without a record. The step remembers until when it looked (``check_scan_state``) and looks at
the windows that closed since — each window closes once, in exactly one such interval
(``workflows.check_windows.windows``). Tasks are read in bounded batches by id (plain rows, no ORM
objects), reminders go in one statement per batch, keyed per window (``check_missed:<task>:<start>``),
so a rerun, or a run after a crash in the middle, reminds nobody twice. Memory is bounded by the batch.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.models import Role, User
from app.checks.models import CheckRecord, CheckScanState, CheckTask, schedule_of
from app.checks.service import calendar, now_cst, suspensions_for_points
from app.cli import SCAN_BATCH, end_batch, scan_step
from app.extensions import db
from app.notifications import service as notify
from workflows.check_tasks import format_clock, from_utc, to_utc
from workflows.check_windows import merge_suspensions, overlaps_suspension, windows

# On the first run, how far back to look (a new install is not flooded with the past's missed windows).
FIRST_LOOKBACK = timedelta(days=1)
_COLUMNS = (CheckTask.id, CheckTask.enterprise_id, CheckTask.risk_point_id, CheckTask.cycle,
            CheckTask.cycle_unit, CheckTask.starts_at, CheckTask.workday_type, CheckTask.work_start,
            CheckTask.work_end, CheckTask.ends_at, CheckTask.assignee_user_id, CheckTask.assignee_department_id)


def _state() -> CheckScanState:
    row = db.session.scalar(select(CheckScanState).order_by(CheckScanState.id).limit(1))
    if row is None:
        row = CheckScanState(id=1, scanned_until=to_utc(now_cst() - FIRST_LOOKBACK))
        db.session.add(row)
        db.session.flush()
    return row


def _recipients(rows, enterprise_ids) -> tuple[dict, dict]:
    managers: dict[int, list[int]] = defaultdict(list)
    for uid, eid in db.session.execute(select(User.id, User.enterprise_id).where(
            User.enterprise_id.in_(enterprise_ids), User.role == Role.enterprise_manager, User.active.is_(True))):
        managers[eid].append(uid)
    depts = {r.assignee_department_id for r in rows if r.assignee_department_id is not None}
    members: dict[int, list[int]] = defaultdict(list)
    if depts:
        for uid, did in db.session.execute(select(User.id, User.department_id).where(
                User.department_id.in_(depts), User.active.is_(True))):
            members[did].append(uid)
    return managers, members


@scan_step("checks.missed")
def scan_missed(batch: int | None = None) -> dict:
    """Idempotent: each missed window is reminded once (per person); a second run finds nothing new."""
    batch = batch or SCAN_BATCH
    state = _state()
    since, now = from_utc(state.scanned_until), now_cst()
    if now <= since:
        return {"missed": 0, "reminders": 0}
    cal = calendar()
    schedules: dict = {}
    missed = reminders = 0
    after = 0
    since_utc, now_utc = to_utc(since), to_utc(now)
    while True:
        rows = db.session.execute(select(*_COLUMNS).where(
            CheckTask.id > after, CheckTask.starts_at < now_utc,
            (CheckTask.ends_at.is_(None)) | (CheckTask.ends_at > since_utc - timedelta(days=3700)))
            .order_by(CheckTask.id).limit(batch)).all()
        if not rows:
            break
        after = rows[-1].id
        closed = []
        for r in rows:
            key = (r.cycle, r.cycle_unit, r.starts_at, r.workday_type, r.work_start, r.work_end, r.ends_at)
            s = schedules.get(key)
            if s is None:
                if len(schedules) > 50_000:
                    schedules.clear()  # bounded memory
                s = schedules[key] = schedule_of(*key)
            closed += [(r, w) for w in windows(s, since, now, cal)]
        if closed:
            ids = [r.id for r in rows]
            recorded = set(db.session.execute(select(CheckRecord.task_id, CheckRecord.window_start).where(
                CheckRecord.task_id.in_(ids), CheckRecord.window_end > since_utc,
                CheckRecord.window_end <= now_utc)))
            periods = {k: merge_suspensions(v) for k, v in
                       suspensions_for_points({r.risk_point_id for r, _w in closed}).items()}
            late = [(r, w) for r, w in closed if (r.id, to_utc(w.start)) not in recorded
                    and not (periods.get(r.risk_point_id) and overlaps_suspension(w, periods[r.risk_point_id]))]
            if late:
                managers, members = _recipients([r for r, _w in late], {r.enterprise_id for r, _w in late})
                notes = []
                for r, w in late:
                    text = _("A check was missed: task %(task)s, %(start)s–%(end)s (超期未排查).", task=r.id,
                             start=w.start.strftime("%Y-%m-%d %H:%M"), end=format_clock(
                                 (w.end - w.end.replace(hour=0, minute=0, second=0, microsecond=0)).seconds)
                             if w.end.date() == w.start.date() else w.end.strftime("%Y-%m-%d %H:%M"))
                    people = set(managers.get(r.enterprise_id, ()))
                    if r.assignee_user_id is not None:
                        people.add(r.assignee_user_id)
                    else:
                        people.update(members.get(r.assignee_department_id, ()))
                    dedupe = f"check_missed:{r.id}:{w.start.strftime('%Y%m%d%H%M')}"
                    notes += [{"user_id": uid, "kind": "check_missed", "text": text, "dedupe_key": dedupe}
                              for uid in sorted(people)]
                missed += len(late)
                reminders += len(notify.notify_many(notes))
        end_batch()
        if len(rows) < batch:
            break
    state = _state()
    state.scanned_until = now_utc
    db.session.flush()
    return {"missed": missed, "reminders": reminders}
