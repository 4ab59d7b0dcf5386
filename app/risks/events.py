"""Risk events (风险事件) and their control measures (管控措施): use cases, and the unit's grade from them.

A risk point is the analysis unit; it has one or more events, each graded (``initial_grade``) and raised by
open hazards (``current_grade``); the unit's ``assessed_grade`` and ``effective_grade`` are the strictest of
its events' (docs/risks.md). Measures belong to an event and carry the national classification
(``workflows.national_codes``). The unit's ``controls`` JSON (five categories) is kept as a view of its
active measures (``refresh_controls``): the risk card, Excel and the ``controls`` of the API read it, and a
unit with a single event is still edited by category (``sync_controls``).

No commit here: the view, API or CLI commits.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import access, signals
from app.auth.models import User
from app.errors import Invalid, NotFound
from app.extensions import db
from app.risks import service
from app.risks.models import ControlMeasure, RiskEvent, RiskPoint, RiskPointStatus
from workflows.grades import stricter
from workflows.limits import TEXT_MAX
from workflows.national_codes import (
    CATEGORY_TO_NATIONAL,
    SUBCLASS_TO_CATEGORY,
    MeasureDataSource,
    measure_classification_error,
)
from workflows.risk_codes import ACCIDENT_TYPES, ControlCategory

NAME_MAX = 128
CLASSIFY3_MAX = 64


# --- reading -------------------------------------------------------------------------------------

def events_of(point: RiskPoint) -> list[RiskEvent]:
    if point.id is None:
        return []
    return list(db.session.scalars(select(RiskEvent).where(RiskEvent.risk_point_id == point.id)
                                   .order_by(RiskEvent.position, RiskEvent.id)))


def measures_of(point: RiskPoint, *, active_only: bool = True) -> list[ControlMeasure]:
    """The unit's measures in card order: by event, then by position."""
    if point.id is None:
        return []
    stmt = (select(ControlMeasure).join(RiskEvent, RiskEvent.id == ControlMeasure.event_id)
            .where(ControlMeasure.risk_point_id == point.id)
            .order_by(RiskEvent.position, RiskEvent.id, ControlMeasure.position, ControlMeasure.id))
    if active_only:
        stmt = stmt.where(ControlMeasure.active.is_(True))
    return list(db.session.scalars(stmt))


def measures_of_event(event: RiskEvent, *, active_only: bool = True) -> list[ControlMeasure]:
    stmt = select(ControlMeasure).where(ControlMeasure.event_id == event.id).order_by(
        ControlMeasure.position, ControlMeasure.id)
    if active_only:
        stmt = stmt.where(ControlMeasure.active.is_(True))
    return list(db.session.scalars(stmt))


def category_of(measure: ControlMeasure) -> ControlCategory:
    """The measure in the five-category view (``workflows.national_codes.SUBCLASS_TO_CATEGORY``)."""
    return SUBCLASS_TO_CATEGORY.get(measure.classify2, ControlCategory.management)


