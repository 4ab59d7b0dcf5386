"""Analysis objects (风险分析对象) with their 包保 persons, and 停用/检修 records (suspensions).

A major hazard source (``major_hazard_level`` 1–4, GB 18218) has its principal, technical and operating
responsible persons (《危险化学品企业重大危险源安全包保责任制办法（试行）》, 应急管理部 2021): all three are
required, each an active user of the enterprise. No commit here.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from app import access, signals
from app.auth.models import User
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db, flush_or_conflict
from app.organisations.models import Enterprise
from app.risks import service
from app.risks.models import RiskObject, RiskObjectStatus, RiskPoint, Suspension
from workflows.check_tasks import TaskDefinitionError, suspension_from_input, to_utc
from workflows.limits import TEXT_MAX
from workflows.national_codes import MAJOR_HAZARD_LEVELS

NAME_MAX = 128
DUTY_FIELDS = ("principal_user_id", "technical_user_id", "operator_user_id")
FIELDS = ("name", "kind", "description", "hazard_source_code", "major_hazard_level", *DUTY_FIELDS, "status")


def duty_label(field: str) -> str:
    return {"principal_user_id": _("principal responsible person"),
            "technical_user_id": _("technical responsible person"),
            "operator_user_id": _("operating responsible person")}[field]


def _text(data: dict, errors: dict, name: str, max_len: int, *, required: bool = False) -> str:
    value = data.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_len:
        errors[name] = _("At most %(n)s characters (you entered %(m)s).", n=max_len, m=len(value))
    return value


def clean(enterprise: Enterprise, data: dict, *, current: RiskObject | None = None) -> dict:
    """Validate an object's fields (all of them on create, those given on update); Invalid names each bad one."""
    errors: dict[str, str] = {}
    out: dict = {}
    partial = current is not None
    if not partial or "name" in data:
        out["name"] = _text(data, errors, "name", NAME_MAX, required=True)
        if "name" not in errors:
            clash = db.session.scalar(select(RiskObject.id).where(
                RiskObject.enterprise_id == enterprise.id, RiskObject.name == out["name"],
                RiskObject.id != (current.id if current else -1)))
            if clash:
                errors["name"] = _("This enterprise already has an analysis object of this name.")
    if "kind" in data:
        out["kind"] = _text(data, errors, "kind", 64)
    if "description" in data:
        out["description"] = _text(data, errors, "description", TEXT_MAX)
    if "hazard_source_code" in data:
        out["hazard_source_code"] = _text(data, errors, "hazard_source_code", 64) or None
    if "major_hazard_level" in data:
        raw = data.get("major_hazard_level")
        if raw in (None, ""):
            out["major_hazard_level"] = None
        elif isinstance(raw, bool) or str(raw).strip() not in {str(k) for k in MAJOR_HAZARD_LEVELS}:
            errors["major_hazard_level"] = _("Choose a level from 1 to 4, or none if it is not a major hazard "
                                             "source.")
        else:
            out["major_hazard_level"] = int(str(raw).strip())
    for field in DUTY_FIELDS:
        if field not in data:
            continue
        raw = data.get(field)
        if raw in (None, ""):
            out[field] = None
            continue
        user = None
        if not isinstance(raw, bool):
            try:
                user = db.session.get(User, int(raw))
            except (TypeError, ValueError):
                user = None
        if user is None or user.enterprise_id != enterprise.id or not user.active:
            errors[field] = _("Choose an active user of this enterprise as the %(role)s.", role=duty_label(field))
        else:
            out[field] = user.id
    if "status" in data:
        try:
            out["status"] = RiskObjectStatus(data.get("status") or RiskObjectStatus.active)
        except ValueError:
            errors["status"] = _("Unknown status.")
    level = out.get("major_hazard_level", current.major_hazard_level if current else None)
    if level is not None:
        for field in DUTY_FIELDS:
            person = out[field] if field in out else (getattr(current, field) if current else None)
            if person is None and field not in errors:
                errors[field] = _("A major hazard source needs its %(role)s (包保责任人).", role=duty_label(field))
    if errors:
        raise Invalid(fields=errors)
    return out


def enterprise_for_edit(actor: User, enterprise) -> Enterprise:
    return service.enterprise_for_edit(actor, enterprise)


def visible_object(actor: User, obj: RiskObject | int | None, *, for_update: bool = False) -> RiskObject:
    if isinstance(obj, RiskObject):
        if not access.is_visible(obj, actor):
            raise NotFound()
        return obj
    return access.get_visible(RiskObject, obj, actor, for_update=for_update)


def object_for_edit(actor: User, obj: RiskObject | int | None) -> RiskObject:
    obj = visible_object(actor, obj)
    access.require(actor, "risk.edit", obj)
    return obj


