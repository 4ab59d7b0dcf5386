"""Use cases of the risk register: points, assessments, the dynamic (effective) grade, reviews.

No commit here: the view, API or CLI commits. Scores and grades come only from ``workflows.grading``.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from app import access, signals
from app.auth.models import Role, User
from app.clock import today
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db, flush_or_conflict
from app.notifications import service as notifications
from app.organisations import lookups
from app.organisations.models import Enterprise
from app.risks import events
from app.risks.models import (
    ControlMeasure,
    GradeChangeReason,
    RiskArea,
    RiskAssessment,
    RiskGradeChange,
    RiskObject,
    RiskPoint,
    RiskPointKind,
    RiskPointStatus,
)
from workflows import effective_grade as grade_rule
from workflows import grading
from workflows.grades import Grade
from workflows.grading import ControlLevel, GradingError
from workflows.hazard_states import HazardLevel
from workflows.risk_codes import ACCIDENT_TYPES, HAZARD_FACTORS, ControlCategory, unknown_codes

# --- configuration ---------------------------------------------------------------------------

def ruleset_for(enterprise: Enterprise, on=None) -> grading.RuleSet:
    """The rule set in force for the enterprise's region today (or ``on``): the versions of
    app.rulesets (asked through ``signals.grading_rules``), over config RISK_RULESETS_BY_REGION (code prefix → preset) and the default."""
    # rulesets comes after risks in FEATURES (it previews regrading with risks' models): it is asked.
    return signals.grading_rules.first(enterprise.region.code if enterprise.region else None, on)


def control_level_table(enterprise: Enterprise | None = None) -> dict:
    """Grade → default control level: the rule set version's own table when it has one, else config
    RISK_CONTROL_LEVELS, else the defaults."""
    if enterprise is not None:
        levels = ruleset_for(enterprise).control_levels
        if levels:
            return levels
    return current_app.config.get("RISK_CONTROL_LEVELS") or grading.DEFAULT_CONTROL_LEVELS


def check_frequencies() -> dict:
    return current_app.config.get("RISK_CHECK_FREQUENCIES") or grading.DEFAULT_CHECK_FREQUENCIES


# --- messages --------------------------------------------------------------------------------

FACTOR_NAMES = {"L": "L", "E": "E", "C": "C", "S": "S", "M": "M", "rules": "rules"}


def grading_message(err: GradingError) -> str:
    allowed = "、".join(str(grading._fmt(v)) if isinstance(v, int | float) else str(v) for v in err.allowed)
    name = err.field.split(".", 1)[-1]
    if err.reason == "unknown_method":
        return _("Unknown method; choose one of: %(allowed)s.", allowed=allowed)
    if err.reason == "missing":
        return _("%(name)s is required.", name=name)
    if err.reason == "not_number":
        return _("%(name)s must be a number.", name=name)
    if err.reason == "negative":
        return _("%(name)s cannot be negative; allowed values: %(allowed)s.", name=name, allowed=allowed)
    if err.reason == "not_allowed":
        return _("%(name)s = %(value)s is not a value of the method's table; allowed values: %(allowed)s.",
                 name=name, value=grading._fmt(err.value), allowed=allowed)
    if err.reason == "unknown_input":
        return _("%(name)s is not an input of this method (inputs: %(allowed)s).", name=name, allowed=allowed)
    if err.reason == "unknown_rule":
        return _("Unknown direct rule %(value)s; rules: %(allowed)s.", value=err.value, allowed=allowed)
    return _("Choose at least one direct-determination rule (%(allowed)s).", allowed=allowed)


def score_and_grade(enterprise: Enterprise, method, inputs, on=None) -> tuple[float | None, Grade, grading.RuleSet]:
    """Score and grade under the rule set in force on ``on`` (today by default) for the enterprise."""
    ruleset = ruleset_for(enterprise, on)
    try:
        score, grade = grading.assess(method, inputs, ruleset)
    except GradingError as err:
        raise Invalid(fields={err.field: grading_message(err)}) from None
    return score, grade, ruleset


# --- validation of a point's fields ----------------------------------------------------------

FIELDS = ("name", "area", "object_id", "kind", "hazard_factors", "accident_types", "controls", "consequences",
          "responsible_department_id", "responsible_user_id", "control_level", "review_interval_months",
          "status")


def _clean_codes(value, table, field, errors) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").replace(" ", ",").split(",") if v]
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors[field] = _("A list of codes is expected.")
        return []
    bad = unknown_codes(value, table)
    if bad:
        errors[field] = _("Unknown code(s): %(codes)s.", codes="、".join(bad))
    return list(dict.fromkeys(value))


def _clean_controls(value, errors) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors["controls"] = _("Control measures are expected by category.")
        return {}
    result = {}
    for key, items in value.items():
        if key not in ControlCategory.__members__:
            errors["controls"] = _("Unknown control category %(key)s; categories: %(allowed)s.", key=key,
                                   allowed="、".join(ControlCategory.__members__))
            return {}
        if isinstance(items, str):
            items = [line for line in items.splitlines()]
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            errors["controls"] = _("Each category holds a list of measures.")
            return {}
        cleaned = [i.strip() for i in items if i.strip()]
        if cleaned:
            result[key] = cleaned
    return result


def clean(enterprise: Enterprise, data: dict, *, partial: bool = False) -> dict:
    """Validate user-supplied fields of a risk point; raise Invalid naming every bad field."""
    errors: dict[str, str] = {}
    out: dict = {}
    if not partial or "name" in data:
        name = (data.get("name") or "").strip()
        if not name:
            errors["name"] = _("The name is required.")
        elif len(name) > 128:
            errors["name"] = _("At most %(n)s characters.", n=128)
        out["name"] = name
    if "area" in data:
        area = (data.get("area") or "").strip()
        if len(area) > 128:
            errors["area"] = _("At most %(n)s characters.", n=128)
        out["area"] = area
    if not partial or "kind" in data:
        try:
            out["kind"] = RiskPointKind(data.get("kind") or RiskPointKind.place)
        except ValueError:
            errors["kind"] = _("Unknown kind; kinds: %(allowed)s.", allowed="、".join(RiskPointKind))
    if "hazard_factors" in data:
        out["hazard_factors"] = _clean_codes(data["hazard_factors"], HAZARD_FACTORS, "hazard_factors", errors)
    if "accident_types" in data:
        out["accident_types"] = _clean_codes(data["accident_types"], ACCIDENT_TYPES, "accident_types", errors)
    if "controls" in data:
        out["controls"] = _clean_controls(data["controls"], errors)
    if "consequences" in data:
        out["consequences"] = (data.get("consequences") or "").strip()
    if data.get("responsible_department_id") not in (None, ""):
        dept = lookups.unit_of(enterprise.id, data["responsible_department_id"])
        if dept is None:
            errors["responsible_department_id"] = _("Choose a department of this enterprise.")
        out["responsible_department_id"] = dept.id if dept else None
    elif "responsible_department_id" in data:
        out["responsible_department_id"] = None
    if data.get("responsible_user_id") not in (None, ""):
        user = lookups.person_of(enterprise.id, data["responsible_user_id"])
        if user is None:
            errors["responsible_user_id"] = _("Choose a person of this enterprise.")
        out["responsible_user_id"] = user.id if user else None
    elif "responsible_user_id" in data:
        out["responsible_user_id"] = None
    if "control_level" in data:
        raw = data.get("control_level")
        try:
            out["control_level"] = ControlLevel(raw) if raw else None
        except ValueError:
            errors["control_level"] = _("Unknown control level.")
    if data.get("review_interval_months") not in (None, ""):
        months = _int(data["review_interval_months"])
        if months is None or not 1 <= months <= 60:
            errors["review_interval_months"] = _("Between 1 and 60 months.")
        out["review_interval_months"] = months
    if data.get("object_id") not in (None, ""):
        obj = db.session.get(RiskObject, _int(data["object_id"])) if _int(data["object_id"]) else None
        if obj is None or obj.enterprise_id != enterprise.id:
            errors["object_id"] = _("Choose one of this enterprise's analysis objects.")
        out["object_id"] = obj.id if obj else None
    elif "object_id" in data:
        out["object_id"] = None
    if "status" in data:
        try:
            out["status"] = RiskPointStatus(data["status"])
        except ValueError:
            errors["status"] = _("Unknown status.")
    if errors:
        raise Invalid(fields=errors)
    return out


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _area(enterprise: Enterprise, name: str) -> RiskArea | None:
    if not name:
        return None
    area = db.session.scalar(select(RiskArea).where(RiskArea.enterprise_id == enterprise.id,
                                                    RiskArea.name == name))
    if area is None:
        area = RiskArea(enterprise_id=enterprise.id, name=name)
        db.session.add(area)
        db.session.flush()
    return area


def _apply(point: RiskPoint, enterprise: Enterprise, values: dict) -> None:
    manual_level = "control_level" in values
    level = values.pop("control_level", None)
    controls = values.pop("controls", None)
    old_name = point.name
    for key, value in values.items():
        setattr(point, key, value)
    if point.id is None:
        db.session.flush()
        events.add_default_event(point)
    else:
        events.single_event_follows_point(point, old_name)
    if controls is not None:  # the five-category edit of a single-event unit (events.sync_controls)
        events.sync_controls(point, controls)
    if "area" in values:
        area = _area(enterprise, point.area)
        point.area_id = area.id if area else None
    if manual_level:
        point.control_level_manual = level is not None
        point.control_level = level or grading.control_level_for(point.effective_grade,
                                                                     control_level_table(enterprise))
    if "review_interval_months" in values and point.last_assessed_on:
        point.next_review_on = add_months(point.last_assessed_on, point.review_interval_months)


# --- scope and permission: every use case below checks them itself ------------------------------

def enterprise_for_edit(actor: User, enterprise: Enterprise | int | None) -> Enterprise:
    """The enterprise whose register ``actor`` keeps (an object or an id), or Forbidden/NotFound.

    Asked first whether the actor may edit any register at all, so that a user who may not answers
    403 whatever enterprise he names (a foreign one answers 404)."""
    access.require(actor, "risk.edit")
    if enterprise is None:
        raise Invalid(fields={"enterprise_id": _("Name the enterprise.")})
    if isinstance(enterprise, Enterprise):
        if not access.is_visible(enterprise, actor):
            raise NotFound()
    else:
        enterprise = access.get_visible(Enterprise, enterprise, actor)
    access.require(actor, "risk.edit", enterprise)
    return enterprise


def visible_point(actor: User, point: RiskPoint | int | None, *, for_update: bool = False) -> RiskPoint:
    """The risk point (an object or an id) if ``actor`` may see it, else NotFound."""
    if isinstance(point, RiskPoint):
        if not access.is_visible(point, actor):
            raise NotFound()
        return point
    return access.get_visible(RiskPoint, point, actor, for_update=for_update)


def point_for_edit(actor: User, point: RiskPoint | int | None) -> RiskPoint:
    """The risk point if ``actor`` may edit it (foreign: NotFound; visible but not his: Forbidden)."""
    point = visible_point(actor, point)
    access.require(actor, "risk.edit", point)
    return point


# --- points ------------------------------------------------------------------------------------

def create_point(actor: User, enterprise: Enterprise | int | None, **data) -> RiskPoint:
    enterprise = enterprise_for_edit(actor, enterprise)
    values = clean(enterprise, data)
    point = RiskPoint(enterprise_id=enterprise.id, enterprise=enterprise, hazard_factors=[], accident_types=[],
                      controls={}, review_interval_months=3)
    db.session.add(point)
    _apply(point, enterprise, values)  # the unit's first risk event, its measures
    db.session.flush()
    return point


def update_point(actor: User, point: RiskPoint | int, *, expected_version: int | None = None,
                 **data) -> RiskPoint:
    point = point_for_edit(actor, point)
    if "enterprise_id" in data and data.pop("enterprise_id") != point.enterprise_id:
        raise Invalid(fields={"enterprise_id": _("A risk point cannot move to another enterprise.")})
    if expected_version is not None and expected_version != point.version:
        raise Conflict()
    values = clean(point.enterprise, data, partial=True)
    was_active = point.status == RiskPointStatus.active
    try:  # the events and measures queries flush the point: a concurrent save shows up there already
        _apply(point, point.enterprise, values)
    except StaleDataError:
        raise Conflict() from None
    flush_or_conflict()
    if was_active and point.status != RiskPointStatus.active:  # a retired unit is checked no more
        signals.measures_out_of_use.send([m.id for m in events.measures_of(point, active_only=False)], actor=actor)
    return point


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# --- assessments -------------------------------------------------------------------------------

def assess(actor: User, point: RiskPoint | int, method, inputs, note: str = "",
           on: date | None = None, event_id: int | None = None) -> RiskAssessment:
    """Grade one risk event of the unit (``event_id``; default: its only event) from ``inputs`` by
    ``method``; the server computes score and grade. The unit's assessed grade becomes the strictest
    initial grade of its events; its method, score and rule set are those of this latest assessment."""
    point = point_for_edit(actor, point)
    if point.status != RiskPointStatus.active:
        raise Invalid(fields={"method": _("A retired risk point is not assessed.")})
    event = events.event_for_assessment(point, event_id)
    score, grade, ruleset = score_and_grade(point.enterprise, method, inputs, on)
    stored = {k: v for k, v in dict(inputs).items() if k != "note"}
    if method != grading.Method.direct:
        stored = {k: float(v) if not float(v).is_integer() else int(float(v)) for k, v in stored.items()}
    else:
        stored = {"rules": grading.direct_rules(inputs, ruleset)}
    day = on or today()
    row = RiskAssessment(risk_point_id=point.id, event_id=event.id, method=str(method), inputs=stored, score=score,
                         grade=grade, ruleset_version=ruleset.label, assessor_id=actor.id,
                         assessed_on=day, note=(note or "").strip())
    db.session.add(row)
    event.initial_grade, event.method, event.score = grade, str(method), score
    event.ruleset_version, event.last_assessed_on = ruleset.label, day
    db.session.flush()
    point.assessed_grade = events.assessed_grade_of(point)
    point.method = str(method)
    point.score = score
    point.ruleset_version = ruleset.label
    point.last_assessed_on = day
    point.next_review_on = add_months(day, point.review_interval_months or 3)
    refresh_effective_grade(point, reason=GradeChangeReason.assessment)
    flush_or_conflict()
    return row


def history(point: RiskPoint) -> list[dict]:
    """Assessments and grade changes, newest first, as plain rows for the page."""
    rows = [{"at": a.created_at, "kind": "assessment", "obj": a} for a in db.session.scalars(
        select(RiskAssessment).where(RiskAssessment.risk_point_id == point.id))]
    rows += [{"at": c.created_at, "kind": "change", "obj": c} for c in db.session.scalars(
        select(RiskGradeChange).where(RiskGradeChange.risk_point_id == point.id))]
    rows.sort(key=lambda r: (r["at"], r["kind"] == "change", r["obj"].id), reverse=True)
    return rows


# --- the dynamic grade ---------------------------------------------------------------------------

def _open_graded_hazards(point_id: int) -> list[tuple[int, HazardLevel, int | None]]:
    """(id, level, control measure id) of the point's open hazards whose level implies a grade (at
    most 50: enough to know the strictest). Hazards answers (risks comes before it: no import)."""
    implied = [lvl for lvl in HazardLevel if grade_rule.implied_by_level(lvl) is not None]
    return signals.risk_point_open_hazards.first(point_id, implied, limit=50) or []


def _refresh_event_grades(point: RiskPoint, rows: list[tuple[int, HazardLevel, int | None]]) -> None:
    """Each event's current grade (``currentRiskLevel``): its initial grade raised by the unit's open hazards
    bound to one of its measures, and by those bound to no measure (which scenario they belong to is not
    known: 从严从高). The unit's effective grade is then the strictest of them (the same as
    ``of_point(assessed, all levels)``)."""
    measure_ids = {m for _i, _lvl, m in rows if m is not None}
    measure_event = dict(db.session.execute(
        select(ControlMeasure.id, ControlMeasure.event_id).where(ControlMeasure.id.in_(measure_ids))).all()) \
        if measure_ids else {}
    for event in events.events_of(point):
        levels = [lvl for _i, lvl, m in rows if measure_event.get(m) in (None, event.id)]
        current = grade_rule.of_point(event.initial_grade, levels)
        if event.current_grade != current:
            event.current_grade = current


def effective_grade(point: RiskPoint) -> Grade | None:
    """The point's effective grade (``workflows.effective_grade.of_point``, 从严从高, rule D2)."""
    rows = _open_graded_hazards(point.id) if point.id else []
    return grade_rule.of_point(point.assessed_grade, [lvl for _i, lvl, _m in rows])


