"""The hazard's history: append-only events, hash-chained per hazard and keyed.

Each event's hash is an HMAC-SHA256, with a key kept outside the database (``app.integrity``), over
the canonical JSON (sorted keys, no spaces, UTF-8) of its content, the id of the key and the previous
event's hash. Editing, deleting or reordering any event breaks the chain from that point, and
without the key nobody can compute the hashes of a rewritten history.

``verify`` (``shuangkong audit verify``) recomputes every chain and also checks what the chain
implies about the rest of the database: the hazard's row must hold the state and fields its events
set (an UPDATE of the row alone is seen), and the hazard's evidence (attachments) must be exactly
those its ``attach`` events recorded (a deleted or swapped attachment row is seen).
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
import multiprocessing
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime

from sqlalchemy import String, and_, cast, func, literal, select

from app import access
from app.clock import utcnow
from app.extensions import db
from app.hazards import checkpoints
from app.hazards.models import Hazard, HazardAttachment, HazardCodeCounter, HazardEvent
from app.integrity import ChainKeys, chain_keys

# Columns of the hazard that events set (``data`` of report, confirm, submit, reject, extend, regrade;
# ``production_suspension`` only of onsite_measures), with their value when no event set them.
REPLAYED: dict[str, object] = {
    "title": None, "source": None, "level": None, "deadline": None, "responsible_user_id": None,
    "responsible_department_id": None, "measures": "", "rectification": "", "submitted_by_id": None,
    "production_suspension": "none", "extension_requested": None,
}
# Set by the report event of hazards recorded since the chain was keyed (older ones lack them).
REPORTED = ("enterprise_id", "description", "location", "nature", "risk_point_id", "hazard_factor",
            "accident_type", "found_by_authority_id", "reported_by_id",
            # the national codes (issue 13): set by the report, or by a ``reclassify`` event (the migration
            # that introduced them recorded the mapped values of older hazards so)
            "danger_source", "hazard_type", "manage_type", "enforcement_number", "control_measure_id",
            "check_record_id", "reported_by_duty")
_FIELD_TRIGGERS = {"report", "confirm", "submit", "reject", "extend", "regrade", "reclassify", "reassign",
                   "request_extension", "decide_extension"}


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
        "key_id": event.key_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def compute_hash(event: HazardEvent, keys: ChainKeys | None = None) -> str | None:
    """The event's HMAC with the key it names; None if that key is not configured."""
    secret = (keys or chain_keys()).secrets.get(event.key_id) if event.key_id else None
    if secret is None:
        return None
    return hmac.new(secret, canonical(event), hashlib.sha256).hexdigest()


def append(hazard: Hazard, trigger: str, *, from_state, to_state, actor=None, comment: str = "",
           data: dict | None = None) -> HazardEvent:
    """Add the next event of ``hazard``'s chain and move the head kept on the hazard's row.

    The caller holds the hazard's row lock (PostgreSQL) or its version (the UPDATE that moves the head
    checks it), and ``(hazard_id, seq)`` is unique: two writers can never both extend the same head.
    """
    if hazard.id is None:
        db.session.flush()  # a new hazard needs its id
    keys = chain_keys()
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
        key_id=keys.current_id,
    )
    event.hash = compute_hash(event, keys)
    db.session.add(event)
    hazard.chain_seq, hazard.chain_hash = event.seq, event.hash
    return event


def verify_hazard(events: list[HazardEvent], head: tuple[int, str | None] | None = None,
                  keys: ChainKeys | None = None) -> str | None:
    """None if the chain of one hazard's events (in seq order) is intact, else what is wrong.

    ``head``: the (seq, hash) kept on the hazard's row; events cut off the end must not go unseen.
    """
    keys = keys or chain_keys()
    prev = None
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return f"event #{expected_seq} is missing (found #{event.seq})"
        if event.prev_hash != prev:
            return f"event #{event.seq} does not follow the previous one"
        if not event.key_id:
            return f"event #{event.seq} is not signed with a chain key"
        if event.key_id not in keys.secrets:
            return (f"event #{event.seq} is signed with the key {event.key_id!r}, which is not configured "
                    "(a retired key must stay listed in SHUANGKONG_CHAIN_KEY or the key file)")
        if not hmac.compare_digest(compute_hash(event, keys), event.hash or ""):
            return f"event #{event.seq} was altered"
        prev = event.hash
    if head is not None:
        last = events[-1].seq if events else 0
        if head[0] > last:
            return f"events after #{last} are missing (the hazard records {head[0]})"
        if (last, prev) != tuple(head):
            return f"the history does not end where the hazard records it (event #{head[0]})"
    return None


