"""Check windows: the rules by example, and properties against a naive reference implementation."""

from __future__ import annotations

import calendar as stdcal
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from workflows.check_figures import CheckFigures, task_figures
from workflows.check_tasks import (
    CycleUnit,
    Suspension,
    WorkdayType,
    from_utc,
    schedule_from_input,
    to_utc,
)
from workflows.check_windows import (
    Window,
    WindowState,
    bind_record,
    count_suspended_windows,
    count_windows,
    merge_suspensions,
    overlaps_suspension,
    window_at,
    window_state,
    windows,
    windows_overlapping,
)
from workflows.work_calendar import statutory

CAL = statutory()
D = datetime


def hourly(cycle=2, start="08:00", end="17:00", starts_at="2026-03-02T00:00", wtype="every_day", ends_at=None):
    return schedule_from_input(cycle=cycle, cycle_unit="hour", starts_at=starts_at, work_start=start,
                               work_end=end, workday_type=wtype, ends_at=ends_at)


def anchored(cycle, unit, starts_at="2026-01-01T00:00", wtype="every_day", ends_at=None):
    return schedule_from_input(cycle=cycle, cycle_unit=unit, starts_at=starts_at, workday_type=wtype,
                               ends_at=ends_at)


# --- the rules by example -----------------------------------------------------------------

def test_hourly_windows_start_at_work_start_and_the_last_is_cut_at_work_end():
    s = hourly(cycle=3, start="08:00", end="18:00")
    got = list(windows(s, D(2026, 3, 2), D(2026, 3, 3)))
    assert [(w.start.hour, w.end.hour) for w in got] == [(8, 11), (11, 14), (14, 17), (17, 18)]


def test_hourly_windows_do_not_start_before_the_task():
    s = hourly(cycle=2, starts_at="2026-03-02T09:30")
    got = list(windows(s, D(2026, 3, 2), D(2026, 3, 3)))
    assert [w.start.hour for w in got] == [10, 12, 14, 16]


def test_round_the_clock_hourly_task_ends_at_midnight():
    s = hourly(cycle=1, start="00:00", end="24:00")
    got = list(windows(s, D(2026, 3, 2), D(2026, 3, 3)))
    assert len(got) == 24 and got[-1] == Window(D(2026, 3, 2, 23), D(2026, 3, 3))


def test_hourly_on_workdays_skips_the_spring_festival_and_works_the_adjusted_saturday():
    s = hourly(cycle=4, start="08:00", end="16:00", starts_at="2026-02-13T00:00", wtype="workdays")
    days = sorted({w.start.date() for w in windows(s, D(2026, 2, 13), D(2026, 3, 2))})
    assert days == [date(2026, 2, 13), date(2026, 2, 14), *[date(2026, 2, d) for d in range(24, 29)]]
    assert count_windows(s, D(2026, 2, 13), D(2026, 3, 2)) == 2 * 7


def test_daily_on_non_workdays_is_the_holiday_and_the_weekend():
    s = anchored(1, "day", starts_at="2026-09-19T00:00", wtype="non_workdays")
    days = [w.start.date() for w in windows(s, D(2026, 9, 19), D(2026, 10, 12))]
    # 20 Sept (Sunday) and 10 Oct (Saturday) are worked; 25–27 Sept and 1–7 Oct are off.
    assert days == [date(2026, 9, 19), date(2026, 9, 25), date(2026, 9, 26), date(2026, 9, 27),
                    *[date(2026, 10, d) for d in range(1, 8)], date(2026, 10, 11)]


def test_weekly_workday_task_has_no_window_in_a_week_wholly_off():
    # Monday 16 Feb 2026 – Sunday 22 Feb: every day is a Spring Festival day off.
    s = anchored(1, "week", starts_at="2026-02-09T00:00", wtype="workdays")
    got = list(windows(s, D(2026, 2, 9), D(2026, 3, 9)))
    assert [w.start.date() for w in got] == [date(2026, 2, 9), date(2026, 2, 23), date(2026, 3, 2)]


def test_monthly_windows_follow_the_anchor_through_short_months():
    s = anchored(1, "month", starts_at="2026-01-31T00:00")
    ends = [w.end.date() for w in windows(s, D(2026, 1, 1), D(2026, 6, 1))]
    assert ends == [date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]


