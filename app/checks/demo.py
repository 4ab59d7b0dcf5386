"""Demo checks (issue 13 item 10): the chemical plant's chlorine tank farm (液氯储罐区), a major hazard source,
checked on schedule — tasks of several cycles on its measures, the three 包保 persons' duties, and weeks of
history with a few missed and late checks and one abnormal check that became a hazard.

Everything goes through the real use cases: the admin numbers and completes the duty lists, the safety
manager defines the routine tasks and generates the source's duties, and each check is recorded by its
person at its moment (the story's ``clock.moved_to``), so windows, states, figures, reminders and the
hazard agree as they would have. Which windows are missed or late follows a fixed pattern (no randomness):
the figures are the same on every load.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from app import clock
from app.auth.models import User
from app.checks import duties, service
from app.cli import DEMO_START_DAYS
from app.extensions import db
from app.risks import events
from workflows.check_windows import windows

# The routine tasks of the tank's measures (by the measure's text; see app/risks/demo.py): cycle, unit,
# working-day type, hours, who (a demo user key, or "dept:<name>").
ROUTINE = {
    "每2小时巡检一次并记录": (2, "hour", "every_day", ("08:00", "16:00"), "jiangfeng_operator"),
    "设氯气泄漏检测报警仪并与事故氯吸收装置联锁": (1, "day", "workdays", None, "jiangfeng_operator"),
    "储罐设安全阀并定期校验": (1, "week", "every_day", None, "dept:生产部"),
    "储罐及附件按期检验，测厚": (1, "month", "every_day", None, "jiangfeng_tech"),
}
HISTORY_DAYS = 28  # the routine tasks start four weeks ago
# The one abnormal check: the 10:00 round of the tank's inspection, ten days ago.
ABNORMAL = ("每2小时巡检一次并记录", 10, "10:00",
            "液氯储罐出口法兰处有轻微氯气味，氨水试纸检测有白烟，判断法兰垫片微量泄漏")

# The demo's duty lists beside the seeded (cited) technical ones. Their item numbers and the principal's and
# operator's cycles are the demo admin's configuration, for illustration: the national 包保 task list's item
# texts and numbering were not verified (docs/duties.md).
DEMO_ITEMS = [
    ("principal", 1, "督促、检查重大危险源安全生产工作", 1, "month",
     "《危险化学品企业重大危险源安全包保责任制办法（试行）》第四条第（五）项；周期为演示配置"),
    ("operator", 1, "检查重大危险源岗位操作规程执行、巡检记录和现场安全状况", 1, "week", "演示配置"),
]


def _outcome(task_index: int, window_index: int) -> str:
    """done, late or missed, by a fixed pattern: about one window in 19 missed, one in 23 late."""
    k = task_index * 7 + window_index
    if k % 19 == 11:
        return "missed"
    if k % 23 == 5:
        return "late"
    return "done"


def _moment(window, outcome: str) -> datetime:
    """When the check of ``window`` (CST) is made: early in it, or (late) after it closed."""
    length = window.end - window.start
    if outcome == "late":
        return window.end + (timedelta(minutes=35) if length <= timedelta(hours=12) else timedelta(hours=9))
    if length <= timedelta(hours=12):
        return window.start + timedelta(minutes=20)
    day = (window.start + min(length / 2, timedelta(days=1))).date()
    return datetime(day.year, day.month, day.day, 10, 0)


def _assignee(task, users):
    if task.assignee_user_id is not None:
        return db.session.get(User, task.assignee_user_id)
    dept_path = task.assignee_department.path
    for user in users.values():
        if user.enterprise_id == task.enterprise_id and user.department is not None \
                and user.department.path.startswith(dept_path):
            return user
    return None


def seed(ctx: dict) -> None:
    """Set up on the story's first day (75 days ago); the checks themselves are dated story actions."""

    users = ctx.get("users") or {}
    objects = ctx.get("risk_objects") or {}
    source = objects.get("液氯储罐区")
    story = ctx.get("story")
    manager, admin = users.get("jiangfeng_manager"), users.get("admin")
    if source is None or story is None or manager is None or admin is None:
        return
    # The duty lists: the seeded technical duties numbered, the principal's and operator's added.
    duties.seed_defaults()
    lists = {t.role: t for t in duties.templates()}
    for n, item in enumerate(lists["technical"].items, start=1):
        if item.number is None:
            duties.update_item(admin, item.id, number=n, content=item.content, cycle=item.cycle,
                               cycle_unit=item.cycle_unit, before_holidays=item.before_holidays,
                               lead_days=item.lead_days, citation=item.citation)
    for role, number, content, cycle, unit, citation in DEMO_ITEMS:
        if not any(i.content == content for i in lists[role].items):
            duties.add_item(admin, lists[role].id, number=number, content=content, cycle=cycle, cycle_unit=unit,
                            citation=citation)
    duty_tasks = duties.generate(manager, source.id)
    # The tank's routine tasks, from four weeks ago.
    tank = ctx.get("risk_points", {}).get(("jiangfeng", "液氯储罐区"))
    routine = []
    if tank is not None:
        first_day = (clock.to_local(clock.utcnow()) + timedelta(days=DEMO_START_DAYS - HISTORY_DAYS)).date()
        depts = {d.name: d for d in tank.enterprise.departments}
        for measure in events.measures_of(tank):
            spec = ROUTINE.get(measure.description)
            if spec is None:
                continue
            cycle, unit, workday_type, hours, who = spec
            fields = {"cycle": cycle, "cycle_unit": unit, "workday_type": workday_type,
                      "starts_at": f"{first_day.isoformat()}T00:00:00+08:00"}
            if hours:
                fields["work_start"], fields["work_end"] = hours
            if who.startswith("dept:"):
                fields["assignee_department_id"] = depts[who[5:]].id
            else:
                fields["assignee_user_id"] = users[who].id
            routine.append((measure.description, service.create_task(manager, measure.id, **fields)))
    db.session.flush()
    # The history: each window of each task, checked by its person, missed or late by the pattern.
    today = clock.today() + timedelta(days=DEMO_START_DAYS)  # set-up runs on the story's first day
    midnight = datetime(today.year, today.month, today.day)
    story_start = midnight - timedelta(days=DEMO_START_DAYS - 1)
    cal = service.calendar()
    tasks = [("", t) for t in duty_tasks] + routine
    for index, (description, task) in enumerate(tasks):
        person = _assignee(task, users)
        if person is None:
            continue
        for w_index, window in enumerate(windows(task.schedule, story_start, midnight + timedelta(days=400), cal)):
            if window.start >= midnight:
                break
            abnormal = (description == ABNORMAL[0] and window.start == midnight - timedelta(days=ABNORMAL[1])
                        + timedelta(hours=int(ABNORMAL[2][:2])))
            outcome = "done" if abnormal else _outcome(index, w_index)
            if outcome == "missed":
                continue
            moment = max(_moment(window, outcome), story_start + timedelta(days=1, hours=10))
            if outcome == "done" and moment >= window.end:
                continue  # a window that closed before the story began
            days_ago = (today - moment.date()).days
            if not 1 <= days_ago < DEMO_START_DAYS or moment < window.start:
                continue
            story.at(days_ago, moment.strftime("%H:%M"),
                     _check(person, task.id, window.start, abnormal, via_qr=task.cycle_unit.value == "hour"))


def _check(person, task_id: int, window_start: datetime, abnormal: bool, *, via_qr: bool):
    def run():
        record = service.record_check(
            person, task_id, window_start=window_start.isoformat() + "+08:00",
            result="abnormal" if abnormal else "normal", note=ABNORMAL[3] if abnormal else "",
            device_id=f"demo-{person.username}", via_qr=via_qr)
        db.session.flush()
        return record

    return run