def implied_row(events: list[HazardEvent]) -> dict[str, object]:
    """The state and fields of the hazard that its (verified) events imply, as JSON values."""
    row: dict[str, object] = dict(REPLAYED)
    for event in events:
        data = event.data or {}
        if event.trigger in _FIELD_TRIGGERS:
            row.update({k: v for k, v in data.items() if k in REPLAYED and k != "production_suspension"
                        or k in REPORTED})
        elif event.trigger == "onsite_measures" and "production_suspension" in data:
            # The status is the on-site measures decisions' alone (issue 17): a value that older
            # plan_saved or confirm events carried (a free field then) stays in their data, readable,
            # but is not the hazard's (migration 8d1f0a6b3c2e recomputed the rows so).
            row["production_suspension"] = data["production_suspension"]
    if events:
        row["state"] = events[-1].to_state
    return row


def check_row(hazard_values: dict[str, object], events: list[HazardEvent]) -> str | None:
    """None if the hazard's row holds what its events imply, else the first field that differs."""
    for name, expected in implied_row(events).items():
        actual = _jsonable(hazard_values.get(name))
        if actual in ("", None) and expected in ("", None):
            continue
        if actual != expected:
            return f"the hazard's {name} is {actual!r} but its history sets {expected!r}"
    return None


def check_evidence(attachments: list, events: list[HazardEvent]) -> str | None:
    """None if the attachment rows are exactly those the ``attach`` events recorded."""
    recorded = {e.data.get("attachment_id"): e.data for e in events
                if e.trigger == "attach" and (e.data or {}).get("attachment_id") is not None}
    present = {a.id: a for a in attachments}
    for attachment_id, data in sorted(recorded.items()):
        row = present.get(attachment_id)
        if row is None:
            return f"evidence #{attachment_id} ({data.get('filename', '')}) recorded by the history was deleted"
        if (row.sha256, _jsonable(row.kind), row.filename) != (data.get("sha256"), data.get("kind"),
                                                             data.get("filename", row.filename)):
            return f"evidence #{attachment_id} is not the file the history recorded"
    for attachment_id in sorted(set(present) - set(recorded)):
        return f"evidence #{attachment_id} is not recorded in the history"
    return None


_ROW_COLUMNS = ("id", "chain_seq", "chain_hash", "state", *REPLAYED, *REPORTED)


def _id_ranges(span: int) -> list[tuple[int, int]]:
    """[lo, hi) ranges of ``span`` hazard ids covering every hazard row and every event's hazard id."""
    bounds = [b for b in (*db.session.execute(select(func.min(Hazard.id), func.max(Hazard.id))).one(),
                          *db.session.execute(select(func.min(HazardEvent.hazard_id),
                                                     func.max(HazardEvent.hazard_id))).one()) if b is not None]
    if not bounds:
        return []
    low, high = min(bounds), max(bounds)
    return [(lo, min(lo + span, high + 1)) for lo in range(low, high + 1, span)]


def verify_range(lo: int, hi: int, keys: ChainKeys) -> dict[int, str]:
    """Check the hazards with ``lo <= id < hi``: plain rows (Core, no ORM objects), memory bounded by
    the range's size."""
    return _verify_where(lambda column: column.between(lo, hi - 1), keys)


def verify_ids(hazard_ids: list[int], keys: ChainKeys, batch: int = 5000) -> dict[int, str]:
    """Check the given hazards (incremental verification), ``batch`` at a time, each batch's ids bound
    as one array (``access.among``: an IN list of 1 000 parameters was parsed again by every statement)."""
    problems: dict[int, str] = {}
    for start in range(0, len(hazard_ids), batch):
        chunk = hazard_ids[start:start + batch]
        problems.update(_verify_where(lambda column, chunk=chunk: access.among(column, chunk), keys))
    return problems


def _verify_where(selects, keys: ChainKeys) -> dict[int, str]:
    """Check the hazards whose id ``selects(column)`` accepts (applied to the hazard, event and
    attachment tables' hazard id)."""
    problems: dict[int, str] = {}
    rows = {row.id: row._asdict() for row in db.session.execute(
        select(*(getattr(Hazard, c) for c in _ROW_COLUMNS)).where(selects(Hazard.id)))}
    evidence: dict[int, list] = defaultdict(list)
    for attachment in db.session.execute(select(
            HazardAttachment.id, HazardAttachment.hazard_id, HazardAttachment.sha256, HazardAttachment.kind,
            HazardAttachment.filename).where(selects(HazardAttachment.hazard_id))):
        evidence[attachment.hazard_id].append(attachment)
    seen: set[int] = set()

    def check(hazard_id: int, events: list) -> None:
        seen.add(hazard_id)
        row = rows.get(hazard_id)
        head = (row["chain_seq"], row["chain_hash"]) if row is not None else None
        problem = verify_hazard(events, head, keys)
        if problem is None and row is not None:
            problem = check_row(row, events) or check_evidence(evidence.pop(hazard_id, []), events)
        if problem:
            problems[hazard_id] = problem

    events_table = HazardEvent.__table__
    current_id, current = None, []
    stmt = (select(events_table).where(selects(events_table.c.hazard_id))
            .order_by(events_table.c.hazard_id, events_table.c.seq))
    for event in db.session.execute(stmt):  # rows with the event's attribute names
        if event.hazard_id != current_id:
            if current:
                check(current_id, current)
            current_id, current = event.hazard_id, []
        current.append(event)
    if current:
        check(current_id, current)
    # A hazard whose events were all deleted has no chain at all: that is tampering too.
    for hazard_id in sorted(set(rows) - seen):
        problems[hazard_id] = "history is missing"
    return problems


