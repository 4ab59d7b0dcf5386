"""One place for "now" and "today": UTC timestamps in the database, deadlines in China's local date.

``moved_to`` runs a block as if it were another moment (time keeps flowing from there). The demo uses
it to tell its story over the past weeks through the real services, so that report dates, deadlines,
history and states agree as they would have on those days.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_offset: ContextVar[timedelta] = ContextVar("clock_offset", default=timedelta(0))


@contextmanager
def shifted(delta: timedelta) -> Iterator[None]:
    """Run the block as if it happened ``delta`` from now (the demo records past events through the
    real services instead of editing rows afterwards, which ``audit verify`` would rightly refuse)."""
    token = _offset.set(_offset.get() + delta)
    try:
        yield
    finally:
        _offset.reset(token)

# How far "now" is from the real clock (zero outside ``moved_to``). A context variable: a server
# thread serving requests meanwhile keeps the real time.
_shift: ContextVar[timedelta] = ContextVar("clock_shift", default=timedelta(0))


def _now() -> datetime:
    # Both: a merge had left two definitions, and the second ignored ``shifted``.
    return datetime.now(UTC) + _shift.get() + _offset.get()


def utcnow() -> datetime:
    """Naive UTC (SQLite keeps no zone; every timestamp column stores UTC)."""
    return _now().replace(tzinfo=None)


def today() -> date:
    """The local (Asia/Shanghai) calendar date: deadlines are days in China."""
    return _now().astimezone(LOCAL_TZ).date()


def to_local(ts: datetime | None) -> datetime | None:
    if ts is None:
        return None
    return ts.replace(tzinfo=UTC).astimezone(LOCAL_TZ)


def local_moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` in China, as an aware datetime."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LOCAL_TZ)


@contextmanager
def moved_to(moment: datetime) -> Iterator[None]:
    """Run the block as if it were ``moment`` (aware, or naive UTC); time keeps flowing from there."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    token = _shift.set(moment - datetime.now(UTC))
    try:
        yield
    finally:
        _shift.reset(token)
