"""Incremental ``audit verify``: the database marks what changed, a keyed checkpoint says what was verified.

A full verification (``app.hazards.history.verify``) recomputes every chain: minutes at a million
hazards. Most hazards do not change from one day to the next, so:

- **Marks.** Database triggers (not the application: a change made with SQL behind its back is marked
  too) insert the hazard's id into ``audit_marks`` on every INSERT, UPDATE or DELETE of a hazard row,
  of an event or of an attachment row.
- **Incremental verification** re-verifies only the marked hazards (their whole chain, row and
  evidence, exactly as the full one does), then checks two invariants over the whole database that
  cost one narrow scan each and need no mark: the events number exactly the sum of the hazards'
  ``chain_seq`` (an event deleted or inserted, even with its marks deleted, breaks it), and no issued
  hazard code is missing. Marks it verified are deleted; a clean run appends a checkpoint.
- **Checkpoints** (``audit_checkpoints``) are HMAC-signed with the chain key, like the events: someone
  who can write to the database but does not hold the key cannot forge one. Incremental verification
  refuses to run without a valid checkpoint of a *full* verification (it runs the full one instead),
  so deleting or forging checkpoints gains nothing.

What incremental verification trusts that the full one does not: the triggers and the marks. Someone
with the rights to drop a trigger or delete marks could change a hazard row unseen until the next full
verification; run ``audit verify --full`` on a schedule (weekly, say: docs/operations.md). A mark
whose transaction was still open when a full verification started may be cleared by it without its
change having been read: the next full verification sees it (the window is one transaction long).
"""

from __future__ import annotations

import hashlib
import hmac
from array import array
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import DDL, BigInteger, Integer, String, delete, event, func, select
from sqlalchemy.orm import Mapped, mapped_column

from app import access
from app.clock import utcnow
from app.extensions import db
from app.integrity import ChainKeys

MARKED_TABLES = {"hazards": "id", "hazard_events": "hazard_id", "hazard_attachments": "hazard_id"}


class AuditMark(db.Model):
    """A hazard whose row, events or evidence changed since they were last verified (written by triggers)."""

    __tablename__ = "audit_marks"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    hazard_id: Mapped[int] = mapped_column(Integer)