def controls_view(measures: list[ControlMeasure]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for measure in measures:
        out.setdefault(category_of(measure).value, []).append(measure.description)
    return {c.value: out[c.value] for c in ControlCategory if c.value in out}


def refresh_controls(point: RiskPoint) -> None:
    """Store the five-category view of the unit's active measures in ``risk_points.controls``."""
    db.session.flush()
    view = controls_view(measures_of(point))
    if view != (point.controls or {}):
        point.controls = view


# --- events ------------------------------------------------------------------------------------------

def _clean_event(data: dict, errors: dict, *, partial: bool) -> dict:
    out: dict = {}
    if not partial or "name" in data:
        name = str(data.get("name") or "").strip()
        if not name:
            errors["name"] = _("This field is required.")
        elif len(name) > NAME_MAX:
            errors["name"] = _("At most %(n)s characters (you entered %(m)s).", n=NAME_MAX, m=len(name))
        out["name"] = name
    if "accident_type" in data:
        code = data.get("accident_type") or None
        if code is not None and (not isinstance(code, str) or code not in ACCIDENT_TYPES):
            errors["accident_type"] = _("Not a code of GB 6441.")
        out["accident_type"] = code
    if "description" in data:
        text = str(data.get("description") or "").strip()
        if len(text) > TEXT_MAX:
            errors["description"] = _("At most %(n)s characters (you entered %(m)s).", n=TEXT_MAX, m=len(text))
        out["description"] = text
    return out


def add_default_event(point: RiskPoint) -> RiskEvent:
    """The first event of a new unit: named after it, with its first accident type."""
    event = RiskEvent(enterprise_id=point.enterprise_id, risk_point_id=point.id, name=point.name[:NAME_MAX],
                      description="", accident_type=(point.accident_types or [None])[0], position=0)
    db.session.add(event)
    db.session.flush()
    return event


def single_event_follows_point(point: RiskPoint, old_name: str | None) -> None:
    """A unit with one event is edited on one page: its event keeps the unit's name (unless renamed on
    its own) and its first accident type."""
    events = events_of(point)
    if len(events) != 1:
        return
    event = events[0]
    if old_name is not None and event.name == old_name[:NAME_MAX]:
        event.name = point.name[:NAME_MAX]
    first = (point.accident_types or [None])[0]
    if first is not None and event.accident_type not in (point.accident_types or []):
        event.accident_type = first


def _point_for_edit(actor: User, point_id) -> RiskPoint:
    return service.point_for_edit(actor, point_id)


def create_event(actor: User, point: RiskPoint | int, **data) -> RiskEvent:
    """Add a risk event to a unit (``name``, ``accident_type``?, ``description``?)."""
    point = _point_for_edit(actor, point)
    if point.status != RiskPointStatus.active:
        raise Invalid(fields={"name": _("A retired risk point gets no new events.")})
    errors: dict = {}
    values = _clean_event(data, errors, partial=False)
    if errors:
        raise Invalid(fields=errors)
    last = max((e.position for e in events_of(point)), default=-1)
    event = RiskEvent(enterprise_id=point.enterprise_id, risk_point_id=point.id, position=last + 1,
                      **{"description": "", **values})
    db.session.add(event)
    db.session.flush()
    return event


def visible_event(actor: User, event: RiskEvent | int | None) -> RiskEvent:
    if isinstance(event, RiskEvent):
        if not access.is_visible(event, actor):
            raise NotFound()
        return event
    return access.get_visible(RiskEvent, event, actor)


def event_for_edit(actor: User, event: RiskEvent | int | None) -> RiskEvent:
    event = visible_event(actor, event)
    access.require(actor, "risk.edit", event)
    return event


def update_event(actor: User, event: RiskEvent | int, **data) -> RiskEvent:
    event = event_for_edit(actor, event)
    errors: dict = {}
    values = _clean_event(data, errors, partial=True)
    if errors:
        raise Invalid(fields=errors)
    for key, value in values.items():
        setattr(event, key, value)
    db.session.flush()
    return event


# --- measures ----------------------------------------------------------------------------------------

def _clean_measure(data: dict, errors: dict, *, partial: bool, current: ControlMeasure | None = None) -> dict:
    out: dict = {}
    if not partial or "description" in data:
        text = str(data.get("description") or "").strip()
        if not text:
            errors["description"] = _("This field is required.")
        elif len(text) > TEXT_MAX:
            errors["description"] = _("At most %(n)s characters (you entered %(m)s).", n=TEXT_MAX, m=len(text))
        out["description"] = text
    if not partial or "classify1" in data or "classify2" in data:
        c1 = data.get("classify1", current.classify1 if current else None)
        c2 = data.get("classify2", current.classify2 if current else None)
        c1 = str(c1).strip() if c1 not in (None, "") else ""
        c2 = str(c2).strip() if c2 not in (None, "") else ""
        for name, reason in measure_classification_error(c1, c2).items():
            value = c1 if name == "classify1" else c2
            if not value:
                errors[name] = _("This field is required.")
            elif reason == "wrong_class":
                errors[name] = _("Sub-class %(sub)s is not a sub-class of class %(cls)s.", sub=c2, cls=c1)
            else:
                errors[name] = _("%(code)s is not a code of the national classification.", code=value)
        out["classify1"], out["classify2"] = c1, c2
    if "classify3" in data:
        text = str(data.get("classify3") or "").strip()
        if len(text) > CLASSIFY3_MAX:
            errors["classify3"] = _("At most %(n)s characters (you entered %(m)s).", n=CLASSIFY3_MAX, m=len(text))
        out["classify3"] = text
    if not partial or "data_source" in data:
        value = data.get("data_source") or MeasureDataSource.manual
        try:
            out["data_source"] = MeasureDataSource(value)
        except ValueError:
            errors["data_source"] = _("Choose manual (checked by people) or automatic (monitoring).")
    if "check_content" in data:
        text = str(data.get("check_content") or "").strip()
        if len(text) > TEXT_MAX:
            errors["check_content"] = _("At most %(n)s characters (you entered %(m)s).", n=TEXT_MAX, m=len(text))
        out["check_content"] = text
    if "active" in data:
        if not isinstance(data["active"], bool):
            errors["active"] = _("Not a valid choice.")
        out["active"] = data["active"]
    return out


def create_measure(actor: User, event: RiskEvent | int, **data) -> ControlMeasure:
    """Add a control measure to an event (``description``, ``classify1``, ``classify2``, ``classify3``?,
    ``data_source`` manual|automatic, ``check_content``)."""
    event = event_for_edit(actor, event)
    errors: dict = {}
    values = _clean_measure(data, errors, partial=False)
    if errors:
        raise Invalid(fields=errors)
    last = max((m.position for m in measures_of_event(event, active_only=False)), default=-1)
    measure = ControlMeasure(enterprise_id=event.enterprise_id, risk_point_id=event.risk_point_id,
                             event_id=event.id, position=last + 1, active=True,
                             **{"check_content": "", "classify3": "", **values})
    db.session.add(measure)
    refresh_controls(event.risk_point)
    return measure


def visible_measure(actor: User, measure: ControlMeasure | int | None) -> ControlMeasure:
    if isinstance(measure, ControlMeasure):
        if not access.is_visible(measure, actor):
            raise NotFound()
        return measure
    return access.get_visible(ControlMeasure, measure, actor)


def update_measure(actor: User, measure: ControlMeasure | int, **data) -> ControlMeasure:
    """Change a measure; ``active=False`` retires it (its check tasks and records stay)."""
    measure = visible_measure(actor, measure)
    access.require(actor, "risk.edit", measure)
    errors: dict = {}
    values = _clean_measure(data, errors, partial=True, current=measure)
    if errors:
        raise Invalid(fields=errors)
    was_active = measure.active
    for key, value in values.items():
        setattr(measure, key, value)
    refresh_controls(measure.risk_point)
    if was_active and not measure.active:
        signals.measures_out_of_use.send([measure.id], actor=actor)
    return measure


def sync_controls(point: RiskPoint, controls: dict[str, list[str]]) -> None:
    """Edit a single-event unit's measures by category (the unit's form, Excel, ``controls`` of the API).

    Per category, a measure whose text is still listed stays (with its national sub-class, check content and
    tasks); a new line becomes a measure of the national class the category maps to; a measure no longer
    listed is retired (``active = False``, its history kept). Order follows the lines."""
    events = events_of(point)
    if len(events) > 1:
        if controls_view(measures_of(point)) == {k: v for k, v in controls.items() if v}:
            return  # unchanged (an exported register imported again)
        raise Invalid(fields={"controls": _("This risk point has several risk events: edit the control measures "
                                            "of each event on its page.")})
    event = events[0] if events else add_default_event(point)
    current = measures_of_event(event, active_only=False)
    by_category: dict[ControlCategory, list[ControlMeasure]] = {}
    for measure in current:
        by_category.setdefault(category_of(measure), []).append(measure)
    position = 0
    kept: set[int] = set()
    for category in ControlCategory:
        pool = by_category.get(category, [])
        for text in controls.get(category.value, []):
            match = next((m for m in pool if m.description == text and m.id not in kept and m.active), None) or \
                next((m for m in pool if m.description == text and m.id not in kept), None)
            if match is None:
                classify1, classify2 = CATEGORY_TO_NATIONAL[category]
                match = ControlMeasure(enterprise_id=point.enterprise_id, risk_point_id=point.id, event_id=event.id,
                                       description=text, classify1=classify1, classify2=classify2, classify3="",
                                       data_source=MeasureDataSource.manual, check_content="")
                db.session.add(match)
                db.session.flush()
            match.active, match.position = True, position
            kept.add(match.id)
            position += 1
    retired = [m.id for m in current if m.id not in kept and m.active]
    for measure in current:
        if measure.id not in kept:
            measure.active = False
    refresh_controls(point)
    if retired:
        signals.measures_out_of_use.send(retired, actor=None)


# --- grades --------------------------------------------------------------------------------------------

def assessed_grade_of(point: RiskPoint):
    """The unit's assessed grade: the strictest initial grade of its events."""
    return stricter(*(e.initial_grade for e in events_of(point)))


def event_for_assessment(point: RiskPoint, event_id) -> RiskEvent:
    """The event an assessment of ``point`` targets: ``event_id``, or the unit's only event."""
    events = events_of(point)
    if event_id in (None, ""):
        if len(events) == 1:
            return events[0]
        if not events:
            return add_default_event(point)
        raise Invalid(fields={"event_id": _("This risk point has several risk events: choose the one you assess.")})
    try:
        wanted = int(event_id)
    except (TypeError, ValueError):
        raise Invalid(fields={"event_id": _("Choose one of this risk point's events.")}) from None
    event = next((e for e in events if e.id == wanted), None)
    if event is None:
        raise Invalid(fields={"event_id": _("Choose one of this risk point's events.")})
    return event
