"""Statutory periods that run from an event (service of a document, an application), framework-free.

One definition per period. Calendar-day periods follow the rule on periods of the 民事诉讼法 that
行政复议法 and 行政诉讼法 apply: the day of the event is not counted, and a period whose last day is a
day off (法定休假日, weekends included) ends on the first working day after it. Working-day periods count working days of
the statutory-holiday calendar (``workflows.work_calendar``).
"""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta

from workflows.work_calendar import WorkCalendar


@dataclass(frozen=True)
class Period:
    code: str
    name: str  # printed / shown in Chinese
    amount: int
    unit: str  # "days" | "months" | "working_days"
    source: str  # where the period comes from


RECONSIDERATION = Period("reconsideration", "申请行政复议期限", 60, "days", "《中华人民共和国行政复议法》第二十条")
LITIGATION = Period("litigation", "提起行政诉讼期限", 6, "months", "《中华人民共和国行政诉讼法》第四十六条")
# 16号令 第二十三条 (现场审查 of a resumption / delisting application within 10 days of the application),
# counted in working days as issue 17 asks.
SITE_REVIEW = Period("site_review", "现场审查期限", 10, "working_days",
                     "《安全生产事故隐患排查治理暂行规定》第二十三条")

# 整改复查 (the authority reviews a rectification it ordered, from the enterprise's application or the
# deadline's end): the number of days could not be verified here (docs/enforcement.md), so it is the
# deployment's configuration (``RECTIFICATION_REVIEW_WORKING_DAYS``), with no default.
REVIEW_CODE = "rectification_review"


def rectification_review(amount: int) -> Period:
    return Period(REVIEW_CODE, "整改复查期限", amount, "working_days", "本系统配置（法定天数未核实）")


def review_start(deadline: date, applied_on: date | None) -> date:
    """The review period runs from the application for review (the rectification submitted) or the
    deadline's end, whichever comes first."""
    return min(deadline, applied_on) if applied_on is not None else deadline


# The periods that run from the service of a document that carries the rights notice.
APPEAL_PERIODS = (RECONSIDERATION, LITIGATION)


def add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    return date(year, month, min(d.day, _calendar.monthrange(year, month)[1]))


def ends_on(period: Period, start: date, cal: WorkCalendar) -> date:
    """The last day of ``period`` running from the event on ``start`` (the event's day not counted)."""
    if period.unit == "working_days":
        return cal.add_working_days(start, period.amount)
    end = start + timedelta(days=period.amount) if period.unit == "days" else add_months(start, period.amount)
    while not cal.is_workday(end):
        end += timedelta(days=1)
    return end