def create_object(actor: User, enterprise: Enterprise | int | None, **data) -> RiskObject:
    enterprise = enterprise_for_edit(actor, enterprise)
    values = clean(enterprise, {k: v for k, v in data.items() if k in FIELDS})
    obj = RiskObject(enterprise_id=enterprise.id, **{"kind": "", "description": "", "status": RiskObjectStatus.active,
                                                     **values})
    db.session.add(obj)
    db.session.flush()
    return obj


def update_object(actor: User, obj: RiskObject | int, *, expected_version: int | None = None, **data) -> RiskObject:
    obj = object_for_edit(actor, obj)
    if "enterprise_id" in data and data.pop("enterprise_id") != obj.enterprise_id:
        raise Invalid(fields={"enterprise_id": _("An analysis object cannot move to another enterprise.")})
    if expected_version is not None and expected_version != obj.version:
        raise Conflict()
    values = clean(obj.enterprise, {k: v for k, v in data.items() if k in FIELDS}, current=obj)
    # Which 包保 persons change: their duty tasks follow the new person (signals.duty_persons_changed).
    changes = {f.removesuffix("_user_id"): (getattr(obj, f), values[f]) for f in DUTY_FIELDS
               if f in values and values[f] != getattr(obj, f)}
    for key, value in values.items():
        setattr(obj, key, value)
    flush_or_conflict()
    if changes:
        signals.duty_persons_changed.send(obj, changes=changes, actor=actor)
    return obj


def units_of(obj: RiskObject) -> list[RiskPoint]:
    return list(db.session.scalars(select(RiskPoint).where(RiskPoint.object_id == obj.id)
                                   .order_by(RiskPoint.area, RiskPoint.name)))


def duty_role(user_id: int | None, obj: RiskObject | None) -> str | None:
    return obj.duty_role_of(user_id) if obj is not None else None


# --- suspensions (停用/检修) --------------------------------------------------------------------------

SUSPENSION_MESSAGES = {
    "required": lambda: _("This field is required."),
    "bad_datetime": lambda: _("Enter a date and time."),
    "end_not_after_start": lambda: _("The end must come after the start."),
}


def add_suspension(actor: User, *, object_id: int | None = None, risk_point_id: int | None = None,
                   starts_at=None, ends_at=None, reason: str = "") -> Suspension:
    """Record that an analysis object or a unit (exactly one) is out of service (停用/检修) in
    ``[starts_at, ends_at)``. Naive input times are China Standard Time (as typed on the page); stored UTC."""
    if (object_id is None) == (risk_point_id is None):
        raise Invalid(fields={"object_id": _("Name the analysis object or the risk point.")})
    if object_id is not None:
        target = object_for_edit(actor, object_id)
    else:
        from app.risks import service

        target = service.point_for_edit(actor, risk_point_id)
    errors: dict[str, str] = {}
    reason = _text({"reason": reason}, errors, "reason", TEXT_MAX, required=True)
    period = None
    try:
        period = suspension_from_input(starts_at=starts_at, ends_at=ends_at)
    except TaskDefinitionError as exc:
        errors.update({name: SUSPENSION_MESSAGES.get(code, SUSPENSION_MESSAGES["bad_datetime"])()
                       for name, code in exc.fields.items()})
    if errors:
        raise Invalid(fields=errors)
    row = Suspension(enterprise_id=target.enterprise_id, object_id=object_id if object_id is not None else None,
                     risk_point_id=risk_point_id if risk_point_id is not None else None,
                     starts_at=to_utc(period.starts_at), ends_at=to_utc(period.ends_at), reason=reason,
                     created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    return row


def suspensions_of(*, object_id: int | None = None, risk_point_id: int | None = None) -> list[Suspension]:
    stmt = select(Suspension).order_by(Suspension.starts_at.desc(), Suspension.id.desc())
    if object_id is not None:
        stmt = stmt.where(Suspension.object_id == object_id)
    else:
        stmt = stmt.where(Suspension.risk_point_id == risk_point_id)
    return list(db.session.scalars(stmt))


def suspensions_covering(point: RiskPoint, since: datetime, until: datetime) -> list[Suspension]:
    """The suspensions of a unit or of its object overlapping ``[since, until)`` (UTC): what pauses its checks."""
    conditions = [Suspension.risk_point_id == point.id]
    if point.object_id is not None:
        conditions.append(Suspension.object_id == point.object_id)

    return list(db.session.scalars(select(Suspension).where(or_(*conditions), Suspension.starts_at < until,
                                                            Suspension.ends_at > since)
                                   .order_by(Suspension.starts_at)))
