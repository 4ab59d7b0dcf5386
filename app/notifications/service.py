"""Create and read in-app reminders, carry them over the user's outside channels (as jobs, after the
commit), keep the user's preferences. No commit inside."""

from __future__ import annotations

import functools
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, or_, select, update
from sqlalchemy import text as sql_text

from app import access, jobs
from app.auth.models import User
from app.clock import to_local, utcnow
from app.errors import Invalid, NotFound
from app.extensions import db, on_postgres
from app.notifications.channels import CHANNELS, DeliveryError, Message, keep_alive
from app.notifications.models import Notification, NotificationDelivery, NotificationPreference
from app.paging import paginate


def notify(user_id: int, *, kind: str, text: str, dedupe_key: str, hazard_id: int | None = None) -> int | None:
    """Add a reminder unless this user already has one with ``dedupe_key``; the new id, else None.
    A new reminder is also delivered on each outside channel the operator configured and the user wants
    (read by the job), by jobs that start once this transaction commits.

    One statement, safe against a concurrent run: INSERT ... ON CONFLICT DO NOTHING on the unique key.
    """
    new_id = db.session.execute(_insert_once(db.session.get_bind().dialect.name), {
        "user_id": user_id, "kind": kind, "text": text, "dedupe_key": dedupe_key, "hazard_id": hazard_id,
        "created_at": utcnow()}).scalar()
    if new_id is None:
        return None
    # Every channel the operator configured; the job reads the users' preferences, 200 at a time, so a
    # fan-out costs no query per reminder here (and a default install, with none configured, nothing).
    for name, channel in CHANNELS.items():
        if _configured(channel):
            jobs.enqueue_batched("notifications.deliver", "notification_ids", new_id, channel=name)
    return new_id


def notify_many(rows: list[dict]) -> list[int]:
    """``notify`` for many reminders at once (a scan's batch): each row ``{user_id, kind, text, dedupe_key,
    hazard_id?}``; one INSERT ... ON CONFLICT DO NOTHING for them all; the ids of the new ones, whose
    delivery over the configured channels is enqueued as ``notify`` does. On PostgreSQL the rows travel as
    six arrays (``unnest``): one short statement, however many rows (a multi-row VALUES of thousands of
    rows costs more to build and parse than to run)."""
    if not rows:
        return []
    now = utcnow()
    if on_postgres():
        new_ids = list(db.session.execute(_UNNEST_INSERT, {
            "user_ids": [r["user_id"] for r in rows], "kinds": [r["kind"] for r in rows],
            "texts": [r["text"] for r in rows], "keys": [r["dedupe_key"] for r in rows],
            "hazard_ids": [r.get("hazard_id") for r in rows], "now": now}).scalars())
    else:
        params = [{"hazard_id": None, "created_at": now, **row} for row in rows]
        new_ids = [i for i in db.session.execute(_insert_once(db.session.get_bind().dialect.name), params)
                   .scalars() if i is not None]
    if new_ids:
        for name, channel in CHANNELS.items():
            if _configured(channel):
                for new_id in new_ids:
                    jobs.enqueue_batched("notifications.deliver", "notification_ids", new_id, channel=name)
    return new_ids


_UNNEST_INSERT = sql_text(
    "INSERT INTO notifications (user_id, kind, text, dedupe_key, hazard_id, created_at) "
    "SELECT u, k, t, d, h, :now FROM unnest(CAST(:user_ids AS integer[]), CAST(:kinds AS varchar[]), "
    "CAST(:texts AS text[]), CAST(:keys AS varchar[]), CAST(:hazard_ids AS integer[])) AS r(u, k, t, d, h) "
    "ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id")


def _configured(channel) -> bool:
    """The operator set the channel up (the user's own address is checked when delivering)."""
    probe = Message(0, "", "", "", "probe@localhost", "10000000000", "")
    return channel.ready(current_app.config, probe)


