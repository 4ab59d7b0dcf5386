"""The figures of the checks as Excel (through the one writer, ``app.xlsx``): the totals, then one row per
group; and the missed windows behind a figure.

The numbers are those of ``queries.check_stats`` (one definition: workflows/check_figures.py); the rate is
written as a number (0–1, shown as a percentage), empty when nothing was expected.
"""

from __future__ import annotations

from collections.abc import Iterable

from app import xlsx

HEADERS = ["分组", "应排查", "按时完成", "逾期排查", "超期未排查", "停用/检修", "待排查", "完成率"]
KEYS = ["planned", "done", "late", "missed", "suspended", "due", "completion_rate"]
RATE = {7: "0.0%"}


def figures_sheet(stats: dict, *, title: str, period: str, group_title: str) -> xlsx.Sheet:
    return xlsx.Sheet(
        "排查任务完成情况", [group_title, *HEADERS[1:]],
        ([group.get("name") or "", *(group.get(k) for k in KEYS)] for group in stats.get("groups", [])),
        widths=(28,), formats=RATE, total=["合计", *(stats.get(k) for k in KEYS)],
        preamble=([title], [f"期间：{period}"],
                  ["完成率 = 按时完成 ÷（应排查 − 停用/检修）；逾期排查计入统计但不计入完成率。"]))


def missed_sheet(rows: Iterable[dict], *, title: str, period: str) -> xlsx.Sheet:
    # One row per task with its number of missed windows: an hourly task misses thousands a quarter.
    return xlsx.Sheet(
        "超期未排查", ["企业", "风险分析单元", "管控措施", "排查人", "任务类型", "排查周期", "超期未排查时段数"],
        ([r["enterprise"], r["unit"], r["measure"], r["assignee"], r["task_type"], r["when"], r["missed"]]
         for r in rows),
        preamble=([title], [f"期间：{period}"]))
