"""The figures of check tasks (排查任务完成率 and its parts): defined here, once (docs/checks.md "Figures").

Framework-free. For a period ``(a, b]`` and a moment ``now``:

* **planned** (应排查): windows whose end falls in ``(a, min(b, now)]`` — the windows that closed in the
  period. A window is counted in exactly one period (the one it closes in), and an open window is not yet
  judged, so it is not planned yet (it shows as ``due``).
* **done** (按时排查): planned windows with a record made before the window closed.
* **late** (逾期排查): planned windows recorded after they closed. Counted, but NOT in the rate: the national
  clients show such a task as 超期未排查 when the week is scored, and the weekly score (national-model.md §4)
  divides completed by planned tasks of the past week.
* **suspended** (停用/检修): planned windows without a record that overlap a suspension period.
* **missed** (超期未排查): the rest: ``planned - done - late - suspended``.
* **completion_rate** = ``done / (planned - suspended)``; ``None`` when nothing was expected (not 100 %:
  no check was due, and 0/0 is shown as "—").
* **due** (待排查): windows open at ``now`` with no record yet — what waits, outside the rate.

The app computes the counts (closed-form windows, records from the database) and builds ``CheckFigures``
with them; dashboards, exports, the API and reports all read these properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from workflows.check_windows import (
    WindowState,
    merge_suspensions,
    overlaps_suspension,
    window_at,
    window_state,
    window_states,
)


@dataclass(frozen=True)
class CheckFigures:
    planned: int = 0
    done: int = 0
    late: int = 0
    suspended: int = 0
    due: int = 0

    def __post_init__(self):
        for name in ("planned", "done", "late", "suspended", "due"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} < 0")
        if self.done + self.late + self.suspended > self.planned:
            raise ValueError("done + late + suspended > planned")

    @property
    def missed(self) -> int:
        return self.planned - self.done - self.late - self.suspended

    @property
    def expected(self) -> int:
        """The denominator of the rate: planned windows not excused by a suspension."""
        return self.planned - self.suspended

    @property
    def completion_rate(self) -> float | None:
        return self.done / self.expected if self.expected else None

    def __add__(self, other: CheckFigures) -> CheckFigures:
        return CheckFigures(self.planned + other.planned, self.done + other.done, self.late + other.late,
                            self.suspended + other.suspended, self.due + other.due)

    def as_dict(self) -> dict:
        return {"planned": self.planned, "done": self.done, "late": self.late, "missed": self.missed,
                "suspended": self.suspended, "due": self.due, "completion_rate": self.completion_rate}


def figures_from_states(states: Iterable[WindowState], due: int = 0) -> CheckFigures:
    """Figures of windows already restricted to the period's closed windows (plus ``due`` open ones)."""
    counts = dict.fromkeys(WindowState, 0)
    for st in states:
        counts[st] += 1
    planned = counts[WindowState.done] + counts[WindowState.late] + counts[WindowState.missed] \
        + counts[WindowState.suspended]
    return CheckFigures(planned, counts[WindowState.done], counts[WindowState.late],
                        counts[WindowState.suspended], due + counts[WindowState.due])


def task_figures(schedule, a: datetime, b: datetime, now: datetime, records=None, suspensions=(),
                 calendar=None) -> CheckFigures:
    """One task's figures by walking its windows: the reference the app's counted figures must equal."""
    suspensions = list(suspensions)  # read twice below
    top = min(b, now)
    closed = [st for _w, st in window_states(schedule, a, top, now, records, suspensions, calendar)] \
        if top > a else []
    # The window open at ``now`` (if the period reaches it) is not judged yet: it only shows as "due".
    due = 0
    if a < now < b:
        w = window_at(schedule, now, calendar)
        merged = merge_suspensions(suspensions)
        if w is not None and window_state(w, now, (records or {}).get(w.start),
                                          bool(merged) and overlaps_suspension(w, merged)) is WindowState.due:
            due = 1
    return figures_from_states(closed, due)
