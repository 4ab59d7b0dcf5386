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
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import access, labels
from app.auth.models import Role
from app.clock import utcnow
from app.errors import Invalid, NotFound
from app.extensions import db
from workflows.check_tasks import MAX_CYCLE, CycleUnit


class DutyRole(enum.StrEnum):
    """The 包保 person; the value is the check task's ``task_type`` (national ``workType`` 1, 2, 3)."""

    principal = "principal"
    technical = "technical"
    operator = "operator"


labels.register(DutyRole, {DutyRole.principal: _l("Principal responsible person"),
                           DutyRole.technical: _l("Technical responsible person"),
                           DutyRole.operator: _l("Operating responsible person")})

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


# --- rules ----------------------------------------------------------------------------------------

@access.rule("duty.configure")
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
