"""Check windows (排查窗口) of a task, their states, and closed-form counts (docs/checks.md).

Framework-free. A window ``[start, end)`` is the span in which one check of a task is expected. The rules:

* **hour**: on each eligible day, windows start at ``work_start`` and every ``cycle`` hours after it while
  before ``work_end``; each ends ``cycle`` hours later or at ``work_end``, whichever comes first.
  Windows that start before the task's ``starts_at`` do not exist.
* **day / week / month / year**: windows follow one another from ``starts_at`` itself: window *k* is
  ``[starts_at + k·cycle, starts_at + (k+1)·cycle)`` in calendar units (a month after 31 January is the
  last day of February; the next window still starts from the anchor: 31 March). With a working-day type
  other than ``every_day`` a window is planned only if it contains at least one eligible day (a daily
  task on working days has no window on a Sunday; a weekly one none in a week wholly off).
* a deactivated task (``ends_at``) has no window starting at or after ``ends_at``.

Windows of one task never overlap and are produced in order. ``windows(schedule, a, b)`` yields those
whose **end** falls in ``(a, b]`` — the period a window is judged in, so consecutive periods share none;
``count_windows`` counts the same set without producing it, in a time that does not grow with the number
of windows (arithmetic, plus the few long runs of days off for tasks restricted to (non-)working days).
"""

from __future__ import annotations

import calendar as _stdcal
import enum
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from workflows.check_tasks import US, CheckSchedule, CycleUnit, Suspension, WorkdayType
from workflows.labels import N_, labelled
from workflows.work_calendar import WorkCalendar, statutory

ONE_DAY = timedelta(days=1)
EPS = timedelta(microseconds=1)


class WindowState(enum.StrEnum):
    upcoming = "upcoming"  # 未开始
    due = "due"  # 待排查: open now, no record yet
    done = "done"  # 已排查: a record inside the window
    late = "late"  # 逾期排查: recorded after the window closed
    missed = "missed"  # 超期未排查: closed without a record
    suspended = "suspended"  # 停用/检修: no record, and the window overlaps a suspension


labelled(WindowState, {WindowState.upcoming: N_("Upcoming"), WindowState.due: N_("Due"),
                       WindowState.done: N_("Done"), WindowState.late: N_("Done late"),
                       WindowState.missed: N_("Missed"), WindowState.suspended: N_("Suspended")})


WINDOW_STATE_NAMES = {WindowState.upcoming: "未开始", WindowState.due: "待排查", WindowState.done: "已排查",
                      WindowState.late: "逾期排查", WindowState.missed: "超期未排查",
                      WindowState.suspended: "停用/检修"}


@dataclass(frozen=True, order=True)
class Window:
    start: datetime
    end: datetime


def _midnight(d: date) -> datetime:
    return datetime(d.year, d.month, d.day)


def _us(delta: timedelta) -> int:
    return delta // EPS


_DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _add_months(dt: datetime, n: int) -> datetime:
    """``n`` calendar months after ``dt``, the day clamped to the month's last (31 Jan + 1 → 28/29 Feb)."""
    y, m = divmod(dt.month - 1 + n, 12)
    y += dt.year
    last = 29 if m == 1 and _stdcal.isleap(y) else _DAYS_IN_MONTH[m]
    return dt.replace(year=y, month=m + 1, day=min(dt.day, last))


