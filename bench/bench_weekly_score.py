"""Benchmark of the weekly-score core: scoring and explaining a city's enterprises for one week.

Issue 14 item 8 asks for the weekly score of all enterprises in < 5 min in the scan; this measures the
framework-free part (rule-set selection by region and date, ``compute``, ``explain``) for 10 000
enterprises, so the scan's budget is left to the queries. Baseline: building the same inputs only.

Framework-free (no database). Usage: .venv/bin/python bench/bench_weekly_score.py [--quick]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflows.check_figures import CheckFigures  # noqa: E402
from workflows.isoweek import parse_week  # noqa: E402
from workflows.weekly_score import DEFAULT, WeekInputs, compute, explain, ruleset_for  # noqa: E402

QUICK = "--quick" in sys.argv
N = 2_000 if QUICK else 10_000
RUNS = 5
rng = random.Random(48)


def make_inputs():
    out = []
    for _ in range(N):
        planned = rng.randint(0, 400)
        suspended = rng.randint(0, planned // 20)
        done = rng.randint(0, planned - suspended)
        late = rng.randint(0, planned - suspended - done)
        due = rng.randint(0, 15)
        duties = rng.randint(0, 4)
        vetoes = frozenset({"major_hazard_overdue"}) if rng.random() < 0.02 else frozenset()
        out.append((f"3201{rng.randint(0, 99):02d}", WeekInputs(CheckFigures(planned, done, late, suspended),
                    due, rng.randint(0, due), rng.randint(0, 6), duties, rng.randint(0, duties), vetoes)))
    return out


def main():
    week = parse_week("2026-W48")
    base, full = [], []
    for _ in range(RUNS):
        t = time.perf_counter()
        items = make_inputs()
        base.append(time.perf_counter() - t)
        t = time.perf_counter()
        for region, i in items:
            rs = ruleset_for(region, week.monday)
            s = compute(i, rs, week)
            explain(s, i, rs)
        full.append(time.perf_counter() - t)
    b, f = statistics.median(base), statistics.median(full)
    print(f"enterprises: {N}, runs: {RUNS} (median)")
    print(f"baseline (building inputs): {b * 1000:.0f} ms")
    print(f"select + compute + explain: {f * 1000:.0f} ms ({f / N * 1e6:.1f} µs per enterprise, "
          f"{f / b:.1f}× the baseline)")
    assert ruleset_for("320100", week.monday) is DEFAULT


if __name__ == "__main__":
    main()