def verify(batch: int = 5000, jobs: int = 1) -> dict[int, str]:
    """Recompute every chain and check rows and evidence against it; {hazard_id: problem}.

    Reads plain rows, ``batch`` hazard ids at a time: memory stays bounded whatever the table's size.
    ``jobs`` > 1: the ranges are shared among that many processes (each its own app and connection;
    the configuration comes from the environment, as for every ``shuangkong`` command)."""
    keys = chain_keys()
    ranges = _id_ranges(batch)
    problems: dict[int, str] = {}
    if jobs <= 1 or len(ranges) < 2:
        for lo, hi in ranges:
            problems.update(verify_range(lo, hi, keys))
        return problems

    shares = [ranges[i::jobs] for i in range(jobs)]
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for found in pool.map(_verify_in_process, shares):
            problems.update(found)
    return problems


def _verify_in_process(ranges: list[tuple[int, int]]) -> dict[int, str]:
    """One worker of ``verify(jobs=N)``: its own application (from the environment) and connection."""
    from app import create_app  # app/__init__ imports this module

    app = create_app()
    problems: dict[int, str] = {}
    with app.app_context():
        keys = chain_keys()
        for lo, hi in ranges:
            problems.update(verify_range(lo, hi, keys))
        db.session.remove()
    return problems


def missing_hazards() -> list[tuple[int, str]]:
    """(enterprise_id, code) of every hazard whose code was issued but whose row is gone.

    Codes are gap-free per enterprise and year (``service.next_code``; a rolled-back report rolls its
    number back too) and no use case deletes a hazard, so a hole means a hazard was deleted together
    with its whole history, which no chain can show by itself. One grouped count first: only the
    counters whose year does not hold exactly ``last`` codes are read code by code.
    """
    counter = HazardCodeCounter
    prefix = literal("YH-") + cast(counter.year, String) + literal("-%")
    suspects = db.session.execute(
        select(counter.enterprise_id, counter.year, counter.last)
        .outerjoin(Hazard, and_(Hazard.enterprise_id == counter.enterprise_id, Hazard.code.like(prefix)))
        .group_by(counter.enterprise_id, counter.year, counter.last)
        .having(func.count(Hazard.id) != counter.last)
        .order_by(counter.enterprise_id, counter.year)).all()
    missing = []
    for enterprise_id, year, last in suspects:
        codes = set(db.session.scalars(select(Hazard.code).where(
            Hazard.enterprise_id == enterprise_id, Hazard.code.like(f"YH-{year}-%"))))
        missing += [(enterprise_id, code) for number in range(1, last + 1)
                    if (code := f"YH-{year}-{number:04d}") not in codes]
    return missing


def events_match_heads() -> str | None:
    """None if the events number exactly the sum of the hazards' chain lengths (``chain_seq``): an event
    deleted or inserted anywhere breaks it, marks or no marks. One statement, so one snapshot."""
    events, heads = db.session.execute(select(
        select(func.count()).select_from(HazardEvent).scalar_subquery(),
        select(func.coalesce(func.sum(Hazard.chain_seq), 0)).scalar_subquery())).one()
    if events != heads:
        return f"the history holds {events} events but the hazards' chains count {heads}"
    return None


def verify_incremental(keys: ChainKeys | None = None) -> tuple[dict[int, str], checkpoints.Marks] | None:
    """Re-verify only the hazards marked as changed (``app.hazards.checkpoints``); None when there is no
    authentic checkpoint of a full verification to start from (run the full one).

    Returns ({hazard_id: problem}, the marks read: clear them once the whole run is clean)."""
    keys = keys or chain_keys()
    if checkpoints.last_full(keys) is None:
        return None
    marks = checkpoints.read_marks()
    return verify_ids(marks.hazard_ids, keys), marks