@functools.cache
def _insert_once(dialect: str):
    """INSERT ... ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id, built once per dialect
    (values are bound at execution, so the statement is compiled once)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # the dialect's own upsert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Notification.__table__
    return (insert(table).on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
            .returning(table.c.id))


# --- delivery over outside channels (the job) ------------------------------------------------------

@jobs.job("notifications.deliver")
def deliver(channel: str, notification_ids: list[int], attempt: int = 1) -> None:
    """One attempt over one channel for each of these reminders, each attempt recorded. The failed ones get
    one later job for their next attempt (backoff NOTIFY_RETRY_BASE_SECONDS * 2**(attempt-1)) until
    NOTIFY_MAX_ATTEMPTS, then they are failed. At-least-once safe: a reminder already delivered on this
    channel, or whose attempt is already recorded, is not sent again."""
    config = current_app.config
    adapter = CHANNELS[channel]
    # Plain rows, not ORM objects: what a message needs, in three statements per batch (profiled: loading
    # objects was a third of a job's time).
    done = set(db.session.scalars(select(NotificationDelivery.notification_id).where(
        NotificationDelivery.notification_id.in_(notification_ids), NotificationDelivery.channel == channel,
        or_(NotificationDelivery.result == "sent", NotificationDelivery.attempt >= attempt))))
    notes = [n for n in db.session.execute(
        select(Notification.id, Notification.user_id, Notification.kind, Notification.text, Notification.created_at,
               User.username, User.email, User.phone)
        .join(User, User.id == Notification.user_id)
        .where(Notification.id.in_(notification_ids)).order_by(Notification.id)) if n.id not in done]
    user_ids = {n.user_id for n in notes}
    prefs = {p.user_id: p for p in db.session.execute(
        select(NotificationPreference.user_id, NotificationPreference.quiet_hours,
               getattr(NotificationPreference, channel).label("wanted"))
        .where(NotificationPreference.user_id.in_(user_ids)))}
    default_wanted = bool(getattr(_default_preferences(0), channel))
    now_local = to_local(utcnow())
    sends: list[tuple[int, Message]] = []
    held: dict[int, list[int]] = {}
    for note in notes:
        pref = prefs.get(note.user_id)
        wanted, quiet = (pref.wanted, pref.quiet_hours) if pref is not None else (default_wanted, "")
        if not wanted:
            continue  # the user switched the channel off meanwhile
        wait = quiet_wait_seconds(quiet, now_local)
        if wait:
            held.setdefault(int(wait), []).append(note.id)
            continue
        message = Message(note.id, note.kind, note.text, note.username, note.email or "", note.phone or "",
                          note.created_at.isoformat() + "Z")
        if adapter.ready(config, message):
            sends.append((note.id, message))
    for wait, ids in held.items():
        jobs.enqueue("notifications.deliver", delay=wait, channel=channel, notification_ids=ids, attempt=attempt)
    errors = _send_all(adapter, config, [m for _, m in sends])
    rows, again = [], []
    attempted_at = utcnow()
    for (note_id, _message), error in zip(sends, errors, strict=True):
        result = "sent" if error is None else "retry" if attempt < config["NOTIFY_MAX_ATTEMPTS"] else "failed"
        rows.append({"notification_id": note_id, "channel": channel, "attempt": attempt,
                     "attempted_at": attempted_at, "result": result, "error": (error or "")[:2000]})
        if result == "retry":
            again.append(note_id)
    if rows:
        db.session.execute(insert(NotificationDelivery), rows)
    if again:
        jobs.enqueue("notifications.deliver", delay=config["NOTIFY_RETRY_BASE_SECONDS"] * 2 ** (attempt - 1),
                     channel=channel, notification_ids=again, attempt=attempt + 1)


def _send_all(adapter, config, messages: list[Message]) -> list[str | None]:
    """Send each message; the error text of each (None when accepted). Several at a time: the time goes
    in waiting for receivers, and one slow receiver must not hold the others."""
    def one(message):
        try:
            adapter.send(config, message)
        except DeliveryError as exc:
            return str(exc) or type(exc).__name__
        return None

    workers = min(int(config.get("NOTIFY_SEND_CONCURRENCY", 4)), len(messages))
    with keep_alive():  # one connection per sending thread and receiver, reused for the whole batch
        if workers <= 1:
            return [one(m) for m in messages]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(one, messages))


def recent_deliveries(limit: int = 200) -> list[NotificationDelivery]:
    return list(db.session.scalars(select(NotificationDelivery).order_by(NotificationDelivery.id.desc())
                                   .limit(limit)))


# --- preferences ---------------------------------------------------------------------------------------

CHANNEL_NAMES = ("email", "sms", "wecom", "dingtalk", "webhook")
_QUIET = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$")


def parse_quiet_hours(value: str) -> tuple[int, int] | None:
    """"22:00-07:00" -> (start, end) in minutes of the local day; "" -> None; anything else ValueError."""
    value = (value or "").strip()
    if not value:
        return None
    m = _QUIET.match(value)
    if not m:
        raise ValueError(value)
    start, end = int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4])
    if start == end:
        raise ValueError(value)
    return start, end


def quiet_wait_seconds(quiet_hours: str, now_local: datetime) -> float:
    """Seconds until the quiet window ends when ``now_local`` is inside it, else 0."""
    window = parse_quiet_hours(quiet_hours)
    if window is None:
        return 0
    start, end = window
    minute = now_local.hour * 60 + now_local.minute
    inside = start <= minute < end if start < end else (minute >= start or minute < end)
    if not inside:
        return 0
    minutes = (end - minute) % (24 * 60)
    return minutes * 60 - now_local.second


def preferences(user_id: int) -> NotificationPreference:
    """The user's preferences, or the defaults (email on, the rest off, no quiet hours) when never saved."""
    return db.session.get(NotificationPreference, user_id) or _default_preferences(user_id)


