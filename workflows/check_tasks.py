"""Check-task definitions (隐患排查任务, national-model.md §2): identifiers and validation.

Framework-free. ``schedule_from_input(**fields)`` turns what a form, the API or an import supplies into a
``CheckSchedule`` or raises ``TaskDefinitionError`` whose ``fields`` maps each bad field (the API's
field names) to a reason code, all at once, so the UI can show every message next to its field.

Times are China Standard Time, naive (see docs/checks.md "Time zone"): ``to_cst`` converts an aware
datetime; the app converts its naive-UTC columns with ``from_utc``/``to_utc``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone

from workflows.labels import N_, labelled

# China has kept UTC+8 without daylight saving since 1991: a fixed offset, not a zone database lookup.
CST = timezone(timedelta(hours=8), "CST")
DAY_SECONDS = 86_400
US = 1_000_000  # microseconds per second: window arithmetic is exact in integer microseconds


class CycleUnit(enum.StrEnum):
    hour = "hour"  # 小时
    day = "day"  # 天
    week = "week"  # 周
    month = "month"  # 月
    year = "year"  # 年


labelled(CycleUnit, {CycleUnit.hour: N_("hour"), CycleUnit.day: N_("day"), CycleUnit.week: N_("week"),
                     CycleUnit.month: N_("month"), CycleUnit.year: N_("year")})


CYCLE_UNIT_NAMES = {CycleUnit.hour: "小时", CycleUnit.day: "天", CycleUnit.week: "周", CycleUnit.month: "月",
                    CycleUnit.year: "年"}

# Larger cycles are another unit (25 hours → days) or a typing error; an hourly window never leaves its day.
MAX_CYCLE = {CycleUnit.hour: 24, CycleUnit.day: 3660, CycleUnit.week: 520, CycleUnit.month: 120,
             CycleUnit.year: 10}


class WorkdayType(enum.StrEnum):
    every_day = "every_day"  # 0 每天
    workdays = "workdays"  # 1 法定工作日
    non_workdays = "non_workdays"  # 2 非法定工作日


labelled(WorkdayType, {WorkdayType.every_day: N_("Every day"),
                       WorkdayType.workdays: N_("Statutory working days"),
                       WorkdayType.non_workdays: N_("Non-working days")})


WORKDAY_TYPE_NAMES = {WorkdayType.every_day: "每天", WorkdayType.workdays: "法定工作日",
                      WorkdayType.non_workdays: "非法定工作日"}


class TaskDefinitionError(ValueError):
    """``fields`` maps a field name (``cycle``, ``cycle_unit``, ``starts_at``, ``ends_at``, ``workday_type``,
    ``work_start``, ``work_end``) to a reason code:

    required, not_integer, not_positive, too_large, unknown_value, bad_datetime, bad_time,
    hours_required (an hourly cycle needs its working hours), end_not_after_start.
    """

    def __init__(self, fields: Mapping[str, str]):
        self.fields = dict(fields)
        super().__init__(", ".join(f"{k}: {v}" for k, v in self.fields.items()))


def to_cst(dt: datetime) -> datetime:
    """Naive China Standard Time; a naive input is taken to be CST already."""
    return dt if dt.tzinfo is None else dt.astimezone(CST).replace(tzinfo=None)


def from_utc(dt: datetime) -> datetime:
    """A naive UTC timestamp (the app's database columns) as naive CST."""
    return dt + timedelta(hours=8)


def to_utc(dt: datetime) -> datetime:
    return dt - timedelta(hours=8)


def parse_clock(value, *, end: bool = False) -> int:
    """``"HH:MM"`` (or ``HH:MM:SS``, or a ``time``) as seconds after midnight; an end may be ``24:00``."""
    if isinstance(value, time):
        return value.hour * 3600 + value.minute * 60 + value.second
    if not isinstance(value, str):
        raise ValueError(value)
    parts = value.strip().split(":")
    if len(parts) not in (2, 3) or not all(p.isdigit() and len(p) <= 2 for p in parts):
        raise ValueError(value)
    h, m, s = (int(p) for p in (parts + ["0"])[:3])
    if m > 59 or s > 59 or h > 24 or (h == 24 and (not end or m or s)):
        raise ValueError(value)
    return h * 3600 + m * 60 + s


def format_clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


@dataclass(frozen=True)
class CheckSchedule:
    """When a task's checks are due. Build it with ``schedule_from_input`` (which validates).

    ``work_start``/``work_end`` are seconds after midnight (``work_end`` up to 86 400 = 24:00); they
    shape hourly windows only (docs/checks.md). ``ends_at`` is when the task was deactivated, if it was.
    """

    cycle: int
    unit: CycleUnit
    starts_at: datetime
    workday_type: WorkdayType = WorkdayType.every_day
    work_start: int | None = None
    work_end: int | None = None
    ends_at: datetime | None = None


def _int(value) -> int:
    if isinstance(value, bool):
        raise TypeError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise TypeError


def _datetime(value) -> datetime:
    if isinstance(value, datetime):
        return to_cst(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        return to_cst(datetime.fromisoformat(value.strip()))
    raise ValueError(value)


def schedule_from_input(*, cycle, cycle_unit, starts_at, workday_type=WorkdayType.every_day,
                        work_start=None, work_end=None, ends_at=None) -> CheckSchedule:
    """Validate every field (errors are collected, not raised one by one) and build the schedule."""
    errors: dict[str, str] = {}
    unit = None
    if cycle_unit in (None, ""):
        errors["cycle_unit"] = "required"
    else:
        try:
            unit = CycleUnit(cycle_unit)
        except ValueError:
            errors["cycle_unit"] = "unknown_value"
    n = None
    if cycle in (None, ""):
        errors["cycle"] = "required"
    else:
        try:
            n = _int(cycle)
        except TypeError:
            errors["cycle"] = "not_integer"
        else:
            if n <= 0:
                errors["cycle"] = "not_positive"
            elif unit is not None and n > MAX_CYCLE[unit]:
                errors["cycle"] = "too_large"
    start = end = None
    if starts_at in (None, ""):
        errors["starts_at"] = "required"
    else:
        try:
            start = _datetime(starts_at)
        except ValueError:
            errors["starts_at"] = "bad_datetime"
    if ends_at not in (None, ""):
        try:
            end = _datetime(ends_at)
        except ValueError:
            errors["ends_at"] = "bad_datetime"
        else:
            if start is not None and end <= start:
                errors["ends_at"] = "end_not_after_start"
    wtype = WorkdayType.every_day
    if workday_type not in (None, ""):
        try:
            wtype = WorkdayType(workday_type)
        except ValueError:
            errors["workday_type"] = "unknown_value"
    ws = we = None
    if work_start not in (None, ""):
        try:
            ws = parse_clock(work_start)
        except ValueError:
            errors["work_start"] = "bad_time"
    if work_end not in (None, ""):
        try:
            we = parse_clock(work_end, end=True)
        except ValueError:
            errors["work_end"] = "bad_time"
    if unit is CycleUnit.hour:
        if work_start in (None, ""):
            errors["work_start"] = "hours_required"
        if work_end in (None, ""):
            errors["work_end"] = "hours_required"
    if ws is not None and we is not None and we <= ws:
        errors["work_end"] = "end_not_after_start"
    if errors:
        raise TaskDefinitionError(errors)
    if unit is not CycleUnit.hour:
        ws = we = None  # working hours shape hourly windows only; kept by the app, not used here
    return CheckSchedule(n, unit, start, wtype, ws, we, end)


@dataclass(frozen=True)
class Suspension:
    """A period out of service (停用/检修, national-model.md §1): ``[starts_at, ends_at)``, CST."""

    starts_at: datetime
    ends_at: datetime


def suspension_from_input(*, starts_at, ends_at) -> Suspension:
    errors: dict[str, str] = {}
    s = e = None
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if value in (None, ""):
            errors[name] = "required"
            continue
        try:
            parsed = _datetime(value)
        except ValueError:
            errors[name] = "bad_datetime"
            continue
        if name == "starts_at":
            s = parsed
        else:
            e = parsed
    if s is not None and e is not None and e <= s:
        errors["ends_at"] = "end_not_after_start"
    if errors:
        raise TaskDefinitionError(errors)
    return Suspension(s, e)


def utc_now_cst() -> datetime:
    return datetime.now(UTC).astimezone(CST).replace(tzinfo=None)
