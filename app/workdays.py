"""The working-day calendar every deadline in working days uses: ONE function.

Today it is the statutory calendar shipped in code (``workflows.work_calendar.statutory()``); when the
calendar table of the scheduled checks (feat/checks) is merged, ``calendar()`` is the one place to
point at it.
"""

from __future__ import annotations

from datetime import date

from workflows import periods
from workflows.work_calendar import WorkCalendar, statutory


def calendar() -> WorkCalendar:
    return statutory()


def add_working_days(d: date, n: int) -> date:
    return calendar().add_working_days(d, n)


def period_end(period: periods.Period, start: date) -> date:
    return periods.ends_on(period, start, calendar())