def _default_preferences(user_id: int) -> NotificationPreference:
    return NotificationPreference(user_id=user_id, email=True, sms=False, wecom=False, dingtalk=False,
                                  webhook=False, quiet_hours="")


def save_preferences(user, *, channels: dict[str, bool], quiet_hours: str) -> NotificationPreference:
    try:
        parse_quiet_hours(quiet_hours)
    except ValueError:
        raise Invalid(fields={"quiet_hours": _(
            "Quiet hours look like 22:00-07:00 (start and end, 24-hour clock, not the same); you typed "
            "\"%(value)s\".", value=quiet_hours)}) from None
    row = db.session.get(NotificationPreference, user.id)
    if row is None:
        row = NotificationPreference(user_id=user.id)
        db.session.add(row)
    for name in CHANNEL_NAMES:
        setattr(row, name, bool(channels[name]))
    row.quiet_hours = quiet_hours.strip()
    db.session.flush()
    return row


# The unread badge counts up to here ("99+" beyond): a count of every unread reminder cost 28 ms on
# every page for a city's supervisor with 134 000 of them.
BADGE_CAP = 99
# A list of reminders counts up to here (``Page.total_capped`` beyond), like the hazard register.
LIST_COUNT_CAP = 1000


def unread_count(user) -> int:
    """The user's unread reminders, counted up to BADGE_CAP + 1."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    unread = select(Notification.id).where(Notification.user_id == user.id, Notification.read_at.is_(None)) \
        .limit(BADGE_CAP + 1).subquery()
    return db.session.scalar(select(func.count()).select_from(unread)) or 0


def unread_badge(user) -> str:
    """What the badge shows: nothing, the number, or "99+"."""
    count = unread_count(user)
    return f"{BADGE_CAP}+" if count > BADGE_CAP else str(count or "")


def page_of(user, page: int, per_page: int, *, unread: bool = False):
    """A page of the user's reminders, newest first (web list and API alike)."""
    query = access.visible(Notification, user)
    if unread:
        query = query.where(Notification.read_at.is_(None))
    return paginate(query.order_by(Notification.id.desc()), page, per_page, count_cap=LIST_COUNT_CAP)


def mark_all_read(user) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0


def mark_read(user, notification_id: int) -> Notification:
    """Mark one of the user's own reminders read; someone else's is 404 (tenancy in access.visible)."""

    note = db.session.scalar(access.visible(Notification, user).where(Notification.id == notification_id))
    if note is None:
        raise NotFound()
    if note.read_at is None:
        note.read_at = utcnow()
        db.session.flush()
    return note
