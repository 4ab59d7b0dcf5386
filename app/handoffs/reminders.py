"""Reminders before a deadline and escalation after it, by tiers (``reminder_tiers``, per region), run by
``shuangkong scan``.

Hazards: for each tier offset (days from the deadline; all regions' offsets, the largest first) SQL
selects the hazards being rectified whose deadline is at least that far behind and whose reminders for
this deadline have not yet reached that offset (``reminder_deadline``/``reminder_offset`` on the row), in
batches by id, locked with SKIP LOCKED and committed per batch. Each such hazard is sent its region's
highest tier now due and not yet sent (one per scan: a scan that missed days does not send the tiers it
skipped), recorded as a ``reminder`` event in its history; the row then says which offset is done, so a
second scan finds nothing. A new deadline (extension, rejection with a new date) starts the tiers again.

Listed items' monthly progress reports: the same tiers from the last day of the month (subject
``progress``), one reminder per item, month and tier (the notifications' dedupe key).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, or_, select, update
from sqlalchemy.orm.attributes import set_committed_value

from app import access, signals
from app.auth.models import Role
from app.cli import SCAN_BATCH, end_batch, lock_skipping
from app.clock import today
from app.extensions import db
from app.handoffs import people
from app.handoffs.models import DEFAULT_TIERS, ReminderTier
from app.hazards import history
from app.hazards import policy as hazard_policy
from app.hazards.models import Hazard
from app.notifications import service as notifications
from app.organisations import staff as enterprise_staff
from app.organisations.models import Authority, Enterprise, Region
from app.supervision.models import Listing
from app.supervision.todos import month_end, month_start_utc, progress_due
from workflows.hazard_states import HazardState

# Whom an enterprise's reminders go to, beside the person responsible (the tiers' audiences).
STAFF_ROLES = (Role.enterprise_manager, Role.enterprise_principal)

Tier = tuple[int, str]  # (offset_days, audience)
CATCH_UP_DAYS = 3  # a progress tier is still sent this many days after it fell due (scans missed)


# --- the tiers ------------------------------------------------------------------------------------

class Tiers:
    """The tier sets of one scan: {region id or None: {subject: [(offset, audience)]}}, read once."""

    def __init__(self) -> None:
        rows = db.session.execute(select(ReminderTier.region_id, ReminderTier.subject, ReminderTier.offset_days,
                                         ReminderTier.audience)).all()
        if not rows:  # an empty table (a test database built without migrations): the defaults
            rows = [(None, subject, offset, audience) for subject, offset, audience in DEFAULT_TIERS]
        self.sets: dict[int | None, dict[str, list[Tier]]] = defaultdict(lambda: defaultdict(list))
        for region_id, subject, offset, audience in rows:
            self.sets[region_id][subject].append((offset, audience))
        for by_subject in self.sets.values():
            for tiers in by_subject.values():
                tiers.sort()
        self._paths: dict[int, list[int]] = {}

    def offsets(self, subject: str) -> list[int]:
        """Every offset any region uses for ``subject``, the largest first."""
        return sorted({o for s in self.sets.values() for o, _a in s.get(subject, [])}, reverse=True)

    def for_region(self, region_path: str, subject: str) -> list[Tier]:
        """The nearest region's own set (up the region's path), else the defaults."""
        ids = [int(i) for i in (region_path or "").strip("/").split("/") if i]
        for region_id in reversed(ids):
            own = self.sets.get(region_id, {}).get(subject)
            if own:
                return own
        return self.sets.get(None, {}).get(subject, [])


def due_tier(tiers: list[Tier], reached: int, done: int | None) -> Tier | None:
    """The highest tier with offset <= reached not yet done (offset > done). A reminder before or on the
    deadline (offset <= 0) is not sent once the deadline has passed: the overdue tiers take over."""
    due = [t for t in tiers if t[0] <= reached and (done is None or t[0] > done) and (t[0] > 0 or reached <= 0)]
    return due[-1] if due else None


# --- hazards ----------------------------------------------------------------------------------------

def _is_candidate(offsets: list[int], on_day):
    """One condition for every offset: the hazard's deadline is at least ``d`` days behind and its
    reminders for this deadline have not reached ``d``, for some offset ``d`` (constants only: any
    database)."""
    def due(offset: int):
        cutoff = on_day - timedelta(days=offset)  # deadline <= cutoff  <=>  (on_day - deadline) >= offset
        return and_(Hazard.deadline <= cutoff, or_(
            Hazard.reminder_deadline.is_(None), Hazard.reminder_deadline != Hazard.deadline,
            Hazard.reminder_offset < offset))

    return and_(Hazard.state == HazardState.rectifying, or_(*(due(o) for o in offsets)))


def _candidate_ids(offsets: list[int], on_day) -> list[int]:
    """The candidates' ids, in id order. Without ORDER BY ... LIMIT: with a limit PostgreSQL walks the
    primary key through every hazard (760 ms at 1 000 000 hazards with none to find, 435 ms this way)."""
    return sorted(db.session.scalars(select(Hazard.id).where(_is_candidate(offsets, on_day))))


def _candidates(ids: list[int], offsets: list[int], on_day):
    """Those of ``ids`` still candidates, with what ``_batch`` reads, fresh from the database."""
    return (select(Hazard).where(access.among(Hazard.id, ids), _is_candidate(offsets, on_day)).order_by(Hazard.id)
            .options(*signals.load_options("reminder")).execution_options(populate_existing=True))


def _region_paths(enterprise_ids: set[int]) -> dict[int, str]:
    return dict(db.session.execute(select(Enterprise.id, Region.path).join(Region, Region.id == Enterprise.region_id)
                                   .where(access.among(Enterprise.id, enterprise_ids))).all())


def _text(hazard: Hazard, offset: int, audience: str) -> str:
    """``offset``: days from the deadline today (negative: before it)."""
    name, deadline = f"{hazard.code} {hazard.title}", hazard.deadline.isoformat()
    if offset < 0:
        return _("Please rectify %(hazard)s: the deadline %(deadline)s is in %(days)s day(s).", hazard=name,
                 deadline=deadline, days=-offset)
    if offset == 0:
        return _("Please rectify %(hazard)s today: today is its deadline.", hazard=name)
    if audience == "authority":
        return _("Please supervise %(hazard)s: %(days)s days overdue (deadline %(deadline)s); the enterprise's "
                 "manager and principal were reminded.", hazard=name, days=offset, deadline=deadline)
    return _("Please see to %(hazard)s: %(days)s days overdue (deadline %(deadline)s); it is escalated to you.",
             hazard=name, days=offset, deadline=deadline)


class _People:
    """Who is told, read once per batch (the enterprises' managers and principals) or once per scan (an
    authority's inspectors and supervisors; an enterprise's nearest authority): no query per hazard."""

    def __init__(self) -> None:
        self.staff: dict[int, dict[Role, list[int]]] = {}
        self._authorities: dict[int | None, list[int]] = {}
        self._local: dict[int, int | None] = {}

    def load(self, enterprise_ids: set[int], paths: dict[int, str]) -> None:
        self.staff = enterprise_staff.by_role(enterprise_ids, STAFF_ROLES)
        new = {e: paths.get(e, "") for e in enterprise_ids if e not in self._local}
        if new:
            self._local.update(nearest_authorities(new))

    def authority(self, hazard: Hazard) -> list[int]:
        authority_id = hazard_policy.responsible_authority_id(hazard)
        if authority_id is None:
            authority_id = self._local.get(hazard.enterprise_id)
        if authority_id not in self._authorities:
            self._authorities[authority_id] = people.of_authority(authority_id, *people.GOVERNMENT)
        return self._authorities[authority_id]

    def of(self, hazard: Hazard, audience: str) -> list[int]:
        by_role = self.staff.get(hazard.enterprise_id, {})
        if audience == "responsible":
            return [hazard.responsible_user_id] if hazard.responsible_user_id else by_role.get(Role.enterprise_manager, [])
        if audience == "manager":
            return by_role.get(Role.enterprise_manager, [])
        if audience == "principal":
            return by_role.get(Role.enterprise_principal, [])
        if audience == "enterprise":
            return by_role.get(Role.enterprise_manager, []) + by_role.get(Role.enterprise_principal, [])
        if audience == "authority":
            return self.authority(hazard)
        return []


def nearest_authorities(paths: dict[int, str]) -> dict[int, int | None]:
    """{enterprise id: the nearest authority over its region (``people.local_authority_id``)} of enterprises
    given with their region's path: one query for them all."""
    ids_of = {e: [int(i) for i in (p or "").strip("/").split("/") if i] for e, p in paths.items()}
    wanted = set().union(*ids_of.values()) if ids_of else set()
    by_region: dict[int, int] = {}
    if wanted:
        for authority_id, region_id in db.session.execute(select(Authority.id, Authority.region_id).where(
                Authority.region_id.in_(wanted)).order_by(Authority.id)):
            by_region.setdefault(region_id, authority_id)
    return {e: next((by_region[r] for r in reversed(ids) if r in by_region), None) for e, ids in ids_of.items()}