class AuditCheckpoint(db.Model):
    """One clean verification: when, full or incremental, how many hazards it read; signed with the chain key."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)
    full: Mapped[bool] = mapped_column(default=False)
    hazards_verified: Mapped[int] = mapped_column(Integer, default=0)
    events_total: Mapped[int] = mapped_column(BigInteger, default=0)
    key_id: Mapped[str] = mapped_column(String(32))
    # Every chain key configured then (comma-separated ids): one gone since means old chains may no
    # longer verify, which only a full verification can tell.
    key_ids: Mapped[str] = mapped_column(String(400), default="")
    mac: Mapped[str] = mapped_column(String(64))


def trigger_ddl(dialect: str) -> list[str]:
    """The statements creating the marking triggers (used by the migration and by ``create_all``)."""
    if dialect == "postgresql":
        statements = []
        for table, column in MARKED_TABLES.items():
            statements += [
                f"""CREATE OR REPLACE FUNCTION audit_mark_{table}() RETURNS trigger AS $$
                BEGIN
                  IF TG_OP = 'DELETE' THEN INSERT INTO audit_marks (hazard_id) VALUES (OLD.{column});
                  ELSE INSERT INTO audit_marks (hazard_id) VALUES (NEW.{column});
                    IF TG_OP = 'UPDATE' AND NEW.{column} IS DISTINCT FROM OLD.{column} THEN
                      INSERT INTO audit_marks (hazard_id) VALUES (OLD.{column});
                    END IF;
                  END IF;
                  RETURN NULL;
                END $$ LANGUAGE plpgsql""",
                f"DROP TRIGGER IF EXISTS audit_mark ON {table}",
                f"CREATE TRIGGER audit_mark AFTER INSERT OR UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION audit_mark_{table}()",
            ]
        return statements
    statements = []
    for table, column in MARKED_TABLES.items():
        for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("NEW", "OLD")), ("DELETE", ("OLD",))):
            values = ", ".join(f"({row}.{column})" for row in rows)
            statements += [
                f"DROP TRIGGER IF EXISTS audit_mark_{table}_{op.lower()}",
                f"CREATE TRIGGER audit_mark_{table}_{op.lower()} AFTER {op} ON {table} FOR EACH ROW "
                f"BEGIN INSERT INTO audit_marks (hazard_id) VALUES {values}; END",
            ]
    return statements


def drop_trigger_ddl(dialect: str) -> list[str]:
    if dialect == "postgresql":
        return [s for table in MARKED_TABLES for s in (
            f"DROP TRIGGER IF EXISTS audit_mark ON {table}", f"DROP FUNCTION IF EXISTS audit_mark_{table}()")]
    return [f"DROP TRIGGER IF EXISTS audit_mark_{table}_{op}" for table in MARKED_TABLES
            for op in ("insert", "update", "delete")]


@event.listens_for(db.metadata, "after_create")
def _create_triggers(_target, connection, **_kw) -> None:
    # ``create_all`` (tests, a fresh SQLite file) gets the same triggers as the migration creates.
    for statement in trigger_ddl(connection.dialect.name):
        connection.execute(DDL(statement))


def _mac(keys: ChainKeys, key_id: str, *, verified_at: datetime, full: bool, hazards: int, events: int,
         key_ids: str) -> str:
    body = (f"audit-checkpoint|{verified_at.isoformat(timespec='milliseconds')}|{int(full)}|{hazards}|{events}"
            f"|{key_ids}")
    return hmac.new(keys.secrets[key_id], body.encode(), hashlib.sha256).hexdigest()


def sign(keys: ChainKeys, *, full: bool, hazards: int, events: int) -> AuditCheckpoint:
    """Append a checkpoint of a clean verification (the caller commits)."""
    now = utcnow()
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    key_ids = ",".join(sorted(keys.secrets))
    checkpoint = AuditCheckpoint(verified_at=now, full=full, hazards_verified=hazards, events_total=events,
                                 key_id=keys.current_id, key_ids=key_ids,
                                 mac=_mac(keys, keys.current_id, verified_at=now, full=full, hazards=hazards,
                                          events=events, key_ids=key_ids))
    db.session.add(checkpoint)
    return checkpoint


def is_authentic(checkpoint: AuditCheckpoint, keys: ChainKeys) -> bool:
    if checkpoint.key_id not in keys.secrets:
        return False
    expected = _mac(keys, checkpoint.key_id, verified_at=checkpoint.verified_at, full=checkpoint.full,
                    hazards=checkpoint.hazards_verified, events=checkpoint.events_total,
                    key_ids=checkpoint.key_ids or "")
    return hmac.compare_digest(expected, checkpoint.mac or "")


def last_full(keys: ChainKeys) -> AuditCheckpoint | None:
    """The latest authentic checkpoint of a full verification, if every chain key configured then still
    is; otherwise None (a full verification must run)."""
    for checkpoint in db.session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.full)
                                         .order_by(AuditCheckpoint.id.desc()).limit(20)):
        if is_authentic(checkpoint, keys):
            return checkpoint if set(filter(None, checkpoint.key_ids.split(","))) <= set(keys.secrets) else None
    return None


def forged(keys: ChainKeys) -> list[int]:
    """Ids of checkpoints whose signature does not verify (someone wrote them without the key)."""
    return [c.id for c in db.session.scalars(select(AuditCheckpoint)) if not is_authentic(c, keys)]


@dataclass
class Marks:
    """The marks one incremental verification read: their ids (8 bytes each) and the hazards they name."""

    ids: array
    hazard_ids: list[int]


def read_marks() -> Marks:
    """Every mark visible now: a day's changes, not the table's size. Streamed (a server-side cursor on
    PostgreSQL) into a compact array: a backlog's 600 000 marks read as a list of rows took 190 MB."""
    ids, hazard_ids = array("q"), set()
    table = AuditMark.__table__  # Core rows: the ORM's per-row work took 5 µs a mark
    rows = db.session.connection().execute(select(table.c.id, table.c.hazard_id).execution_options(
        stream_results=True, max_row_buffer=20_000))
    for chunk in rows.partitions(20_000):
        for mark_id, hazard_id in chunk:
            ids.append(mark_id)
            hazard_ids.add(hazard_id)
    return Marks(ids=ids, hazard_ids=sorted(hazard_ids))


def clear_marks(mark_ids: array) -> None:
    """Delete exactly the marks a clean incremental verification read (a mark committed meanwhile, even
    with a lower id, stays for the next run)."""
    for start in range(0, len(mark_ids), 10_000):
        db.session.execute(delete(AuditMark).where(access.among(AuditMark.id, mark_ids[start:start + 10_000])),
                           execution_options={"synchronize_session": False})


def clear_marks_up_to(top: int | None) -> None:
    """After a clean full verification: the marks that existed when it started."""
    if top is not None:
        db.session.execute(delete(AuditMark).where(AuditMark.id <= top))


def max_mark() -> int | None:
    return db.session.scalar(select(func.max(AuditMark.id)))