def test_quarterly_and_yearly():
    q = anchored(3, "month", starts_at="2026-01-01T00:00")
    assert [w.start.month for w in windows(q, D(2026, 1, 1), D(2027, 1, 1))] == [1, 4, 7, 10]
    y = anchored(1, "year", starts_at="2024-02-29T00:00")
    assert [w.end.date() for w in windows(y, D(2024, 1, 1), D(2029, 1, 1))] == [
        date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]


def test_a_deactivated_task_has_no_window_starting_after_it_ended():
    s = anchored(1, "day", starts_at="2026-03-01T00:00", ends_at="2026-03-05T12:00")
    got = list(windows(s, D(2026, 3, 1), D(2026, 4, 1)))
    assert got[-1] == Window(D(2026, 3, 5), D(2026, 3, 6)) and len(got) == 5
    assert count_windows(s, D(2026, 3, 1), D(2026, 4, 1)) == 5


def test_windows_belong_to_the_period_they_end_in():
    s = anchored(1, "week", starts_at="2026-03-04T00:00")  # Wednesday to Wednesday
    # The week Monday 9 – Monday 16 March holds the window 4–11 March, not 11–18 March.
    assert list(windows(s, D(2026, 3, 9), D(2026, 3, 16))) == [Window(D(2026, 3, 4), D(2026, 3, 11))]
    assert [w.start for w in windows_overlapping(s, D(2026, 3, 9), D(2026, 3, 16))] == [
        D(2026, 3, 4), D(2026, 3, 11)]


def test_window_at_and_bind_record():
    s = hourly(cycle=2)
    assert window_at(s, D(2026, 3, 2, 9, 59)) == Window(D(2026, 3, 2, 8), D(2026, 3, 2, 10))
    assert window_at(s, D(2026, 3, 2, 17, 30)) is None  # after hours
    assert window_at(s, D(2026, 3, 1, 9)) is None  # before the task
    # A late record names its window; a record for a window that has not started is refused.
    assert bind_record(s, D(2026, 3, 2, 11), window_start=D(2026, 3, 2, 8)).end == D(2026, 3, 2, 10)
    assert bind_record(s, D(2026, 3, 2, 11), window_start=D(2026, 3, 2, 12)) is None
    assert bind_record(s, D(2026, 3, 2, 11), window_start=D(2026, 3, 2, 9)) is None
    assert bind_record(s, D(2026, 3, 2, 11)).start == D(2026, 3, 2, 10)


def test_states():
    w = Window(D(2026, 3, 2, 8), D(2026, 3, 2, 10))
    assert window_state(w, D(2026, 3, 2, 7)) is WindowState.upcoming
    assert window_state(w, D(2026, 3, 2, 8)) is WindowState.due
    assert window_state(w, D(2026, 3, 2, 10)) is WindowState.missed
    assert window_state(w, D(2026, 3, 2, 9), D(2026, 3, 2, 9)) is WindowState.done
    assert window_state(w, D(2026, 3, 2, 12), D(2026, 3, 2, 10)) is WindowState.late
    assert window_state(w, D(2026, 3, 2, 12), suspended=True) is WindowState.suspended
    # A check made during a suspension still counts as a check.
    assert window_state(w, D(2026, 3, 2, 12), D(2026, 3, 2, 9), suspended=True) is WindowState.done


def test_task_figures_by_hand():
    s = hourly(cycle=2, start="08:00", end="16:00")  # 8–10, 10–12, 12–14, 14–16
    now = D(2026, 3, 3, 11)
    records = {D(2026, 3, 2, 8): D(2026, 3, 2, 9), D(2026, 3, 2, 10): D(2026, 3, 2, 12, 30),
               D(2026, 3, 3, 10): D(2026, 3, 3, 10, 30)}
    stop = [Suspension(D(2026, 3, 2, 13), D(2026, 3, 2, 13, 30))]
    f = task_figures(s, D(2026, 3, 2), D(2026, 3, 4), now, records, stop)
    # Closed: 2 Mar ×4 (done, late, suspended, missed) and 3 Mar 8–10 (missed). 3 Mar 10–12 is open but
    # already recorded, so nothing waits; the rate is done ÷ (planned − suspended) = 1 ÷ 4.
    assert (f.planned, f.done, f.late, f.suspended, f.missed, f.due) == (5, 1, 1, 1, 2, 0)
    assert f.completion_rate == 0.25
    f2 = task_figures(s, D(2026, 3, 2), D(2026, 3, 4), D(2026, 3, 3, 12, 30), records, stop)
    assert f2.due == 1 and f2.planned == 6 and f2.done == 2


