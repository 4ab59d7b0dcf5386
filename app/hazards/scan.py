"""The ``scan`` step for deadlines: one overdue event per hazard and deadline, plus reminders.

Set-based: SQL selects only the hazards that can fire (open, past the deadline, not yet marked overdue
for this deadline: a partial index holds just those), then works in bounded batches by id, each locked
with SKIP LOCKED and committed as it goes
under ``shuangkong scan`` (``app.cli.end_batch``). A hazard a user holds locked is left for the next
run; a second run the same day finds nothing and costs one statement.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select, text, update
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import access, signals
from app.auth.models import Role
from app.cli import SCAN_BATCH, end_batch, lock_skipping
from app.clock import today
from app.extensions import db
from app.hazards import history
from app.hazards.models import OVERDUE_UNRECORDED, Hazard
from app.notifications import service as notify
from app.organisations import staff


def overdue_candidate_ids(on_day=None) -> list[int]:
    """The ids of the open hazards past a deadline that has no overdue event yet, in id order.

    Read from the partial index ``ix_hazards_overdue_unrecorded`` (its predicate is this query's, as
    text), ids only and without ORDER BY ... LIMIT: with a limit PostgreSQL may prefer walking the
    primary key through every open hazard. The day's candidates are few (thousands) and a backlog's
    ids are a few MB."""
    on_day = on_day or today()
    return sorted(db.session.scalars(select(Hazard.id).where(text(OVERDUE_UNRECORDED), Hazard.deadline < on_day)))


def _locked_candidates(ids: list[int], on_day):
    """Those of ``ids`` still candidates, locked (skipping any a user holds), with fresh deadlines."""
    stmt = (select(Hazard).where(access.among(Hazard.id, ids), text(OVERDUE_UNRECORDED), Hazard.deadline < on_day)
            .order_by(Hazard.id).execution_options(populate_existing=True)
            # What the receivers of ``hazard_overdue`` read (the listing proposal: enterprise, risk
            # point, listings), loaded for the batch rather than lazily per hazard.
            .options(selectinload(Hazard.enterprise), selectinload(Hazard.risk_point),
                     *signals.load_options("overdue")))
    return db.session.scalars(lock_skipping(stmt, Hazard)).all()


def _mark_batch(hazards: list[Hazard], on_day) -> set[int]:
    """Mark the batch's hazards as recorded for their deadline, in one UPDATE; the ids it marked.

    A plain UPDATE (no version bump): the scan must not make a user's open form stale. Its condition
    (still a candidate) also keeps two scans on SQLite (no row locks) from both recording a deadline."""
    return set(db.session.scalars(
        update(Hazard).where(access.among(Hazard.id, [h.id for h in hazards]), text(OVERDUE_UNRECORDED),
                             Hazard.deadline < on_day)
        .values(overdue_recorded_for=Hazard.deadline).returning(Hazard.id)
        .execution_options(synchronize_session=False)))


def _mark_overdue(hazard: Hazard, managers: list[int], memo: dict) -> int:
    """The overdue event of one candidate this run marked (``_mark_batch``), and its reminders."""
    if db.engine.dialect.name == "sqlite":
        db.session.refresh(hazard)  # no row locks: read its chain head as it is now, not as it was read
    else:  # locked (FOR UPDATE) when it was read, so fresh: only the column just written is stale
        set_committed_value(hazard, "overdue_recorded_for", hazard.deadline)
    days = (today() - hazard.deadline).days
    event = history.append(hazard, "overdue", from_state=hazard.state, to_state=hazard.state,
                           data={"deadline": hazard.deadline, "days_overdue": days})
    text = _("%(code)s %(title)s is overdue: the deadline was %(deadline)s (%(days)s days ago).",
             code=hazard.code, title=hazard.title, deadline=hazard.deadline.isoformat(), days=days)
    recipients = set(managers)
    if hazard.responsible_user_id:
        recipients.add(hazard.responsible_user_id)
    reminders = 0
    for user_id in sorted(recipients):
        if notify.notify(user_id, kind="hazard_overdue", text=text, hazard_id=hazard.id,
                         dedupe_key=f"overdue:{hazard.id}:{hazard.deadline.isoformat()}"):
            reminders += 1
    signals.hazard_overdue.send(hazard, event=event, memo=memo)
    return reminders


def scan_overdue(batch: int | None = None) -> dict:
    """Idempotent: a hazard gets one overdue event per deadline; a second run adds nothing."""
    batch = batch or SCAN_BATCH
    on_day = today()
    found = reminders = 0
    ids = overdue_candidate_ids(on_day)
    memo: dict = {}  # the receivers' per-run cache (the listing rules of each region)
    for start in range(0, len(ids), batch):
        hazards = _locked_candidates(ids[start:start + batch], on_day)
        marked = _mark_batch(hazards, on_day) if hazards else set()
        managers = staff.of_enterprises({h.enterprise_id for h in hazards}, [Role.enterprise_manager])
        for hazard in hazards:
            if hazard.id in marked:  # else another scan got there first
                reminders += _mark_overdue(hazard, managers.get(hazard.enterprise_id, []), memo)
                found += 1
        end_batch()
    db.session.flush()
    return {"overdue": found, "reminders": reminders}
