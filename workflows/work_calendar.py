"""The working-day calendar of China: statutory holidays and adjusted working days (调休), per year.

Framework-free. A ``WorkCalendar`` holds, per year, the days off (放假) and the weekend days worked
(调休上班) of the State Council notice, with the notice's citation. A day is a working day when it is
an adjusted working day, or a Monday–Friday that is not a day off. A year without data falls back to
Monday–Friday; ``has_year`` tells the dashboard to warn the admin that the year is missing.

The calendars shipped (``workflows/holidays_cn.py``) and an admin's import use one plain text format,
one statement a line (``#`` starts a comment)::

    year 2026
    title 国务院办公厅关于2026年部分节假日安排的通知
    document 国办发明电〔2025〕7号
    issued 2025-11-04
    source https://www.gov.cn/...
    holiday 2026-02-15 2026-02-23 春节      (first and last day off, inclusive; then the name)
    workday 2026-02-14 春节                 (a weekend day worked)

``parse`` raises ``CalendarFormatError`` with the line number and a reason code; ``dumps`` writes the
same format back, so an export can be edited and imported again.

Counting is closed-form (weekdays by arithmetic, corrections by bisection), so counting the working
days of a quarter costs the same as those of a day: the check-window counts rely on it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cached_property

from workflows.holidays_cn import STATUTORY_CALENDARS

ONE_DAY = timedelta(days=1)


class CalendarFormatError(ValueError):
    """A bad line of an imported calendar. ``line`` is 1-based; ``reason`` is one of:

    unknown_statement, missing_year, bad_year, bad_date, outside_year, end_before_start, missing_name,
    workday_not_weekend, holiday_on_workday (a day both off and worked), duplicate_year, missing_citation.
    """

    def __init__(self, line: int, reason: str, text: str = ""):
        self.line, self.reason, self.text = line, reason, text
        super().__init__(f"line {line}: {reason}: {text!r}")


@dataclass(frozen=True)
class Holiday:
    name: str
    first: date
    last: date  # inclusive, as the notices say "2月15日至23日"


@dataclass(frozen=True)
class AdjustedWorkday:
    day: date
    name: str  # the holiday it makes up for


@dataclass(frozen=True)
class YearCalendar:
    year: int
    title: str  # 国务院办公厅关于YYYY年部分节假日安排的通知
    document: str  # 国办发明电〔YYYY〕N号
    issued: date | None
    source: str = ""  # where the text was read
    holidays: tuple[Holiday, ...] = ()
    workdays: tuple[AdjustedWorkday, ...] = ()

    @cached_property
    def days_off(self) -> frozenset[date]:
        days = set()
        for h in self.holidays:
            d = h.first
            while d <= h.last:
                days.add(d)
                d += ONE_DAY
        return frozenset(days)

    @cached_property
    def days_worked(self) -> frozenset[date]:
        return frozenset(w.day for w in self.workdays)


def _weekdays_before(d: date) -> int:
    """Mondays–Fridays from a fixed Monday (0001-01-01 is a Monday) up to ``d`` exclusive."""
    n = d.toordinal() - 1
    weeks, rest = divmod(n, 7)
    return weeks * 5 + min(rest, 5)


@dataclass(frozen=True)
class WorkCalendar:
    years: Mapping[int, YearCalendar] = field(default_factory=dict)

    @cached_property
    def _off_weekdays(self) -> list[int]:
        # Days off that would otherwise be working days (a holiday on a Saturday changes nothing).
        return sorted(d.toordinal() for y in self.years.values() for d in y.days_off if d.weekday() < 5)

    @cached_property
    def _worked_weekends(self) -> list[int]:
        return sorted(d.toordinal() for y in self.years.values() for d in y.days_worked if d.weekday() >= 5)

    @cached_property
    def _off(self) -> frozenset[date]:
        return frozenset(d for y in self.years.values() for d in y.days_off)

    @cached_property
    def _worked(self) -> frozenset[date]:
        return frozenset(d for y in self.years.values() for d in y.days_worked)

    def has_year(self, year: int) -> bool:
        """Whether the statutory calendar of ``year`` is known (else: warn, and count Monday–Friday)."""
        return year in self.years

    def missing_years(self, years: Iterable[int]) -> list[int]:
        return [y for y in years if y not in self.years]

    def is_workday(self, d: date) -> bool:
        if d in self._worked:
            return True
        if d in self._off:
            return False
        return d.weekday() < 5

    def holiday_name(self, d: date) -> str | None:
        y = self.years.get(d.year)
        if y is None:
            return None
        for h in y.holidays:
            if h.first <= d <= h.last:
                return h.name
        return None

    def holidays_between(self, a: date, b: date) -> list[Holiday]:
        """The statutory holidays whose first day off is in ``[a, b)``, in order: the "before holidays"
        (节假日前) checks of the 包保 technical person are planned from them."""
        return sorted((h for y in range(a.year, b.year + 1) if y in self.years for h in self.years[y].holidays
                       if a <= h.first < b), key=lambda h: h.first)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in ``[a, b)`` (``b`` excluded; 0 when ``b <= a``), in constant time."""
        if b <= a:
            return 0
        n = _weekdays_before(b) - _weekdays_before(a)
        lo, hi = a.toordinal(), b.toordinal()
        n -= bisect_left(self._off_weekdays, hi) - bisect_left(self._off_weekdays, lo)
        n += bisect_left(self._worked_weekends, hi) - bisect_left(self._worked_weekends, lo)
        return n

    def non_working_days_between(self, a: date, b: date) -> int:
        """Days in ``[a, b)`` that are not working days (weekends and holidays, minus 调休)."""
        return max(0, (b - a).days) - self.working_days_between(a, b)

    def add_working_days(self, d: date, n: int) -> date:
        """The ``n``-th working day after ``d`` (before it when ``n < 0``); ``n == 0`` gives ``d``.

        ``d`` itself need not be a working day: 3 working days after a Saturday is the Wednesday
        after it in an ordinary week (Mon, Tue, Wed).
        """
        step = ONE_DAY if n >= 0 else -ONE_DAY
        left = abs(n)
        while left:
            d += step
            if self.is_workday(d):
                left -= 1
        return d

    @cached_property
    def _runs_cache(self) -> dict:
        return {}

    def _year_runs(self, working: bool, year: int, min_len: int) -> list[tuple[date, date]]:
        """Maximal runs of days with ``is_workday(d) == working`` that start in ``year`` and last at least
        ``min_len`` days, as ``(first, end)`` with ``end`` excluded. Computed once per key and kept."""
        key = (working, year, min_len)
        runs = self._runs_cache.get(key)
        if runs is None:
            runs = []
            d, stop = date(year, 1, 1), date(year + 1, 1, 1)
            # A run going on at 1 January started the year before: skip to its end.
            while d < stop and self.is_workday(d - ONE_DAY) == working and self.is_workday(d) == working:
                d += ONE_DAY
            while d < stop:
                if self.is_workday(d) != working:
                    d += ONE_DAY
                    continue
                first = d
                while self.is_workday(d) == working:
                    d += ONE_DAY
                if (d - first).days >= min_len:
                    runs.append((first, d))
            self._runs_cache[key] = runs
        return runs

    def runs(self, working: bool, first: date, end: date, min_len: int = 1) -> list[tuple[date, date]]:
        """The maximal runs of working (or non-working) days of at least ``min_len`` days that share a day
        with ``[first, end)``; each as ``(first day, day after the last)``. Check windows use them to find
        the windows that hold no eligible day without looking at every window."""
        out = []
        for y in range(first.year - 1, end.year + 1):
            out += [r for r in self._year_runs(working, y, min_len) if r[1] > first and r[0] < end]
        return out

    def merged(self, other: WorkCalendar) -> WorkCalendar:
        """This calendar with ``other``'s years added or replacing its own (an admin's import)."""
        return WorkCalendar({**self.years, **other.years})


