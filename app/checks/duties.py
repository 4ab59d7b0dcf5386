"""包保责任制 duties of major hazard sources (issue 13 item 5; docs/duties.md).

Every 重大危险源 has a principal (主要负责人), a technical (技术负责人) and an operating (操作负责人) person
(《危险化学品企业重大危险源安全包保责任制办法（试行）》, 2021, 第三条). Their duty lists are **templates**
configured by the admin: an item has its number on the national 包保 task list (``taskNum``), what to
check, and a default cycle; or it is due **before every holiday** of the working-day calendar. Only what
could be cited is seeded (by the migration): the technical person's targeted check at least once a
quarter, and before holidays (第五条第五项).

Generating a source's duties makes ordinary check tasks (``app.checks.service.create_task``) of the
person's task type on the source's control measures that are checked by people; ``DutyTask`` remembers
which item made which task, so generating again only adds what is missing (a new measure, a new item,
the next holidays). The 履职 view (``performance``) is the source's figures per 包保 person.
"""

from __future__ import annotations

import enum
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import Date, ForeignKey, Integer, String, Text, and_, func, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import access, labels
from app.auth.models import Role, User
from app.checks import queries, service
from app.checks.models import CheckRecord, CheckTask
from app.clock import utcnow
from app.errors import Invalid, NotFound
from app.extensions import db
from app.hazards.models import Hazard
from app.risks.models import ControlMeasure, RiskObject, RiskObjectStatus, RiskPoint, RiskPointStatus
from workflows.check_figures import CheckFigures
from workflows.check_tasks import MAX_CYCLE, CycleUnit, from_utc, to_utc
from workflows.check_windows import window_at, windows
from workflows.labels import N_, labelled


class DutyRole(enum.StrEnum):
    """The 包保 person; the value is the check task's ``task_type`` (national ``workType`` 1, 2, 3)."""

    principal = "principal"
    technical = "technical"
    operator = "operator"


labelled(DutyRole, {DutyRole.principal: N_("Principal responsible person"),
                    DutyRole.technical: N_("Technical responsible person"),
                    DutyRole.operator: N_("Operating responsible person")})

# Items per list on the national 《…包保责任人隐患排查任务清单》 (national-model.md §2: 1–9, 1–9, 1–10).
MAX_NUMBER = {DutyRole.principal: 9, DutyRole.technical: 9, DutyRole.operator: 10}
MAX_LEAD_DAYS = 30


class DutyTemplate(db.Model):
    """The duty list of one 包保 role (three rows, made by the migration)."""

    __tablename__ = "duty_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(16), unique=True)
    citation: Mapped[str] = mapped_column(Text, default="")

    items: Mapped[list[DutyTemplateItem]] = relationship(
        back_populates="template", order_by="(DutyTemplateItem.position, DutyTemplateItem.id)")

    @property
    def duty_role(self) -> DutyRole:
        return DutyRole(self.role)


class DutyTemplateItem(db.Model):
    """One duty: what the person checks and how often (a cycle, or before each holiday)."""

    __tablename__ = "duty_template_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("duty_templates.id"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)  # national taskNum, when known
    content: Mapped[str] = mapped_column(Text)
    cycle: Mapped[int | None] = mapped_column(Integer)
    cycle_unit: Mapped[str | None] = mapped_column(String(8))
    # Due before each holiday of the calendar: one window of ``lead_days`` days ending when it starts.
    before_holidays: Mapped[bool] = mapped_column(default=False)
    lead_days: Mapped[int] = mapped_column(Integer, default=7)
    citation: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    template: Mapped[DutyTemplate] = relationship(back_populates="items")

    @property
    def role(self) -> DutyRole:
        return self.template.duty_role


MEASURES = "《危险化学品企业重大危险源安全包保责任制办法（试行）》（应急管理部，2021年2月）"
# What a fresh install starts with (the migration inserts the same rows; ``seed_defaults`` for a
# database made without migrations). Only cited items: docs/duties.md says where each was read.
SEED_TEMPLATES = {
    DutyRole.principal: MEASURES + "第四条",
    DutyRole.technical: MEASURES + "第五条",
    DutyRole.operator: MEASURES + "第六条",
}
SEED_ITEMS = [
    {"role": DutyRole.technical, "position": 1, "number": None,
     "content": "每季度至少组织对重大危险源进行一次针对性安全风险隐患排查，制定管控措施和治理方案并监督落实",
     "cycle": 3, "cycle_unit": "month", "before_holidays": False, "lead_days": 7,
     "citation": MEASURES + "第五条第（五）项"},
    {"role": DutyRole.technical, "position": 2, "number": None,
     "content": "重大活动、重点时段和节假日前进行重大危险源安全风险隐患排查",
     "cycle": None, "cycle_unit": None, "before_holidays": True, "lead_days": 7,
     "citation": MEASURES + "第五条第（五）项"},
]