def refresh_effective_grade(point: RiskPoint, *, reason: GradeChangeReason | None = None,
                            hazard_id: int | None = None) -> bool:
    """Recompute and store the effective grade; record why when it changed. True if it changed."""
    rows = _open_graded_hazards(point.id) if point.id else []
    levels = [lvl for _i, lvl, _m in rows]
    if point.id:
        _refresh_event_grades(point, rows)
    new = grade_rule.of_point(point.assessed_grade, levels)
    from_hazards = grade_rule.of_point(None, levels)
    raising_hazard = next((i for i, lvl, _m in rows if grade_rule.implied_by_level(lvl) == from_hazards), None)
    old = point.effective_grade
    if not point.control_level_manual:
        point.control_level = grading.control_level_for(new, control_level_table(point.enterprise))
    if new == old:
        return False
    point.effective_grade = new
    raised = from_hazards is not None and (point.assessed_grade is None
                                           or from_hazards.severity > point.assessed_grade.severity)
    if reason is None or reason != GradeChangeReason.assessment:
        reason = GradeChangeReason.major_hazard_open if raised else GradeChangeReason.hazards_resolved
    db.session.add(RiskGradeChange(
        risk_point_id=point.id, from_grade=old, to_grade=new, reason=reason,
        rule=grading.MAJOR_HAZARD_RULE if raised else None,
        hazard_id=raising_hazard if raised else hazard_id))
    return True


