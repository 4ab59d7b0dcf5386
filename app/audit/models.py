"""The audit log of administrative actions: who did what to which object, when, from where, before → after.

Append-only: nothing in the application updates or deletes a row (``record`` only adds), the session
refuses to flush a change to one, and the database itself refuses UPDATE and DELETE with a trigger
(PostgreSQL and SQLite alike), so a row once written stays as written.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DDL, JSON, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # the server's clock (UTC)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)  # None: a command
    actor_address: Mapped[str] = mapped_column(String(45), default="")  # request.remote_addr
    # create / update / retire / reactivate / merge / import / reconfigure / reset_password / transfer ...
    action: Mapped[str] = mapped_column(String(32), index=True)
    object_type: Mapped[str] = mapped_column(String(32))  # enterprise, department, user, region, ...
    object_id: Mapped[int | None] = mapped_column()
    # The region the object belongs to: an authority administrator searches the entries of his subtree.
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    summary: Mapped[str] = mapped_column(String(500), default="")
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    actor = relationship("User")

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
