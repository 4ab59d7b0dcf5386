"""The hazard's history: append-only events, hash-chained per hazard.

Each event's hash is SHA-256 over the canonical JSON (sorted keys, no spaces, UTF-8) of its content and
the previous event's hash. Editing, deleting or reordering any event breaks the chain from that
point; ``verify`` recomputes every chain (``shuangkong audit verify``).
"""

from __future__ import annotations

import enum
import hashlib
import json
from datetime import date, datetime

from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.hazards.models import Hazard, HazardEvent


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


def canonical(event: HazardEvent) -> bytes:
    body = {
        "hazard_id": event.hazard_id,
        "seq": event.seq,
        "trigger": event.trigger,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "actor_id": event.actor_id,
        "actor_role": event.actor_role,
        "comment": event.comment or "",
        "data": event.data or {},
        "created_at": event.created_at.isoformat(timespec="milliseconds"),
        "prev_hash": event.prev_hash,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: HazardEvent) -> str:
    return hashlib.sha256(canonical(event)).hexdigest()


def append(hazard: Hazard, trigger: str, *, from_state, to_state, actor=None, comment: str = "",
           data: dict | None = None) -> HazardEvent:
    """Add the next event of ``hazard``'s chain and move the head kept on the hazard's row.

    The caller holds the hazard's row lock (PostgreSQL) or its version (the UPDATE that moves the head
    checks it), and ``(hazard_id, seq)`` is unique: two writers can never both extend the same head.
    """
    if hazard.id is None:
        db.session.flush()  # a new hazard needs its id
    now = utcnow()
    event = HazardEvent(
        hazard_id=hazard.id,
        seq=(hazard.chain_seq or 0) + 1,
        trigger=trigger,
        from_state=_jsonable(from_state) if from_state is not None else None,
        to_state=_jsonable(to_state),
        actor_id=actor.id if actor is not None else None,
        actor_role=actor.role.value if actor is not None else None,
        comment=comment or "",
        data=_jsonable(data or {}),
        # Whole milliseconds: every database keeps them exactly, so the hash recomputes identically.
        created_at=now.replace(microsecond=now.microsecond // 1000 * 1000),
        prev_hash=hazard.chain_hash,
    )
    event.hash = compute_hash(event)
    db.session.add(event)
    hazard.chain_seq, hazard.chain_hash = event.seq, event.hash
    return event


def verify_hazard(events: list[HazardEvent], head: tuple[int, str | None] | None = None) -> str | None:
    """None if the chain of one hazard's events (in seq order) is intact, else what is wrong.

    ``head``: the (seq, hash) kept on the hazard's row; events cut off the end must not go unseen.
    """
    prev = None
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return f"event #{expected_seq} is missing (found #{event.seq})"
        if event.prev_hash != prev:
            return f"event #{event.seq} does not follow the previous one"
        if compute_hash(event) != event.hash:
            return f"event #{event.seq} was altered"
        prev = event.hash
    if head is not None:
        last = events[-1].seq if events else 0
        if head[0] > last:
            return f"events after #{last} are missing (the hazard records {head[0]})"
        if (last, prev) != tuple(head):
            return f"the history does not end where the hazard records it (event #{head[0]})"
    return None


def verify(batch: int = 2000) -> dict[int, str]:
    """Recompute every chain; {hazard_id: problem} for each hazard whose history was altered."""
    problems: dict[int, str] = {}
    heads = {row.id: (row.chain_seq, row.chain_hash)
             for row in db.session.execute(select(Hazard.id, Hazard.chain_seq, Hazard.chain_hash))}
    current_id, current = None, []
    stmt = select(HazardEvent).order_by(HazardEvent.hazard_id, HazardEvent.seq).execution_options(
        yield_per=batch)
    for event in db.session.scalars(stmt):
        if event.hazard_id != current_id:
            if current and (problem := verify_hazard(current, heads.get(current_id))):
                problems[current_id] = problem
            current_id, current = event.hazard_id, []
        current.append(event)
    if current and (problem := verify_hazard(current, heads.get(current_id))):
        problems[current_id] = problem
    # A hazard whose events were all deleted has no chain at all: that is tampering too.
    empty = db.session.scalars(
        select(Hazard.id).where(~select(HazardEvent.id).where(HazardEvent.hazard_id == Hazard.id).exists())
    ).all()
    for hazard_id in empty:
        problems[hazard_id] = "history is missing"
    return problems