def seed_defaults() -> None:
    """The three lists and the cited items, where missing (what the migration inserts)."""
    have = {t.role for t in db.session.scalars(select(DutyTemplate))}
    made = {}
    for role, citation in SEED_TEMPLATES.items():
        if role.value not in have:
            made[role] = DutyTemplate(role=role.value, citation=citation)
            db.session.add(made[role])
    for item in SEED_ITEMS:
        if item["role"] in made:
            data = {k: v for k, v in item.items() if k != "role"}
            db.session.add(DutyTemplateItem(template=made[item["role"]], **data))
    db.session.flush()


class DutyTask(db.Model):
    """Which template item made which check task (of which measure; for before-holiday items, for which
    holiday): generating a source's duties again adds only what is missing."""

    __tablename__ = "duty_tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("duty_template_items.id"), index=True)
    object_id: Mapped[int] = mapped_column(ForeignKey("risk_objects.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("control_measures.id"), index=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("check_tasks.id"), unique=True)
    occasion: Mapped[date | None] = mapped_column(Date)  # the holiday's first day off (before-holiday items)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- rules ----------------------------------------------------------------------------------------

rules = access.Rules()


@rules("duty.configure")
def _configure(user, _obj) -> bool:
    """The duty templates are the same for every enterprise: kept by the admin."""
    return user.role == Role.admin


# --- templates ------------------------------------------------------------------------------------

def templates() -> list[DutyTemplate]:
    """The three lists in the order principal, technical, operator."""
    rows = {t.role: t for t in db.session.scalars(select(DutyTemplate))}
    return [rows[r.value] for r in DutyRole if r.value in rows]


def _clean_item(fields: dict, role: DutyRole) -> dict:
    errors: dict[str, str] = {}
    out: dict = {}
    content = (fields.get("content") or "").strip()
    if not content:
        errors["content"] = _("Say what the person checks.")
    out["content"] = content
    number = fields.get("number")
    if number in (None, ""):
        # The national model requires taskNum on every 包保 task (national-model.md §2) and the list's item
        # texts could not be verified, so nothing is seeded: the admin gives each item its number.
        errors["number"] = _("Give the item's number on the national 包保 task list (1 to %(n)s): every 包保 "
                             "task carries it.", n=MAX_NUMBER[role])
        out["number"] = None
    else:
        try:
            number = int(number)
        except (TypeError, ValueError):
            number = 0
        if not 1 <= number <= MAX_NUMBER[role]:
            errors["number"] = _("The national list numbers this person's items 1 to %(n)s.", n=MAX_NUMBER[role])
        out["number"] = number
    before = bool(fields.get("before_holidays"))
    out["before_holidays"] = before
    cycle, unit = fields.get("cycle"), fields.get("cycle_unit") or None
    if cycle in (None, "") and unit is None:
        out["cycle"] = out["cycle_unit"] = None
        if not before:
            errors["cycle"] = _("Give a cycle, or make the duty due before holidays.")
    else:
        try:
            unit = CycleUnit(unit)
        except ValueError:
            errors["cycle_unit"] = _("Choose hour, day, week, month or year.")
            unit = None
        if unit == CycleUnit.hour:
            errors["cycle_unit"] = _("A duty's cycle is a day or longer.")
        try:
            cycle = int(cycle)
        except (TypeError, ValueError):
            errors["cycle"] = _("The cycle is a whole number of at least 1.")
        else:
            if cycle < 1:
                errors["cycle"] = _("The cycle is a whole number of at least 1.")
            elif unit is not None and cycle > MAX_CYCLE[unit]:
                errors["cycle"] = _("This cycle is too long.")
        out["cycle"], out["cycle_unit"] = cycle, unit.value if unit else None
    lead = fields.get("lead_days")
    if lead in (None, ""):
        lead = 7
    try:
        lead = int(lead)
    except (TypeError, ValueError):
        lead = 0
    if not 1 <= lead <= MAX_LEAD_DAYS:
        errors["lead_days"] = _("Between 1 and %(n)s days.", n=MAX_LEAD_DAYS)
    out["lead_days"] = lead
    out["citation"] = (fields.get("citation") or "").strip()
    if errors:
        raise Invalid(fields=errors)
    return out


def add_item(actor, template_id: int, **fields) -> DutyTemplateItem:
    access.require(actor, "duty.configure")
    template = db.session.get(DutyTemplate, template_id)
    if template is None:
        raise NotFound()
    data = _clean_item(fields, template.duty_role)
    position = max((i.position for i in template.items), default=0) + 1
    item = DutyTemplateItem(template=template, position=position, **data)
    db.session.add(item)
    db.session.flush()
    return item


def update_item(actor, item_id: int, **fields) -> DutyTemplateItem:
    """Change an item; tasks generated before keep their cycle (change those on the task list)."""
    access.require(actor, "duty.configure")
    item = db.session.get(DutyTemplateItem, item_id)
    if item is None:
        raise NotFound()
    active = fields.pop("active", None)
    data = _clean_item(fields, item.role)
    for key, value in data.items():
        setattr(item, key, value)
    if active is not None:
        item.active = bool(active)
    db.session.flush()
    return item


def set_item_active(actor, item_id: int, active: bool) -> DutyTemplateItem:
    access.require(actor, "duty.configure")
    item = db.session.get(DutyTemplateItem, item_id)
    if item is None:
        raise NotFound()
    item.active = bool(active)
    db.session.flush()
    return item


# --- occasions ------------------------------------------------------------------------------------

def holiday_occasions(calendar, first: date, last: date) -> list[tuple[date, str]]:
    """The first day off of each holiday starting in ``[first, last]`` and its name (before-holiday duties)."""
    return [(h.first, h.name) for h in calendar.holidays_between(first, last + timedelta(days=1))]


def occasion_window(start: date, lead_days: int) -> tuple[datetime, datetime]:
    """The local window of a before-holiday duty: ``lead_days`` days ending at the holiday's first day."""
    begin = datetime.combine(start - timedelta(days=lead_days), time())
    return begin, datetime.combine(start, time())


# --- generation ---------------------------------------------------------------------------------------

def _anchor(today: date, cycle: int, unit: str) -> date:
    """Where a cyclic duty's windows start: the calendar period containing today (a quarterly duty follows
    the calendar quarters: 1 January, 1 April...; a weekly one starts on Monday; a yearly one on 1 January)."""
    if unit == "month":
        month = ((today.month - 1) // cycle) * cycle + 1 if cycle <= 12 else 1
        return date(today.year, month, 1)
    if unit == "year":
        return date(today.year, 1, 1)
    if unit == "week":
        return today - timedelta(days=today.weekday())
    return today


def _major_source(actor, object_id):
    obj = access.get_visible(RiskObject, object_id, actor)
    if not access.can(actor, "check.manage", obj.enterprise_id):
        from app.errors import Forbidden

        raise Forbidden()
    return obj


def generate(actor, object_id) -> list:
    """The check tasks of the source's three 包保 persons from the active template items, on the source's
    active measures checked by people: a cyclic item once per measure, a before-holiday item once per
    measure and holiday from today to the end of the calendar's known years. Only what is missing is added
    (``DutyTask``); the person of each task is the source's person of that role now."""

    obj = _major_source(actor, object_id)
    errors: dict = {}
    if obj.major_hazard_level is None:
        errors["object_id"] = _("Only a major hazard source has 包保 duties.")
    for role in DutyRole:
        if getattr(obj, f"{role.value}_user_id") is None:
            errors[f"{role.value}_user_id"] = _("The source has no %(role)s yet.", role=labels.label(role))
    measures = db.session.scalars(select(ControlMeasure).join(RiskPoint, RiskPoint.id == ControlMeasure.risk_point_id)
                                  .where(RiskPoint.object_id == obj.id, RiskPoint.status == RiskPointStatus.active,
                                         ControlMeasure.active.is_(True), ControlMeasure.data_source == "manual")
                                  .order_by(ControlMeasure.risk_point_id, ControlMeasure.id)).all()
    if not errors and not measures:
        errors["object_id"] = _("The source has no control measure checked by people to attach duties to.")
    unnumbered = [i for t in templates() for i in t.items if i.active and i.number is None]
    if unnumbered:  # a 包保 task carries its item number (national taskNum): the admin gives it first
        errors["number"] = _("Give these duties their item number on the national 包保 task list first (duty "
                             "lists page): %(items)s", items="；".join(i.content[:30] for i in unnumbered))
    if errors:
        raise Invalid(fields=errors)
    have = {(d.item_id, d.measure_id, d.occasion) for d in db.session.scalars(
        select(DutyTask).where(DutyTask.object_id == obj.id))}
    now = service.now_cst()
    today = now.date()
    cal = service.calendar()
    last_year = max([y for y in cal.years if y >= today.year], default=today.year)
    occasions = holiday_occasions(cal, today, date(last_year, 12, 31))
    made = []
    for template in templates():
        role = template.duty_role
        person = getattr(obj, f"{role.value}_user_id")
        for item in template.items:
            if not item.active:
                continue
            common = {"task_type": role.value, "task_number": item.number, "assignee_user_id": person,
                      "workday_type": "every_day"}
            for m in measures:
                if item.cycle and (item.id, m.id, None) not in have:
                    start = _anchor(today, item.cycle, item.cycle_unit)
                    task = service.create_task(actor, m.id, cycle=item.cycle, cycle_unit=item.cycle_unit,
                                               starts_at=f"{start.isoformat()}T00:00:00+08:00", **common)
                    db.session.add(DutyTask(item_id=item.id, object_id=obj.id, measure_id=m.id, task_id=task.id))
                    made.append(task)
                if not item.before_holidays:
                    continue
                for first_day, _name in occasions:
                    if (item.id, m.id, first_day) in have:
                        continue
                    begin, end = occasion_window(first_day, item.lead_days)
                    if end <= now:
                        continue
                    task = service.create_task(actor, m.id, cycle=item.lead_days, cycle_unit="day",
                                               starts_at=begin.isoformat() + "+08:00", **common)
                    # One window only: the task ends with it (create_task defines open-ended tasks).
                    task.ends_at = to_utc(end)
                    db.session.add(DutyTask(item_id=item.id, object_id=obj.id, measure_id=m.id, task_id=task.id,
                                            occasion=first_day))
                    made.append(task)
    db.session.flush()
    return made


# --- a 包保 person replaced ------------------------------------------------------------------------------

def _split_point(task, now: datetime, calendar) -> datetime | None:
    """Where the new person takes over a task (CST): the start of the window open now (the former person's
    if he already recorded it: then the next one), else the next window's start; None if none is left."""

    schedule = task.schedule
    w = window_at(schedule, now, calendar)
    if w is not None:
        recorded = db.session.scalar(select(CheckRecord.id).where(
            CheckRecord.task_id == task.id, CheckRecord.window_start == to_utc(w.start)))
        if recorded is None:
            return w.start
        now = w.end  # the window done stays his; the new person from the next
    following = next(windows(schedule, now, now + timedelta(days=3700), calendar), None)
    if following is None:
        return None
    return max(following.start, from_utc(task.starts_at))


def move_duties(obj, changes: dict, actor=None) -> int:
    """Receiver of ``signals.duty_persons_changed``: the active 包保 tasks of a replaced person on the
    source's units go to the new person from the moment of the change. The task ends at the window the
    new person takes over (its past windows, records and misses stay the former person's, as in the 履职
    view) and a copy of it (same cycle, same grid, same item) starts there for the new person; a task
    whose first window has not begun yet simply changes hands. Returns how many tasks moved."""

    now = service.now_cst()
    cal = service.calendar()
    moved = 0
    for role, (old, new) in changes.items():
        if role not in DutyRole.__members__ or old is None or new is None:
            continue
        tasks = db.session.scalars(select(CheckTask).join(RiskPoint, RiskPoint.id == CheckTask.risk_point_id).where(
            RiskPoint.object_id == obj.id, CheckTask.active.is_(True), CheckTask.task_type == role,
            CheckTask.assignee_user_id == old).order_by(CheckTask.id)).all()
        for task in tasks:
            at = _split_point(task, now, cal)
            if at is None:
                continue
            moved += 1
            if to_utc(at) <= task.starts_at:
                task.assignee_user_id = new
                continue
            copy = CheckTask(**{c: getattr(task, c) for c in (
                "enterprise_id", "measure_id", "risk_point_id", "cycle", "cycle_unit", "ends_at", "workday_type",
                "work_start", "work_end", "task_type", "task_number", "control_level")},
                starts_at=to_utc(at), assignee_user_id=new, active=True,
                created_by_id=getattr(actor, "id", None))
            task.active, task.ends_at = False, to_utc(at)
            db.session.add(copy)
            db.session.flush()
            link = db.session.scalar(select(DutyTask).where(DutyTask.task_id == task.id))
            if link is not None:
                db.session.add(DutyTask(item_id=link.item_id, object_id=link.object_id, measure_id=link.measure_id,
                                        task_id=copy.id, occasion=link.occasion))
    db.session.flush()
    return moved


# --- the 履职 view --------------------------------------------------------------------------------------

def sources(user, *, enterprise_id=None, region_id=None) -> list:
    """The major hazard sources the user may see (an enterprise's, or a region's for an authority)."""

    ids = queries.enterprise_ids(user, enterprise_id=enterprise_id, region_id=region_id)
    if not ids:
        return []
    return list(db.session.scalars(select(RiskObject).where(
        access.among(RiskObject.enterprise_id, ids), RiskObject.major_hazard_level.is_not(None),
        RiskObject.status == RiskObjectStatus.active).order_by(RiskObject.enterprise_id, RiskObject.name)))


def performance(user, objects: list, from_, to) -> dict:
    """Per source, per 包保 role: the person now in the role and the figures of that role's duty tasks
    (planned, done, late, missed, suspended, completion rate) for the period, by
    ``queries.task_counts`` (the one definition of the figures). A task assigned to someone who has
    left the role is counted under its own person, on a row of its own."""

    if not access.can(user, "check.stats"):
        from app.errors import Forbidden

        raise Forbidden()
    a, b = queries.period(from_, to)
    out: dict = {o.id: {} for o in objects}
    if not objects:
        return out
    point_object = dict(db.session.execute(select(RiskPoint.id, RiskPoint.object_id).where(
        RiskPoint.object_id.in_([o.id for o in objects]))).all())
    enterprise_ids = sorted({o.enterprise_id for o in objects})
    counts = queries.task_counts(enterprise_ids, a, b, extra=and_(
        CheckTask.task_type != "routine", CheckTask.risk_point_id.in_(list(point_object) or [-1])))
    summed: dict = {}
    for row, c in counts.items():
        key = (point_object[row.risk_point_id], str(getattr(row.task_type, "value", row.task_type)),
               row.assignee_user_id)
        summed[key] = [x + y for x, y in zip(summed.get(key, [0] * 5), c, strict=True)]

    reported: dict = {}
    for pid, uid, n in db.session.execute(
            select(Hazard.risk_point_id, Hazard.reported_by_id, func.count()).where(
                access.among(Hazard.enterprise_id, enterprise_ids), Hazard.risk_point_id.in_(list(point_object) or [-1]),
                Hazard.reported_by_duty.is_(True), Hazard.created_at >= to_utc(a), Hazard.created_at < to_utc(b))
            .group_by(Hazard.risk_point_id, Hazard.reported_by_id)):
        key = (point_object[pid], uid)
        reported[key] = reported.get(key, 0) + n
    names = dict(db.session.execute(select(User.id, User.display_name).where(
        User.id.in_({k[2] for k in summed} | {getattr(o, f"{r.value}_user_id") for o in objects for r in DutyRole}
                    - {None}))).all())
    for o in objects:
        rows = []
        for role in DutyRole:
            current = getattr(o, f"{role.value}_user_id")
            people = [current] + sorted({k[2] for k in summed if k[0] == o.id and k[1] == role.value} - {current},
                                        key=lambda x: (x is None, x or 0))
            for person in people:
                fig = CheckFigures(*summed.get((o.id, role.value, person), [0] * 5))
                if person != current and fig.planned == 0 and fig.due == 0:
                    continue
                rows.append({"role": role, "user_id": person, "name": names.get(person, ""),
                             "current": person == current, "hazards": reported.get((o.id, person), 0),
                             **fig.as_dict()})
        out[o.id] = rows
    return out