def on_hazard(hazard, **_kw) -> None:
    """Receiver of ``signals.hazard_created`` and ``hazard_transitioned`` (connected by risks' init_app):
    a hazard was created or changed state/level; re-grade its risk point."""
    point_id = getattr(hazard, "risk_point_id", None)
    if point_id is None:
        return
    # Lock the point: two hazards of the same point changing at once must not lose an update.
    point = db.session.scalar(select(RiskPoint).where(RiskPoint.id == point_id).with_for_update()
                              .execution_options(populate_existing=True))
    if point is not None:
        refresh_effective_grade(point, hazard_id=hazard.id)


# --- reviews -----------------------------------------------------------------------------------

def due_for_review(stmt, within_days: int = 0):
    """Filter a select of RiskPoint to active points whose review is due by today + within_days."""
    limit = today() + timedelta(days=within_days)
    return stmt.where(RiskPoint.status == RiskPointStatus.active, RiskPoint.next_review_on.is_not(None),
                      RiskPoint.next_review_on <= limit).order_by(RiskPoint.next_review_on, RiskPoint.id)


def count_due_reviews() -> dict:
    """Scan step: count due reviews and remind the responsible person (else the enterprise's safety
    managers) once per point and due date. Idempotent: a reminder is never repeated."""
    base = select(func.count()).select_from(RiskPoint).where(RiskPoint.status == RiskPointStatus.active)
    due_points = db.session.scalars(due_for_review(select(RiskPoint))).all()
    never = db.session.scalar(base.where(RiskPoint.assessed_grade.is_(None)))
    soon = db.session.scalar(base.where(RiskPoint.next_review_on > today(),
                                        RiskPoint.next_review_on <= today() + timedelta(days=14)))
    reminders = 0
    managers: dict[int, list[int]] = {}
    for point in due_points:
        if point.responsible_user_id:
            recipients = [point.responsible_user_id]
        else:
            if point.enterprise_id not in managers:
                managers[point.enterprise_id] = list(db.session.scalars(select(User.id).where(
                    User.enterprise_id == point.enterprise_id, User.role == Role.enterprise_manager,
                    User.active.is_(True))))
            recipients = managers[point.enterprise_id]
        text = _("Risk point %(name)s is due for re-assessment (review date %(day)s).", name=point.name,
                 day=point.next_review_on.isoformat())
        for user_id in recipients:
            if notifications.notify(user_id, kind="risk_review_due", text=text,
                                    dedupe_key=f"risk_review:{point.id}:{point.next_review_on.isoformat()}"):
                reminders += 1
    return {"reviews_due": len(due_points), "reviews_due_14_days": soon, "never_assessed": never,
            "reminders": reminders}
