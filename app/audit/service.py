"""Recording administrative actions (``record``) and reading them back (``search``).

Every administrative use case (enterprises, authorities, regions, departments, users, roles,
passwords, imports, merges, rule sets) calls ``record`` inside its own transaction, after the
change and before the caller commits: the entry is committed with the change or not at all.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from sqlalchemy import Select

from app.audit.models import AuditEntry
from app.extensions import db

SUMMARY_MAX = 500


def _jsonable(value: Any) -> Any:
    """Before/after values as JSON: enums by value, dates in ISO 8601, model objects by id."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if hasattr(value, "id"):
        return value.id
    return str(value)


def snapshot(obj: Any, *fields: str) -> dict:
    """``{field: value}`` of ``obj``, JSON-ready (for ``before`` / ``after``)."""
    return {field: _jsonable(getattr(obj, field)) for field in fields}


def changed(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields whose value differs, on both sides."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def type_name(obj_or_type: Any) -> str:
    """``"enterprise"`` for an Enterprise (or the class), ``"enterprise_transfer"`` for EnterpriseTransfer."""
    if isinstance(obj_or_type, str):
        return obj_or_type
    cls = obj_or_type if isinstance(obj_or_type, type) else type(obj_or_type)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


def region_of(obj: Any) -> int | None:
    """The region an object belongs to (for an authority administrator's search), when it has one."""
    from app.organisations.models import Region

    if obj is None or isinstance(obj, str | type):
        return None
    if isinstance(obj, Region):
        return obj.id
    for path in (("region_id",), ("enterprise", "region_id"), ("authority", "region_id")):
        value = obj
        for attr in path:
            value = getattr(value, attr, None)
            if value is None:
                break
        if value is not None:
            return value
    return None


def actor_address() -> str:
    """The client's address (``request.remote_addr``, ProxyFix-corrected); "" outside a request (CLI)."""
    if has_request_context():
        return (request.remote_addr or "")[:45]
    return ""


def record(actor, action: str, obj_or_type: Any, *, object_id: int | None = None,
           before: dict | None = None, after: dict | None = None, summary: str = "",
           region_id: int | None = None) -> AuditEntry:
    """Append one entry: ``actor`` (a User, or None for a command) did ``action`` to ``obj_or_type``
    (an object, or a type name such as ``"enterprise"`` with ``object_id``). Never commits: the
    entry goes with the caller's transaction. ``region_id`` defaults to the object's region, else to
    the actor's authority's region."""
    if object_id is None and not isinstance(obj_or_type, str | type):
        if getattr(obj_or_type, "id", None) is None:
            db.session.flush()  # a new object: its id is what the entry names
        object_id = getattr(obj_or_type, "id", None)
    if region_id is None:
        region_id = region_of(obj_or_type)
    if region_id is None and actor is not None and getattr(actor, "authority", None) is not None:
        region_id = actor.authority.region_id
    entry = AuditEntry(actor_id=getattr(actor, "id", None), actor_address=actor_address(), action=action,
                       object_type=type_name(obj_or_type), object_id=object_id, region_id=region_id,
                       summary=(summary or "")[:SUMMARY_MAX],
                       before=_jsonable(before) if before is not None else None,
                       after=_jsonable(after) if after is not None else None)
    db.session.add(entry)
    return entry


def search(stmt: Select, *, actor_id: int | None = None, object_type: str | None = None,
           action: str | None = None, object_id: int | None = None, start: datetime | None = None,
           end: datetime | None = None) -> Select:
    """Filter a (scoped) select of AuditEntry; ``start`` inclusive, ``end`` exclusive; newest first."""
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if object_id is not None:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if start is not None:
        stmt = stmt.where(AuditEntry.at >= start)
    if end is not None:
        stmt = stmt.where(AuditEntry.at < end)
    return stmt.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())


def bound(value: str | None, *, end: bool = False) -> datetime | None:
    """A search bound as naive UTC: a local date (``2026-11-30``, the whole day: ``end`` is the next
    midnight) or a timestamp with its offset (``2026-11-30T08:00:00+08:00``; without one, UTC).
    ValueError for anything else."""
    from datetime import UTC, timedelta

    from app.clock import local_moment

    value = (value or "").strip()
    if not value:
        return None
    if len(value) == 10:
        day = date.fromisoformat(value)
        moment = local_moment(day + timedelta(days=1) if end else day, 0, 0)
    else:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(tzinfo=None)