def test_figures_definition():
    f = CheckFigures(planned=10, done=6, late=1, suspended=2, due=3)
    assert f.missed == 1 and f.expected == 8 and f.completion_rate == 0.75
    assert CheckFigures().completion_rate is None
    assert CheckFigures(planned=2, suspended=2).completion_rate is None
    assert (f + f).as_dict()["planned"] == 20
    with pytest.raises(ValueError):
        CheckFigures(planned=1, done=1, late=1)


# --- time zone -----------------------------------------------------------------------------

def test_aware_times_are_read_as_china_standard_time_and_dst_elsewhere_changes_nothing():
    ny = ZoneInfo("America/New_York")
    # 8 March 2026 02:00 New York switched to daylight time; 9 March 08:00 CST is 8 March 20:00 EDT.
    a = schedule_from_input(cycle=1, cycle_unit="day", starts_at=datetime(2026, 3, 8, 20, tzinfo=ny))
    b = schedule_from_input(cycle=1, cycle_unit="day", starts_at="2026-03-09T08:00")
    c = schedule_from_input(cycle=1, cycle_unit="day", starts_at=datetime(2026, 3, 9, 0, tzinfo=UTC))
    assert a.starts_at == b.starts_at == c.starts_at == D(2026, 3, 9, 8)
    days = list(windows(b, D(2026, 3, 1), D(2026, 4, 30)))
    assert all(w.end - w.start == timedelta(days=1) for w in days)
    assert from_utc(D(2026, 3, 9, 0)) == D(2026, 3, 9, 8) and to_utc(D(2026, 3, 9, 8)) == D(2026, 3, 9, 0)


# --- properties ----------------------------------------------------------------------------

def ref_add_months(dt, n):
    y, m = divmod(dt.month - 1 + n, 12)
    y += dt.year
    return dt.replace(year=y, month=m + 1, day=min(dt.day, stdcal.monthrange(y, m + 1)[1]))


def reference_windows(s, until):
    """Every window from the task's start to ``until``, by the rules of docs/checks.md, naively."""
    out = []
    if s.unit is CycleUnit.hour:
        d = s.starts_at.date()
        while datetime.combine(d, time()) < until:
            ok = s.workday_type is WorkdayType.every_day or CAL.is_workday(d) == (
                s.workday_type is WorkdayType.workdays)
            t = s.work_start
            while ok and t < s.work_end:
                start = datetime.combine(d, time()) + timedelta(seconds=t)
                end = datetime.combine(d, time()) + timedelta(seconds=min(t + s.cycle * 3600, s.work_end))
                if start >= s.starts_at and (s.ends_at is None or start < s.ends_at):
                    out.append(Window(start, end))
                t += s.cycle * 3600
            d += timedelta(days=1)
        return out
    k = 0
    while True:
        def at(k):
            if s.unit is CycleUnit.day:
                return s.starts_at + timedelta(days=k * s.cycle)
            if s.unit is CycleUnit.week:
                return s.starts_at + timedelta(weeks=k * s.cycle)
            return ref_add_months(s.starts_at, k * s.cycle * (12 if s.unit is CycleUnit.year else 1))
        start, end = at(k), at(k + 1)
        if start >= until or (s.ends_at is not None and start >= s.ends_at):
            return out
        d, ok = start.date(), s.workday_type is WorkdayType.every_day
        while not ok and datetime.combine(d, time()) < end:
            ok = CAL.is_workday(d) == (s.workday_type is WorkdayType.workdays)
            d += timedelta(days=1)
        if ok:
            out.append(Window(start, end))
        k += 1


instants = st.datetimes(D(2025, 11, 1), D(2026, 12, 31)).map(lambda d: d.replace(second=0, microsecond=0))