def _remind(hazard: Hazard, tier: Tier, who: _People, reached: int) -> list[dict]:
    """Record ``tier`` in the hazard's history; the reminders to send (``notify_many`` rows)."""
    tier_offset, audience = tier
    recipients = list(dict.fromkeys(u for u in who.of(hazard, audience) if u))
    history.append(hazard, "reminder", from_state=hazard.state, to_state=hazard.state, data={
        "deadline": hazard.deadline, "offset_days": tier_offset, "audience": audience, "recipients": recipients})
    text = _text(hazard, reached, audience)
    kind = "hazard_reminder" if tier_offset <= 0 else "hazard_escalation"
    key = f"reminder:{hazard.id}:{hazard.deadline.isoformat()}:{tier_offset}"
    return [{"user_id": u, "kind": kind, "text": text, "hazard_id": hazard.id, "dedupe_key": key} for u in recipients]


def _batch(hazards, offsets: list[int], tiers: Tiers, paths: dict, who: _People, on_day, counts: dict) -> list[dict]:
    """Each hazard of a batch marked done for the furthest offset it reached, its due tier recorded; the
    reminders to send."""
    rows: list[dict] = []
    marks: list[dict] = []
    for hazard in hazards:
        reached = (on_day - hazard.deadline).days
        done = hazard.reminder_offset if hazard.reminder_deadline == hazard.deadline else None
        offset = next(o for o in offsets if o <= reached)  # the furthest offset any region uses, reached
        tier = due_tier(tiers.for_region(paths.get(hazard.enterprise_id, ""), "hazard"), reached, done)
        if tier is not None:
            counts["reminded"] += 1
            rows += _remind(hazard, tier, who, reached)
        marks.append({"b_id": hazard.id, "b_deadline": hazard.deadline, "b_offset": offset,
                      "b_seq": hazard.chain_seq, "b_hash": hazard.chain_hash})
        # Written below for the whole batch; the session takes these values as the row's (no UPDATE each).
        for key, value in (("reminder_deadline", hazard.deadline), ("reminder_offset", offset),
                           ("chain_seq", hazard.chain_seq), ("chain_hash", hazard.chain_hash)):
            set_committed_value(hazard, key, value)
    # One executemany for the batch: the rows are locked (PostgreSQL; SQLite has one writer), and these
    # bookkeeping columns do not move the hazard's version (models._UNVERSIONED).
    table = Hazard.__table__
    if marks:
        db.session.execute(update(table).where(table.c.id == bindparam("b_id")).values(
            reminder_deadline=bindparam("b_deadline"), reminder_offset=bindparam("b_offset"),
            chain_seq=bindparam("b_seq"), chain_hash=bindparam("b_hash")), marks)
    return rows