class _Engine:
    """One schedule against one calendar; the functions below are thin wrappers around it."""

    __slots__ = ("s", "cal", "ws", "we", "step", "n", "days", "months")

    def __init__(self, s: CheckSchedule, cal: WorkCalendar):
        self.s, self.cal = s, cal
        # An anchored window is a fixed number of days (day, week) or of calendar months (month, year).
        self.days = self.months = None
        if s.unit is CycleUnit.day or s.unit is CycleUnit.week:
            self.days = timedelta(days=s.cycle * (7 if s.unit is CycleUnit.week else 1))
        elif s.unit is not CycleUnit.hour:
            self.months = s.cycle * (12 if s.unit is CycleUnit.year else 1)
        else:
            # Hourly windows of a day in integer microseconds after midnight: slot i starts at ws + i·step
            # and ends at min(ws + (i+1)·step, we); there are n of them.
            self.ws, self.we, self.step = s.work_start * US, s.work_end * US, s.cycle * 3600 * US
            self.n = -(-(self.we - self.ws) // self.step)

    # --- eligibility -------------------------------------------------------------------

    def eligible(self, d: date) -> bool:
        t = self.s.workday_type
        if t is WorkdayType.every_day:
            return True
        return self.cal.is_workday(d) == (t is WorkdayType.workdays)

    def eligible_between(self, a: date, b: date) -> int:
        """Eligible days in ``[a, b)``."""
        if b <= a:
            return 0
        t = self.s.workday_type
        if t is WorkdayType.every_day:
            return (b - a).days
        n = self.cal.working_days_between(a, b)
        return n if t is WorkdayType.workdays else (b - a).days - n

    # --- anchored units (day, week, month, year) -----------------------------------------

    def boundary(self, k: int) -> datetime:
        """Start of window ``k`` (= end of window ``k - 1``)."""
        if self.days is not None:
            return self.s.starts_at + k * self.days
        return _add_months(self.s.starts_at, k * self.months)

    def first_k_end_after(self, t: datetime) -> int:
        """Smallest ``k >= 0`` whose window ends after ``t``."""
        s = self.s
        if t < s.starts_at:
            return 0
        if self.days is not None:
            return (t - s.starts_at) // self.days
        months = self.months
        k = max(0, ((t.year - s.starts_at.year) * 12 + t.month - s.starts_at.month) // months - 1)
        while self.boundary(k + 1) <= t:
            k += 1
        while k > 0 and self.boundary(k) > t:
            k -= 1
        return k

    def k_limit(self) -> int | None:
        """Number of windows starting before ``ends_at`` (None: unbounded)."""
        if self.s.ends_at is None:
            return None
        # Window k starts before ends_at iff boundary(k) < ends_at iff k <= first_k_end_after(ends_at - ε).
        return self.first_k_end_after(self.s.ends_at - EPS) + 1

    def anchored_ks(self, a: datetime, b: datetime) -> range:
        lo, hi = self.first_k_end_after(a), self.first_k_end_after(b)
        limit = self.k_limit()
        if limit is not None:
            hi = min(hi, limit)
        return range(lo, max(lo, hi))

    def anchored_window_ok(self, start: datetime, end: datetime) -> bool:
        if self.s.workday_type is WorkdayType.every_day:
            return True
        return self.eligible_between(start.date(), (end - EPS).date() + ONE_DAY) > 0

    # --- hourly --------------------------------------------------------------------------

    def _ends_upto(self, x: int) -> int:
        """Slots of a day ending at or before ``x`` (microseconds after that day's midnight)."""
        if x >= self.we:
            return self.n
        return min(self.n - 1, max(0, (x - self.ws) // self.step))

    def _starts_before(self, x: int) -> int:
        """Slots of a day starting before ``x``."""
        return min(self.n, max(0, -(-(x - self.ws) // self.step)))

    def day_slot_range(self, d: date, a: datetime, b: datetime) -> range:
        """Indices of day ``d``'s slots whose end is in ``(a, b]`` and that exist (start bounds)."""
        base = _midnight(d)
        lo = max(self._ends_upto(_us(a - base)), self._starts_before(_us(self.s.starts_at - base)))
        hi = self._ends_upto(_us(b - base))
        if self.s.ends_at is not None:
            hi = min(hi, self._starts_before(_us(self.s.ends_at - base)))
        return range(lo, max(lo, hi))

    def slot(self, base: datetime, i: int) -> Window:
        start = self.ws + i * self.step
        return Window(base + timedelta(microseconds=start),
                      base + timedelta(microseconds=min(start + self.step, self.we)))

    def hourly_day_bounds(self, a: datetime, b: datetime) -> tuple[date, date]:
        """The days that can hold a window ending in ``(a, b]``: ``[first, last]`` inclusive."""
        first = max(a.date(), self.s.starts_at.date())
        last = b.date()
        if self.s.ends_at is not None:
            last = min(last, self.s.ends_at.date())
        return first, last

    def count_hourly(self, a: datetime, b: datetime) -> int:
        first, last = self.hourly_day_bounds(a, b)
        if last < first:
            return 0
        # Every day strictly inside (first, last) holds all its slots: they end after a (the day starts
        # after a's day) and by b (they end by the next midnight, at latest b's), start after starts_at
        # and before ends_at for the same reason.
        n = self.eligible_between(first + ONE_DAY, last) * self.n
        for d in {first, last}:
            if self.eligible(d):
                n += len(self.day_slot_range(d, a, b))
        return n

    def iter_hourly(self, a: datetime, b: datetime) -> Iterator[Window]:
        first, last = self.hourly_day_bounds(a, b)
        d = first
        while d <= last:
            if self.eligible(d):
                base = _midnight(d)
                for i in range(self.n) if first < d < last else self.day_slot_range(d, a, b):
                    yield self.slot(base, i)
            d += ONE_DAY

    # --- both ----------------------------------------------------------------------------

    def windows(self, a: datetime, b: datetime) -> Iterator[Window]:
        if b <= a:
            return
        if self.s.unit is CycleUnit.hour:
            yield from self.iter_hourly(a, b)
            return
        for k in self.anchored_ks(a, b):
            w = Window(self.boundary(k), self.boundary(k + 1))
            if self.anchored_window_ok(w.start, w.end):
                yield w

    def count(self, a: datetime, b: datetime) -> int:
        if b <= a:
            return 0
        s = self.s
        if s.unit is CycleUnit.hour:
            return self.count_hourly(a, b)
        if s.workday_type is WorkdayType.every_day:
            return len(self.anchored_ks(a, b))
        ks = self.anchored_ks(a, b)
        if not ks:
            return 0
        if s.unit is CycleUnit.day and s.cycle == 1 and s.starts_at.time() == datetime.min.time():
            # Daily windows are whole days: count the eligible days among them.
            return self.eligible_between(self.boundary(ks.start).date(), self.boundary(ks.stop).date())
        return len(ks) - self.windows_without_eligible_day(ks)

    def windows_without_eligible_day(self, ks: range) -> int:
        """How many windows ``k in ks`` hold no eligible day, without looking at each window.

        Such a window lies wholly inside a run of ineligible days (weekends and holidays for a working-day
        task, working days for the other) at least as long as the shortest window; for each such run,
        the windows inside it form a range of ``k`` found from two window indices (``first_k_end_after``).
        """
        s = self.s
        min_days = s.cycle * {CycleUnit.day: 1, CycleUnit.week: 7, CycleUnit.month: 28, CycleUnit.year: 365}[s.unit]
        first = self.boundary(ks.start).date()
        end = (self.boundary(ks.stop) - EPS).date() + ONE_DAY
        n = 0
        for r0, r1 in self.cal.runs(s.workday_type is WorkdayType.non_workdays, first, end, min_days):
            lo_t, hi_t = _midnight(r0), _midnight(r1)
            k_lo = 0 if s.starts_at >= lo_t else self.first_k_end_after(lo_t - EPS) + 1
            k_hi = self.first_k_end_after(hi_t)  # windows ending by the run's end
            n += max(0, min(k_hi, ks.stop) - max(k_lo, ks.start))
        return n

    def window_at(self, t: datetime) -> Window | None:
        """The window containing ``t`` (``start <= t < end``), if any."""
        if self.s.unit is CycleUnit.hour:
            d = t.date()
            if not self.eligible(d):
                return None
            base = _midnight(d)
            off = _us(t - base)
            if off < self.ws or off >= self.we:
                return None
            w = self.slot(base, (off - self.ws) // self.step)
        else:
            if t < self.s.starts_at:
                return None
            k = self.first_k_end_after(t)
            w = Window(self.boundary(k), self.boundary(k + 1))
            if not self.anchored_window_ok(w.start, w.end):
                return None
        if w.start < self.s.starts_at or (self.s.ends_at is not None and w.start >= self.s.ends_at):
            return None
        return w


def windows(schedule: CheckSchedule, a: datetime, b: datetime,
            calendar: WorkCalendar | None = None) -> Iterator[Window]:
    """The windows whose end falls in ``(a, b]``, in order, lazily (naive CST datetimes)."""
    return _Engine(schedule, calendar or statutory()).windows(a, b)


def count_windows(schedule: CheckSchedule, a: datetime, b: datetime,
                  calendar: WorkCalendar | None = None) -> int:
    """``len(list(windows(schedule, a, b)))`` without producing them."""
    return _Engine(schedule, calendar or statutory()).count(a, b)


def count_windows_by_schedule(schedules: Iterable[CheckSchedule], a: datetime, b: datetime,
                              calendar: WorkCalendar | None = None) -> dict[CheckSchedule, int]:
    """``count_windows`` of each distinct schedule once: tasks defined in bulk (all measures of a control
    level, from the same date) share one schedule, and the app sums the counts per group."""
    cal = calendar or statutory()
    out: dict[CheckSchedule, int] = {}
    for s in schedules:
        if s not in out:
            out[s] = _Engine(s, cal).count(a, b)
    return out


def window_at(schedule: CheckSchedule, t: datetime, calendar: WorkCalendar | None = None) -> Window | None:
    """The window open at ``t`` (the one a record made at ``t`` belongs to by default), if any."""
    return _Engine(schedule, calendar or statutory()).window_at(t)


def windows_overlapping(schedule: CheckSchedule, a: datetime, b: datetime,
                        calendar: WorkCalendar | None = None) -> Iterator[Window]:
    """The windows that share time with ``[a, b)`` (for a list "from … to"), in order."""
    eng = _Engine(schedule, calendar or statutory())
    if b <= a:
        return
    yield from eng.windows(a, b)
    w = eng.window_at(b)
    if w is not None and w.end > b and w.start < b:
        yield w


# --- suspensions ------------------------------------------------------------------------

def merge_suspensions(periods: Iterable[Suspension]) -> list[Suspension]:
    """Overlapping or touching periods as one, sorted."""
    out: list[Suspension] = []
    for p in sorted(periods, key=lambda p: p.starts_at):
        if out and p.starts_at <= out[-1].ends_at:
            if p.ends_at > out[-1].ends_at:
                out[-1] = Suspension(out[-1].starts_at, p.ends_at)
        else:
            out.append(p)
    return out


def overlaps_suspension(w: Window, merged: list[Suspension]) -> bool:
    """Whether the window shares time with a period of ``merge_suspensions``' result (bisection)."""
    i = bisect_right([p.starts_at for p in merged], w.start) - 1
    if i >= 0 and merged[i].ends_at > w.start:
        return True
    return i + 1 < len(merged) and merged[i + 1].starts_at < w.end


def count_suspended_windows(schedule: CheckSchedule, a: datetime, b: datetime, periods: Iterable[Suspension],
                            calendar: WorkCalendar | None = None) -> int:
    """Windows ending in ``(a, b]`` that overlap any of ``periods``, counted once each, without iterating.

    The windows overlapping a period ``[s0, s1)`` are exactly those ending in ``(s0, E]``, where ``E`` is the
    end of the window open at ``s1`` if one straddles it, else ``s1``; those end-intervals are merged and
    counted with ``count_windows``.
    """
    eng = _Engine(schedule, calendar or statutory())
    spans: list[tuple[datetime, datetime]] = []
    for p in merge_suspensions(periods):
        w = eng.window_at(p.ends_at - EPS)
        e = w.end if w is not None and w.end > p.ends_at else p.ends_at
        lo, hi = max(a, p.starts_at), min(b, e)
        if hi > lo:
            if spans and lo <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(hi, spans[-1][1]))
            else:
                spans.append((lo, hi))
    return sum(eng.count(lo, hi) for lo, hi in spans)


# --- states -----------------------------------------------------------------------------

def window_state(w: Window, now: datetime, recorded_at: datetime | None = None,
                 suspended: bool = False) -> WindowState:
    """The state of one window at ``now``, given the time of its record (if any).

    A record wins over a suspension (the check was done, so it counts; docs/checks.md), and a record made
    before ``now`` is the only kind there is: the app never binds a record to an upcoming window.
    """
    if recorded_at is not None:
        return WindowState.done if recorded_at < w.end else WindowState.late
    if suspended:
        return WindowState.suspended
    if now < w.start:
        return WindowState.upcoming
    if now < w.end:
        return WindowState.due
    return WindowState.missed


def window_states(schedule: CheckSchedule, a: datetime, b: datetime, now: datetime,
                  records: Mapping[datetime, datetime] | None = None,
                  suspensions: Iterable[Suspension] = (),
                  calendar: WorkCalendar | None = None) -> Iterator[tuple[Window, WindowState]]:
    """Each window ending in ``(a, b]`` with its state; ``records`` maps a window's start to its record time."""
    records = records or {}
    merged = merge_suspensions(suspensions)
    for w in windows(schedule, a, b, calendar):
        yield w, window_state(w, now, records.get(w.start), bool(merged) and overlaps_suspension(w, merged))


def bind_record(schedule: CheckSchedule, recorded_at: datetime, window_start: datetime | None = None,
                calendar: WorkCalendar | None = None) -> Window | None:
    """The window a record belongs to: the one starting at ``window_start`` if given (a late check of a
    past window; None if no window starts there), else the window open at ``recorded_at``. A record for
    a window that has not started yet is refused (None)."""
    eng = _Engine(schedule, calendar or statutory())
    if window_start is None:
        return eng.window_at(recorded_at)
    w = eng.window_at(window_start)
    if w is None or w.start != window_start or w.start > recorded_at:
        return None
    return w
