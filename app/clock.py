"""One place for "now" and "today": UTC timestamps in the database, deadlines in China's local date."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")
_offset: ContextVar[timedelta] = ContextVar("clock_offset", default=timedelta(0))


def _now() -> datetime:
    return datetime.now(UTC) + _offset.get()


@contextmanager
def shifted(delta: timedelta) -> Iterator[None]:
    """Run the block as if it happened ``delta`` from now (the demo records past events through the
    real services instead of editing rows afterwards, which ``audit verify`` would rightly refuse)."""
    token = _offset.set(_offset.get() + delta)
    try:
        yield
    finally:
        _offset.reset(token)


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