def scan_hazards(batch: int | None = None, on_day=None) -> dict:
    """Set-based: SQL selects the candidates (``_candidates``), a batch at a time, locked (SKIP LOCKED);
    each is marked done for the offset it reached and, if one of its region's tiers is due, gets its
    ``reminder`` event; the batch's rows are written by one flush (the ORM's executemany), its reminders
    by one INSERT (``notify_many``), and the batch commits under ``shuangkong scan``. A few statements
    per batch, not per hazard; a second run the same day selects nothing."""
    batch = batch or SCAN_BATCH
    on_day = on_day or today()
    tiers = Tiers()
    offsets = tiers.offsets("hazard")
    counts = {"reminded": 0, "reminders": 0}
    who = _People()
    ids = _candidate_ids(offsets, on_day) if offsets else []
    for start in range(0, len(ids), batch):
        hazards = db.session.scalars(lock_skipping(_candidates(ids[start:start + batch], offsets, on_day),
                                                   Hazard)).all()
        enterprise_ids = {h.enterprise_id for h in hazards}
        paths = _region_paths(enterprise_ids)
        who.load(enterprise_ids, paths)
        rows: list[dict] = []
        # No flush in between (a lazy load would flush each hazard's event alone): one flush writes them.
        with db.session.no_autoflush:
            rows += _batch(hazards, offsets, tiers, paths, who, on_day, counts)
        db.session.flush()
        counts["reminders"] += len(notifications.notify_many(rows))
        end_batch()  # the batch's objects are then only weakly held by the session: memory stays bounded
    db.session.flush()
    return counts


