"""The working-day calendar: the shipped notices day by day, counting, arithmetic, the import format."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.work_calendar import CalendarFormatError, WorkCalendar, dumps, parse, statutory

CAL = statutory()

# Each notice's days off and weekend days worked, typed again from the notices' text (docs/calendar.md).
OFF_2025 = ["2025-01-01", *[f"2025-01-{d}" for d in range(28, 32)], *[f"2025-02-0{d}" for d in range(1, 5)],
            "2025-04-04", "2025-04-05", "2025-04-06", *[f"2025-05-0{d}" for d in range(1, 6)],
            "2025-05-31", "2025-06-01", "2025-06-02", *[f"2025-10-0{d}" for d in range(1, 9)]]
WORKED_2025 = ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"]
OFF_2026 = ["2026-01-01", "2026-01-02", "2026-01-03", *[f"2026-02-{d}" for d in range(15, 24)],
            "2026-04-04", "2026-04-05", "2026-04-06", *[f"2026-05-0{d}" for d in range(1, 6)],
            "2026-06-19", "2026-06-20", "2026-06-21", "2026-09-25", "2026-09-26", "2026-09-27",
            *[f"2026-10-0{d}" for d in range(1, 8)]]
WORKED_2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"]


def _days(year):
    d = date(year, 1, 1)
    while d.year == year:
        yield d
        d += timedelta(days=1)


@pytest.mark.parametrize(("year", "off", "worked"), [(2025, OFF_2025, WORKED_2025), (2026, OFF_2026, WORKED_2026)])
def test_every_day_of_the_shipped_years_follows_the_notice(year, off, worked):
    off, worked = {date.fromisoformat(d) for d in off}, {date.fromisoformat(d) for d in worked}
    for d in _days(year):
        expected = d in worked or (d not in off and d.weekday() < 5)
        assert CAL.is_workday(d) is expected, d


def test_working_days_per_year_and_citations():
    # 2025: 261 weekdays − 18 holidays on weekdays + 5 weekend days worked; 2026: 261 − 19 + 6.
    assert CAL.working_days_between(date(2025, 1, 1), date(2026, 1, 1)) == 248
    assert CAL.working_days_between(date(2026, 1, 1), date(2027, 1, 1)) == 248
    assert CAL.years[2025].document == "国办发明电〔2024〕12号"
    assert CAL.years[2025].issued == date(2024, 11, 12)
    assert CAL.years[2026].document == "国办发明电〔2025〕7号"
    assert CAL.years[2026].issued == date(2025, 11, 4)
    assert CAL.years[2026].title == "国务院办公厅关于2026年部分节假日安排的通知"
    assert CAL.holiday_name(date(2026, 2, 16)) == "春节"


def test_a_year_without_a_verified_notice_is_missing_and_counts_monday_to_friday():
    assert not CAL.has_year(2027)
    assert CAL.missing_years([2026, 2027]) == [2027]
    assert CAL.is_workday(date(2027, 1, 1))  # a Friday: unknown, so an ordinary weekday
    assert CAL.working_days_between(date(2027, 1, 4), date(2027, 1, 11)) == 5


@given(st.dates(date(2024, 6, 1), date(2027, 6, 30)), st.integers(0, 500))
def test_closed_form_count_equals_day_by_day(a, span):
    b = a + timedelta(days=span)
    expected = sum(CAL.is_workday(a + timedelta(days=i)) for i in range(span))
    assert CAL.working_days_between(a, b) == expected
    assert CAL.non_working_days_between(a, b) == span - expected


@given(st.dates(date(2024, 6, 1), date(2027, 6, 30)), st.integers(-60, 60))
def test_add_working_days_lands_on_a_working_day_and_counts_them(d, n):
    r = CAL.add_working_days(d, n)
    if n == 0:
        assert r == d
        return
    assert CAL.is_workday(r)
    lo, hi = (d + timedelta(days=1), r + timedelta(days=1)) if n > 0 else (r, d)
    assert CAL.working_days_between(lo, hi) == abs(n)


def test_add_working_days_skips_the_spring_festival():
    # Friday 13 Feb 2026 + 1 working day = Saturday 14 Feb (调休); + 2 = Tuesday 24 Feb after the holiday.
    assert CAL.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 14)
    assert CAL.add_working_days(date(2026, 2, 13), 2) == date(2026, 2, 24)
    assert CAL.add_working_days(date(2026, 2, 24), -2) == date(2026, 2, 13)


def test_dump_and_parse_round_trip():
    again = parse(dumps(CAL))
    assert again.years == CAL.years


def test_an_import_adds_a_year_and_replaces_one():
    text = """
    # an admin's file
    year 2030
    title 国务院办公厅关于2030年部分节假日安排的通知
    document 国办发明电〔2029〕1号
    issued 2029-11-01
    holiday 2030-01-01 2030-01-01 元旦
    workday 2030-01-05 元旦
    """
    cal = CAL.merged(parse(text))
    assert cal.has_year(2030) and cal.has_year(2026)
    assert not cal.is_workday(date(2030, 1, 1)) and cal.is_workday(date(2030, 1, 5))


@pytest.mark.parametrize(("text", "line", "reason"), [
    ("holiday 2030-01-01 2030-01-01 元旦", 1, "missing_year"),
    ("year 20x0", 1, "bad_year"),
    ("year 2030\ntitle t\ndocument d\nholiday 2030-02-30 2030-03-01 春节", 4, "bad_date"),
    ("year 2030\ntitle t\ndocument d\nholiday 2030-02-03 2030-02-01 春节", 4, "end_before_start"),
    ("year 2030\ntitle t\ndocument d\nholiday 2030-12-31 2031-01-02 元旦", 4, "outside_year"),
    ("year 2030\ntitle t\ndocument d\nholiday 2030-01-01 2030-01-01", 4, "missing_name"),
    ("year 2030\ntitle t\ndocument d\nworkday 2030-01-07 春节", 4, "workday_not_weekend"),
    ("year 2030\ntitle t\ndocument d\nholiday 2030-01-05 2030-01-06 x\nworkday 2030-01-05 x", 1,
     "holiday_on_workday"),
    ("year 2030\nholiday 2030-01-01 2030-01-01 元旦", 1, "missing_citation"),
    ("year 2030\nyear 2030", 2, "duplicate_year"),
    ("year 2030\nholidays 2030-01-01", 2, "unknown_statement"),
])
def test_bad_import_names_the_line_and_the_reason(text, line, reason):
    with pytest.raises(CalendarFormatError) as exc:
        parse(text)
    assert (exc.value.line, exc.value.reason) == (line, reason)


def test_an_empty_calendar_is_monday_to_friday():
    cal = WorkCalendar()
    assert cal.working_days_between(date(2026, 2, 9), date(2026, 2, 23)) == 10
    assert not cal.has_year(2026)


def test_holidays_between_lists_the_holidays_starting_in_the_range():
    got = CAL.holidays_between(date(2026, 1, 1), date(2026, 7, 1))
    assert [(h.name, h.first) for h in got] == [
        ("元旦", date(2026, 1, 1)), ("春节", date(2026, 2, 15)), ("清明节", date(2026, 4, 4)),
        ("劳动节", date(2026, 5, 1)), ("端午节", date(2026, 6, 19))]
    assert CAL.holidays_between(date(2026, 12, 1), date(2027, 12, 31)) == []