# --- the text format ---------------------------------------------------------------------

def _date(text: str, line: int) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CalendarFormatError(line, "bad_date", text) from None


def parse(text: str) -> WorkCalendar:
    """Read the format described in the module docstring; every year must carry its citation."""
    years: dict[int, dict] = {}
    current: dict | None = None
    for no, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word == "year":
            if not rest.isdigit() or not 1900 < int(rest) < 2200:
                raise CalendarFormatError(no, "bad_year", rest)
            if int(rest) in years:
                raise CalendarFormatError(no, "duplicate_year", rest)
            current = {"year": int(rest), "title": "", "document": "", "issued": None, "source": "",
                       "holidays": [], "workdays": [], "line": no}
            years[int(rest)] = current
            continue
        if current is None:
            raise CalendarFormatError(no, "missing_year", raw)
        if word in ("title", "document", "source"):
            current[word] = rest
        elif word == "issued":
            current["issued"] = _date(rest, no)
        elif word == "holiday":
            parts = rest.split(maxsplit=2)
            if len(parts) < 3:
                raise CalendarFormatError(no, "missing_name", raw)
            first, last = _date(parts[0], no), _date(parts[1], no)
            if last < first:
                raise CalendarFormatError(no, "end_before_start", raw)
            # A notice's holiday may not run into the next year; the next year's notice covers it.
            if first.year != current["year"] or last.year != current["year"]:
                raise CalendarFormatError(no, "outside_year", raw)
            current["holidays"].append(Holiday(parts[2], first, last))
        elif word == "workday":
            parts = rest.split(maxsplit=1)
            if len(parts) < 2:
                raise CalendarFormatError(no, "missing_name", raw)
            day = _date(parts[0], no)
            if day.year != current["year"]:
                raise CalendarFormatError(no, "outside_year", raw)
            if day.weekday() < 5:
                raise CalendarFormatError(no, "workday_not_weekend", raw)
            current["workdays"].append(AdjustedWorkday(day, parts[1]))
        else:
            raise CalendarFormatError(no, "unknown_statement", raw)
    out = {}
    for y, data in years.items():
        if not data["title"] or not data["document"]:
            raise CalendarFormatError(data["line"], "missing_citation", str(y))
        cal = YearCalendar(y, data["title"], data["document"], data["issued"], data["source"],
                           tuple(data["holidays"]), tuple(data["workdays"]))
        clash = cal.days_off & cal.days_worked
        if clash:
            raise CalendarFormatError(data["line"], "holiday_on_workday", min(clash).isoformat())
        out[y] = cal
    return WorkCalendar(out)


def dumps(calendar: WorkCalendar) -> str:
    lines = []
    for y in sorted(calendar.years):
        c = calendar.years[y]
        lines += [f"year {y}", f"title {c.title}", f"document {c.document}"]
        if c.issued:
            lines.append(f"issued {c.issued.isoformat()}")
        if c.source:
            lines.append(f"source {c.source}")
        lines += [f"holiday {h.first.isoformat()} {h.last.isoformat()} {h.name}" for h in c.holidays]
        lines += [f"workday {w.day.isoformat()} {w.name}" for w in c.workdays]
        lines.append("")
    return "\n".join(lines)


def statutory() -> WorkCalendar:
    """The verified calendars shipped with the product (workflows/holidays_cn.py)."""
    return _STATUTORY


_STATUTORY = parse(STATUTORY_CALENDARS)