# --- listed items' monthly progress reports -----------------------------------------------------------

def scan_progress(batch: int | None = None, on_day=None) -> dict:
    """The month's report reminders (before and on its last day) and the previous month's missing ones
    (after it), each tier once per item and month."""

    batch = batch or SCAN_BATCH
    on_day = on_day or today()
    tiers = Tiers()
    counts = {"progress_reminders": 0}
    previous = on_day.replace(day=1) - timedelta(days=1)
    offsets = tiers.offsets("progress")
    for period_day in (on_day, previous):
        end = month_end(period_day)
        reached = (on_day - end).days
        # This month: from its first tier on. Last month: its overdue tiers, each within a few days of
        # falling due (a scan that stopped for longer does not chase a month long past).
        window = [o for o in offsets if (o <= 0) == (period_day is on_day) and o <= reached <= o + CATCH_UP_DAYS]
        if not window:
            continue
        listed_before = [Listing.decided_at < month_start_utc(on_day)] if period_day is previous else []
        after = 0
        while True:
            rows = db.session.execute(select(Listing.id, Listing.enterprise_id, Listing.authority_id, Region.path,
                                             Hazard.id, Hazard.code, Hazard.title)
                                      .join(Hazard, Hazard.id == Listing.hazard_id)
                                      .join(Enterprise, Enterprise.id == Listing.enterprise_id)
                                      .join(Region, Region.id == Enterprise.region_id)
                                      .where(*progress_due(period_day), *listed_before, Listing.id > after)
                                      .order_by(Listing.id).limit(batch)).all()
            if not rows:
                break
            after = rows[-1][0]
            staff = enterprise_staff.by_role({r[1] for r in rows}, STAFF_ROLES)
            for listing_id, enterprise_id, authority_id, path, hazard_id, code, title in rows:
                tier = due_tier(tiers.for_region(path, "progress"), reached, None)
                if tier is None or (period_day is previous and tier[0] <= 0):
                    continue
                offset, audience = tier
                if audience == "authority":
                    recipients = people.of_authority(authority_id, *people.GOVERNMENT)
                    text = _("%(hazard)s (listed): no progress report for %(month)s; please follow it up.",
                             hazard=f"{code} {title}", month=end.strftime("%Y-%m"))
                else:
                    by_role = staff.get(enterprise_id, {})
                    recipients = by_role.get(Role.enterprise_manager, []) + by_role.get(Role.enterprise_principal, [])
                    text = _("Please file the monthly progress report of %(hazard)s (listed) by %(due)s, from its "
                             "listing page.", hazard=f"{code} {title}", due=end.isoformat())
                for user_id in dict.fromkeys(recipients):
                    counts["progress_reminders"] += notifications.notify(
                        user_id, kind="progress_due", text=text, hazard_id=hazard_id,
                        dedupe_key=f"progress:{listing_id}:{end:%Y-%m}:{offset}") is not None
            end_batch()
            if len(rows) < batch:
                break
    return counts


def scan_step() -> dict:
    return {**scan_hazards(), **scan_progress()}
