"""The audit log's core: the append-only ``AuditEntry`` table and ``record``, which every feature that
changes administrative data calls (issue 15 item 7); ``search`` and ``bound`` read it back.

A core module, not a feature: auth, organisations, imports, rule sets and public reports record into
it, and the ``audit`` feature's pages (listed after auth in ``app.FEATURES``) read it, so the log
itself depends on no feature and no feature cycle runs through it (docs/architecture.md).

``from app.admin_log import record, snapshot`` then, inside a use case, after the change::

    record(actor, "create", enterprise, after=snapshot(enterprise, "name", "credit_code"))
    record(actor, "import", "enterprise", summary="50 enterprises from 企业.xlsx", after={"ids": ids})

It never commits: every administrative use case (enterprises, authorities, regions, departments,
users, roles, passwords, imports, merges, rule sets) calls ``record`` inside its own transaction,
after the change and before the caller commits, so the entry is committed with the change or not at
all. Actions follow one vocabulary: create, update, retire, reactivate, transfer, merge, import,
reconfigure, reset_password, ...

Append-only: nothing in the application updates or deletes a row (``record`` only adds), the session
refuses to flush a change to one, and the database itself refuses UPDATE and DELETE with a trigger
(PostgreSQL and SQLite alike), so a row once written stays as written.
"""

from __future__ import annotations

import enum
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from sqlalchemy import DDL, JSON, Index, Select, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.clock import local_moment, utcnow
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # the server's clock (UTC)
    # No foreign keys: an entry outlives what it names (a region merged away, an account removed by a
    # script); its ids are history, and the log may not be updated to follow them.
    actor_id: Mapped[int | None] = mapped_column(index=True)  # None: a command run on the server
    actor_address: Mapped[str] = mapped_column(String(45), default="")  # request.remote_addr
    # create / update / retire / reactivate / merge / import / reconfigure / reset_password / transfer ...
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))  # enterprise, department, user, region, ...
    object_id: Mapped[int | None] = mapped_column()
    # The region the object belongs to: an authority administrator searches the entries of his subtree.
    region_id: Mapped[int | None] = mapped_column(index=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User", primaryjoin="foreign(AuditEntry.actor_id) == User.id", viewonly=True)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.action} {self.object_type}#{self.object_id}>"


class AppendOnly(Exception):
    """An attempt to change or delete an audit entry."""


@event.listens_for(Session, "before_flush")
def _refuse_changes(session: Session, _context, _instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnly(f"the audit log is append-only ({obj!r})")


# The database's own refusal, created with the table (tests, create_all) and by the migration.
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = ("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
              "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{op.lower()} BEFORE {op} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {op} refused'); END"
    for op in ("UPDATE", "DELETE"))

event.listen(AuditEntry.__table__, "after_create",
             DDL(PG_FUNCTION.replace("%", "%%")).execute_if(dialect="postgresql"))  # DDL formats with %
event.listen(AuditEntry.__table__, "after_create", DDL(PG_TRIGGER).execute_if(dialect="postgresql"))
for _sql in SQLITE_TRIGGERS:
    event.listen(AuditEntry.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))


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
    # Inside: organisations' package records into this module, so importing its models here at load
    # time would run that package half-loaded.
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
