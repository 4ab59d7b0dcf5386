"""One place for "now" and "today": UTC timestamps in the database, deadlines in China's local date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    """Naive UTC (SQLite keeps no zone; every timestamp column stores UTC)."""
    return datetime.now(UTC).replace(tzinfo=None)


def today() -> date:
    """The local (Asia/Shanghai) calendar date: deadlines are days in China."""
    return datetime.now(UTC).astimezone(LOCAL_TZ).date()


def to_local(ts: datetime | None) -> datetime | None:
    if ts is None:
        return None
    return ts.replace(tzinfo=UTC).astimezone(LOCAL_TZ)
