"""Inspection checklist seed (§7): items derived from control measures, by control level and frequency.

A risk controlled at a level is checked by that level and every level below it (上级管控的下级必须管控);
each level checks at its own frequency. A failed item becomes a reported hazard in one step.
"""

from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import access
from app.auth.models import Role, User
from app.clock import today
from app.errors import Invalid
from app.extensions import db
from app.organisations.models import Department
from app.risks import service
from app.risks.hazard_link import report_hazard
from app.risks.models import CheckRecord, CheckResult, RiskPoint, RiskPointStatus
from workflows.grading import CONTROL_ORDER, ControlLevel, Frequency
from workflows.risk_codes import CONTROL_CATEGORY_NAMES, ControlCategory


def user_level(user: User) -> ControlLevel:
    """A user's control level: the safety manager and the principal act for the company; staff at the
    level of their department (a member of staff without one is at post level)."""
    if user.role in (Role.enterprise_manager, Role.enterprise_principal):
        return ControlLevel.company
    if user.department is not None:
        return ControlLevel(user.department.level.value)
    return ControlLevel.post


def _related(dept: Department | None, responsible: Department | None) -> bool:
    """Same branch of the organisation: one department is inside the other (or no department given)."""
    if dept is None or responsible is None:
        return True
    return dept.path.startswith(responsible.path) or responsible.path.startswith(dept.path)


def items_for_point(point: RiskPoint) -> list[dict]:
    """The unit's active measures in the five-category view, keyed ``"<category>:<n>"`` as the check records
    always were (the key a migrated measure keeps as ``legacy_key``), with the measure's id."""
    from app.risks import events

    by_category: dict[ControlCategory, list] = {}
    for measure in events.measures_of(point):
        by_category.setdefault(events.category_of(measure), []).append(measure)
    items = []
    for category in ControlCategory:
        for n, measure in enumerate(by_category.get(category, [])):
            items.append({"key": f"{category.value}:{n}", "category": category.value,
                          "category_name": CONTROL_CATEGORY_NAMES[category], "measure": measure.description,
                          "measure_id": measure.id})
    return items


def checklist_for(user: User) -> dict:
    """What ``user`` must check: points whose control level is at or above his level, in his branch.
    Forbidden to a user who records no checks (only enterprise users do)."""
    access.require(user, "risk.check")
    level = user_level(user)
    frequency = Frequency(service.check_frequencies()[level])
    senior = [lv for lv in CONTROL_ORDER if lv.rank <= level.rank]
    points = db.session.scalars(select(RiskPoint).where(
        RiskPoint.enterprise_id == user.enterprise_id, RiskPoint.status == RiskPointStatus.active,
        RiskPoint.control_level.in_(senior)).order_by(RiskPoint.control_level, RiskPoint.name)).all()
    if level != ControlLevel.company:  # the company level checks every branch
        points = [p for p in points if _related(user.department, p.responsible_department)]
    since = today() - timedelta(days=frequency.days - 1)
    done = {(pid, key): (result, day) for pid, key, result, day in db.session.execute(
        select(CheckRecord.risk_point_id, CheckRecord.item_key, CheckRecord.result, func.max(CheckRecord.checked_on))
        .where(CheckRecord.checked_by_id == user.id, CheckRecord.checked_on >= since,
               CheckRecord.risk_point_id.in_([p.id for p in points]) if points else False)
        .group_by(CheckRecord.risk_point_id, CheckRecord.item_key, CheckRecord.result))}
    groups = []
    for p in points:
        rows = []
        for item in items_for_point(p):
            last = done.get((p.id, item["key"]))
            rows.append(item | {"done": last is not None, "result": last[0].value if last else None})
        if rows:
            groups.append({"point": p, "items": rows})
    return {"level": level, "frequency": frequency, "groups": groups,
            "due": sum(1 for g in groups for i in g["items"] if not i["done"])}


def record_check(user: User, point: RiskPoint | int | None, item_key: str, result: str,
                 note: str = "") -> CheckRecord:
    point = service.visible_point(user, point)
    access.require(user, "risk.check", point)
    items = {i["key"]: i for i in items_for_point(point)}
    if item_key not in items:
        raise Invalid(fields={"item": _("This measure is no longer on the risk point's list.")})
    try:
        outcome = CheckResult(result)
    except ValueError:
        raise Invalid(fields={"result": _("Choose passed or failed.")}) from None
    note = (note or "").strip()
    if outcome == CheckResult.failed and not note:
        raise Invalid(fields={"note": _("Describe what is wrong: it becomes the hazard's description.")})
    record = CheckRecord(enterprise_id=point.enterprise_id, risk_point_id=point.id, item_key=item_key,
                         measure=items[item_key]["measure"], level=user_level(user), result=outcome, note=note,
                         checked_by_id=user.id, checked_on=today())
    db.session.add(record)
    if outcome == CheckResult.failed:
        hazard = report_hazard(point, user, title=_("Check failed: %(measure)s", measure=items[item_key]["measure"])[:200],
                               description=note, control_measure_id=items[item_key]["measure_id"])
        record.hazard_id = hazard.id
    db.session.flush()
    return record