@st.composite
def schedules(draw, units=tuple(CycleUnit), wtypes=tuple(WorkdayType)):
    unit = draw(st.sampled_from(units))
    cycle = {CycleUnit.hour: st.integers(1, 24), CycleUnit.day: st.integers(1, 10),
             CycleUnit.week: st.integers(1, 5), CycleUnit.month: st.integers(1, 13),
             CycleUnit.year: st.integers(1, 2)}[unit]
    start = draw(st.one_of(instants, instants.map(lambda d: d.replace(hour=0, minute=0))))
    ws = draw(st.integers(0, 23 * 4)) * 900
    we = draw(st.integers(ws // 900 + 1, 96)) * 900
    ends_at = draw(st.one_of(st.none(), st.timedeltas(timedelta(hours=1), timedelta(days=200))))
    return schedule_from_input(
        cycle=draw(cycle), cycle_unit=unit, starts_at=start, workday_type=draw(st.sampled_from(wtypes)),
        work_start=f"{ws // 3600:02d}:{ws % 3600 // 60:02d}", work_end=f"{we // 3600:02d}:{we % 3600 // 60:02d}",
        ends_at=None if ends_at is None else start + ends_at)


@settings(max_examples=300, deadline=None)
@given(schedules(), instants, st.timedeltas(timedelta(0), timedelta(days=120)))
def test_windows_match_the_reference_and_the_count_matches_the_windows(s, a, span):
    b = a + span
    got = list(windows(s, a, b, CAL))
    ref = [w for w in reference_windows(s, b + timedelta(days=400)) if a < w.end <= b]
    assert got == ref
    assert count_windows(s, a, b, CAL) == len(got)


@settings(max_examples=200, deadline=None)
@given(schedules(), instants, st.timedeltas(timedelta(0), timedelta(days=60)),
       st.timedeltas(timedelta(0), timedelta(days=60)))
def test_counts_add_up_over_consecutive_periods(s, a, s1, s2):
    b, c = a + s1, a + s1 + s2
    assert count_windows(s, a, b) + count_windows(s, b, c) == count_windows(s, a, c)


@settings(max_examples=200, deadline=None)
@given(schedules(), instants, st.timedeltas(timedelta(0), timedelta(days=60)))
def test_windows_are_ordered_never_overlap_and_respect_the_working_day_type(s, a, span):
    got = list(windows(s, a, a + span))
    for w1, w2 in zip(got, got[1:], strict=False):
        assert w1.start < w1.end <= w2.start
    for w in got:
        if s.unit in (CycleUnit.hour,) and s.workday_type is not WorkdayType.every_day:
            assert CAL.is_workday(w.start.date()) == (s.workday_type is WorkdayType.workdays)


@settings(max_examples=200, deadline=None)
@given(schedules(units=(CycleUnit.day, CycleUnit.week, CycleUnit.month, CycleUnit.year),
                 wtypes=(WorkdayType.every_day,)), st.timedeltas(timedelta(0), timedelta(days=400)))
def test_every_day_windows_cover_the_task_without_gaps(s, span):
    got = list(windows(s, s.starts_at, s.starts_at + span))
    if got:
        assert got[0].start == s.starts_at
    for w1, w2 in zip(got, got[1:], strict=False):
        assert w1.end == w2.start


@settings(max_examples=200, deadline=None)
@given(schedules(units=(CycleUnit.hour,), wtypes=(WorkdayType.every_day,)))
def test_hourly_windows_cover_the_working_hours_of_each_full_day(s):
    d = s.starts_at.date() + timedelta(days=1)
    base = datetime.combine(d, time())
    assume(s.ends_at is None or s.ends_at >= base + timedelta(days=1))
    got = list(windows(s, base, base + timedelta(days=1)))
    assert got[0].start == base + timedelta(seconds=s.work_start)
    assert got[-1].end == base + timedelta(seconds=s.work_end)
    for w1, w2 in zip(got, got[1:], strict=False):
        assert w1.end == w2.start


@settings(max_examples=200, deadline=None)
@given(schedules(), instants)
def test_window_at_is_the_window_containing_the_instant(s, t):
    w = window_at(s, t)
    around = [x for x in windows(s, t - timedelta(days=800), t + timedelta(days=800)) if x.start <= t < x.end]
    assert ([w] if w else []) == around


@settings(max_examples=200, deadline=None)
@given(schedules(), instants, st.timedeltas(timedelta(0), timedelta(days=60)),
       st.lists(st.tuples(instants, st.timedeltas(timedelta(minutes=1), timedelta(days=20))), max_size=4))
def test_suspended_count_without_iterating_equals_the_windows_that_overlap(s, a, span, periods):
    b = a + span
    stops = [Suspension(p, p + d) for p, d in periods]
    merged = merge_suspensions(stops)
    expected = sum(1 for w in windows(s, a, b) if overlaps_suspension(w, merged))
    brute = sum(1 for w in windows(s, a, b) if any(p.starts_at < w.end and w.start < p.ends_at for p in stops))
    assert expected == brute
    assert count_suspended_windows(s, a, b, stops) == expected


@settings(max_examples=100, deadline=None)
@given(schedules(), instants, st.timedeltas(timedelta(0), timedelta(days=40)), st.data())
def test_figures_add_up_and_the_rate_stays_within_bounds(s, a, span, data):
    b = a + span
    now = data.draw(st.datetimes(a, b + timedelta(days=5)))
    ws = list(windows(s, a, min(b, now)))
    records = {}
    for w in ws:
        if data.draw(st.booleans()):
            records[w.start] = data.draw(st.datetimes(w.start, max(w.start, now)))
    f = task_figures(s, a, b, now, records)
    assert f.planned == len(ws) == f.done + f.late + f.missed + f.suspended
    assert f.completion_rate is None or 0 <= f.completion_rate <= 1


@pytest.mark.parametrize("wtype", ["workdays", "non_workdays"])
@pytest.mark.parametrize(("cycle", "unit"), [(1, "day"), (2, "day"), (3, "day"), (1, "week"), (2, "week"),
                                             (1, "month"), (1, "hour"), (5, "hour")])
def test_counts_equal_the_reference_for_every_start_day_around_the_long_holidays(cycle, unit, wtype):
    # Every start day from mid-January to mid-March 2026 and from mid-September to October 2026, at
    # midnight and at noon, so that windows fall inside the Spring Festival and National Day runs.
    starts = [D(2026, 1, 15) + timedelta(days=i) for i in range(60)]
    starts += [D(2026, 9, 10) + timedelta(days=i) for i in range(40)]
    for st0 in starts:
        for at in (st0, st0 + timedelta(hours=12)):
            s = schedule_from_input(cycle=cycle, cycle_unit=unit, starts_at=at, workday_type=wtype,
                                    work_start="08:00", work_end="20:00")
            a, b = at - timedelta(days=3), at + timedelta(days=75)
            ref = [w for w in reference_windows(s, b + timedelta(days=40)) if a < w.end <= b]
            assert count_windows(s, a, b) == len(ref), (at, cycle, unit, wtype)


@settings(max_examples=150, deadline=None)
@given(schedules(), instants, st.timedeltas(timedelta(0), timedelta(days=40)), st.data())
def test_the_apps_counting_recipe_equals_the_walk(s, a, span, data):
    """docs/checks.md: planned and suspended by closed forms, done and late from the records' own times."""
    b = a + span
    now = data.draw(st.datetimes(a, b + timedelta(days=5)))
    top = min(b, now)
    stops = [Suspension(p, p + d) for p, d in data.draw(st.lists(
        st.tuples(st.datetimes(a - timedelta(days=5), b), st.timedeltas(timedelta(minutes=1), timedelta(days=9))),
        max_size=3))]
    closed = list(windows(s, a, top)) if top > a else []
    records = {w.start: data.draw(st.datetimes(w.start, max(w.start, now))) for w in closed
               if data.draw(st.booleans())}
    merged = merge_suspensions(stops)
    planned = count_windows(s, a, top) if top > a else 0
    done = sum(1 for w in closed if w.start in records and records[w.start] < w.end)
    late = sum(1 for w in closed if w.start in records and records[w.start] >= w.end)
    recorded_suspended = sum(1 for w in closed if w.start in records and overlaps_suspension(w, merged))
    suspended = (count_suspended_windows(s, a, top, stops) if top > a else 0) - recorded_suspended
    open_w = window_at(s, now) if a < now < b else None
    due = int(open_w is not None and open_w.start not in records and not overlaps_suspension(open_w, merged))
    counted = CheckFigures(planned, done, late, suspended, due)
    assert counted == task_figures(s, a, b, now, records, stops)


def test_counting_by_schedule_counts_each_distinct_schedule_once():
    from workflows.check_windows import count_windows_by_schedule
    s1, s2 = hourly(cycle=2), anchored(1, "week", starts_at="2026-03-02T00:00")
    a, b = D(2026, 3, 1), D(2026, 4, 1)
    got = count_windows_by_schedule([s1, s2, hourly(cycle=2), s2], a, b)
    assert got == {s1: count_windows(s1, a, b), s2: 4} and got[s1] == 30 * 5  # from 2 March, 08–17 every 2 h
