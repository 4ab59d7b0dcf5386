"""ISO weeks (``2026-W48``), the period the weekly effectiveness score is computed for.

Framework-free. A week runs Monday 00:00 to the next Monday 00:00 in China time (Asia/Shanghai, no DST):
the score of "last week" is the one regulators read on Monday. Week 53 exists only in years whose
28 December falls in it (ISO 8601); ``2025-W53`` is an error, not silently ``2026-W01``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from workflows.rulesets import RuleSetError

CHINA = ZoneInfo("Asia/Shanghai")
_PATTERN = re.compile(r"(\d{4})-W(\d{2})")


def weeks_in_year(year: int) -> int:
    """52 or 53: the ISO week number of 28 December is always the last week of its year."""
    return date(year, 12, 28).isocalendar()[1]


@dataclass(frozen=True, order=True)
class IsoWeek:
    year: int
    week: int

    def __post_init__(self):
        if not 1 <= self.year <= 9998:  # 9999-W52 would end in year 10000
            raise RuleSetError("week", "out_of_range", f"{self.year}-W{self.week:02d}")
        if not 1 <= self.week <= weeks_in_year(self.year):
            raise RuleSetError("week", "no_such_week", f"{self.year}-W{self.week:02d}",
                               f"{self.year} has {weeks_in_year(self.year)} ISO weeks")

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    def bounds(self) -> tuple[datetime, datetime]:
        """[Monday 00:00, next Monday 00:00) in China time, as aware datetimes."""
        start = datetime.combine(self.monday, time(0), CHINA)
        return start, start + timedelta(days=7)

    def next(self) -> IsoWeek:
        return week_of(self.monday + timedelta(days=7))

    def previous(self) -> IsoWeek:
        return week_of(self.monday - timedelta(days=7))


def parse_week(text) -> IsoWeek:
    """``"2026-W48"`` → IsoWeek; a malformed text or a week that does not exist raises RuleSetError."""
    if not isinstance(text, str):
        raise RuleSetError("week", "not_week", text, "expected e.g. 2026-W48")
    m = _PATTERN.fullmatch(text.strip())
    if m is None:
        raise RuleSetError("week", "not_week", text, "expected e.g. 2026-W48")
    return IsoWeek(int(m.group(1)), int(m.group(2)))


def week_of(moment: date | datetime) -> IsoWeek:
    """The ISO week a day (or an instant, taken in China time) falls in."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise RuleSetError("moment", "naive_datetime", moment, "an instant needs its time zone")
        moment = moment.astimezone(CHINA).date()
    y, w, _ = moment.isocalendar()
    return IsoWeek(y, w)


def last_complete_week(now: datetime) -> IsoWeek:
    """The week just ended at ``now``: what the periodic scan scores (and then freezes)."""
    return week_of(now).previous()
