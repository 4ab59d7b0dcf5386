"""The working-day calendar every deadline in working days uses: ONE function.

The calendar in force is the one the scheduled checks keep (``app.checks.service.calendar``: the
statutory calendars shipped in code with the years the admin imported over them), asked through the
point ``signals.work_calendar``; without that feature, the statutory calendar shipped in code.
"""

from __future__ import annotations

from datetime import date

from workflows import periods
from workflows.work_calendar import WorkCalendar, statutory


def calendar() -> WorkCalendar:
    from app import signals  # a core module: the feature answering is not imported

    return signals.work_calendar.first() or statutory()


def add_working_days(d: date, n: int) -> date:
    return calendar().add_working_days(d, n)


def period_end(period: periods.Period, start: date) -> date:
    return periods.ends_on(period, start, calendar())
