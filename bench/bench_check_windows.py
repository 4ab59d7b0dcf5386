"""Benchmarks of the check-window engine (prints figures and ratios against a baseline measured in this run).

1. Producing windows: one quarter of a round-the-clock hourly task (2 160 windows) repeatedly, in windows
   per second; baseline: a bare loop producing the same number of (start, end) datetime pairs.
2. Counting a quarter for 200 000 tasks with a mix of cycles (hourly to yearly, every day / working days /
   non-working days, some deactivated) with ``count_windows`` (closed form); baseline: one bare
   ``(b - a) // step`` per task, the cheapest count conceivable. Also: iterating the windows of a sample of
   the same tasks, extrapolated, to show what the closed form saves, and a check that both agree.
3. The planned count of a county (20 000 tasks) for one week, median of 5.
4. Counting the suspended windows of 20 000 of those tasks, each with two suspension periods.

Framework-free (no database). Usage: .venv/bin/python bench/bench_check_windows.py [--quick]
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflows.check_tasks import Suspension, schedule_from_input  # noqa: E402
from workflows.check_windows import (  # noqa: E402
    count_suspended_windows,
    count_windows,
    count_windows_by_schedule,
    windows,
)

QUICK = "--quick" in sys.argv
N_TASKS = 20_000 if QUICK else 200_000
SAMPLE = 1_000 if QUICK else 4_000
Q_START, Q_END = datetime(2026, 1, 1), datetime(2026, 4, 1)  # a quarter with the Spring Festival in it

# (share, cycle, unit, hours): a plausible mix for 4 measures per unit in a chemical plant.
MIX = [
    (0.10, 1, "hour", ("00:00", "24:00")), (0.10, 2, "hour", ("08:00", "18:00")),
    (0.05, 4, "hour", ("00:00", "24:00")), (0.05, 8, "hour", ("00:00", "24:00")),
    (0.25, 1, "day", None), (0.05, 3, "day", None), (0.20, 1, "week", None), (0.10, 1, "month", None),
    (0.05, 3, "month", None), (0.05, 1, "year", None),
]
WTYPES = ["every_day"] * 6 + ["workdays"] * 3 + ["non_workdays"]


def make_tasks(n: int, rnd: random.Random):
    tasks = []
    shares = [m[0] for m in MIX]
    for _ in range(n):
        _share, cycle, unit, hours = rnd.choices(MIX, shares)[0]
        start = datetime(2025, 10, 1) + timedelta(days=rnd.randrange(0, 120))
        ends = start + timedelta(days=rnd.randrange(30, 400)) if rnd.random() < 0.1 else None
        tasks.append(schedule_from_input(
            cycle=cycle, cycle_unit=unit, starts_at=start, workday_type=rnd.choice(WTYPES),
            work_start=hours[0] if hours else None, work_end=hours[1] if hours else None, ends_at=ends))
    return tasks


def bench_iteration() -> None:
    s = schedule_from_input(cycle=1, cycle_unit="hour", starts_at="2026-01-01T00:00", work_start="00:00",
                            work_end="24:00")
    rounds = 20 if QUICK else 100
    n = sum(1 for _ in windows(s, Q_START, Q_END))
    t0 = time.perf_counter()
    for _ in range(rounds):
        t, step, out = Q_START, timedelta(hours=1), 0
        while t < Q_END:
            pair = (t, t + step)
            out += pair is not None
            t += step
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(rounds):
        for _w in windows(s, Q_START, Q_END):
            pass
    elapsed = time.perf_counter() - t0
    print(f"windows: {n} per quarter of an hourly task; {n * rounds / elapsed:,.0f} windows/s "
          f"(bare datetime pairs {n * rounds / baseline:,.0f}/s; ratio {elapsed / baseline:.1f}x)")


def bench_counting() -> None:
    rnd = random.Random(13)
    tasks = make_tasks(N_TASKS, rnd)
    steps = [timedelta(hours=s.cycle) if s.unit == "hour" else timedelta(days=1) for s in tasks]
    t0 = time.perf_counter()
    bare = sum((Q_END - Q_START) // st for st in steps)
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    total = sum(count_windows(s, Q_START, Q_END) for s in tasks)
    elapsed = time.perf_counter() - t0
    print(f"count a quarter: {N_TASKS:,} tasks, {total:,} windows, in {elapsed:.2f} s "
          f"= {N_TASKS / elapsed:,.0f} tasks/s; bare division {baseline:.3f} s ({bare:,} 'windows'); "
          f"ratio {elapsed / baseline:.0f}x")
    t0 = time.perf_counter()
    by_schedule = count_windows_by_schedule(tasks, Q_START, Q_END)
    grouped = sum(by_schedule[s] for s in tasks)
    g_elapsed = time.perf_counter() - t0
    assert grouped == total
    print(f"  by distinct schedule: {len(by_schedule):,} distinct of {N_TASKS:,}, {g_elapsed:.2f} s "
          f"(tasks here start on random days; tasks defined in bulk share more)")
    sample = tasks[:SAMPLE]
    t0 = time.perf_counter()
    iterated = [sum(1 for _ in windows(s, Q_START, Q_END)) for s in sample]
    it_elapsed = time.perf_counter() - t0
    t0 = time.perf_counter()
    counted = [count_windows(s, Q_START, Q_END) for s in sample]
    c_elapsed = time.perf_counter() - t0
    assert iterated == counted, "closed form and iteration disagree"
    print(f"  iterating instead: {SAMPLE:,} tasks in {it_elapsed:.2f} s, i.e. {it_elapsed * N_TASKS / SAMPLE:.1f} s "
          f"for {N_TASKS:,} (closed form {it_elapsed / c_elapsed:.0f}x faster on the same sample; counts equal)")


def bench_county_week() -> None:
    """The planned count of a county (100 enterprises × 200 tasks) for one week: the issue's 500 ms budget
    for the county's statistics has to hold the database work as well."""
    rnd = random.Random(19)
    tasks = make_tasks(20_000, rnd)
    a, b = datetime(2026, 2, 9), datetime(2026, 2, 16)
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        total = sum(count_windows(s, a, b) for s in tasks)
        runs.append(time.perf_counter() - t0)
    print(f"county week: 20,000 tasks, {total:,} windows planned, median {sorted(runs)[2] * 1000:.0f} ms "
          f"(the week before the Spring Festival)")


def bench_suspensions() -> None:
    rnd = random.Random(17)
    n = N_TASKS // 10
    tasks = make_tasks(n, rnd)
    stops = []
    for _ in tasks:
        a = Q_START + timedelta(hours=rnd.randrange(0, 24 * 80))
        b = a + timedelta(days=15) + timedelta(hours=rnd.randrange(0, 24 * 10))
        stops.append([Suspension(a, a + timedelta(hours=rnd.randrange(1, 200))),
                      Suspension(b, b + timedelta(hours=rnd.randrange(1, 200)))])
    t0 = time.perf_counter()
    baseline = sum(count_windows(s, Q_START, Q_END) for s in tasks)
    base_elapsed = time.perf_counter() - t0
    t0 = time.perf_counter()
    total = sum(count_suspended_windows(s, Q_START, Q_END, p) for s, p in zip(tasks, stops, strict=True))
    elapsed = time.perf_counter() - t0
    print(f"suspended windows: {n:,} tasks with 2 suspensions each, {total:,} of {baseline:,} windows suspended, "
          f"in {elapsed:.2f} s; plain counts {base_elapsed:.2f} s; ratio {elapsed / base_elapsed:.1f}x")


if __name__ == "__main__":
    bench_iteration()
    bench_counting()
    bench_county_week()
    bench_suspensions()
