"""The figures of the checks as an Excel workbook (openpyxl): the totals, then one row per group.

The numbers are those of ``queries.check_stats`` (one definition: workflows/check_figures.py); the rate is
written as a number (0–1, shown as a percentage), empty when nothing was expected.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = ["分组", "应排查", "按时完成", "逾期排查", "超期未排查", "停用/检修", "待排查", "完成率"]
KEYS = ["planned", "done", "late", "missed", "suspended", "due", "completion_rate"]


def figures_xlsx(stats: dict, *, title: str, period: str, group_title: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "排查任务完成情况"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"期间：{period}"])
    ws.append(["完成率 = 按时完成 ÷（应排查 − 停用/检修）；逾期排查计入统计但不计入完成率。"])
    ws.append([])
    ws.append([group_title, *HEADERS[1:]])
    for cell in ws[5]:
        cell.font = Font(bold=True)
    for group in stats.get("groups", []):
        ws.append([group.get("name") or "", *(group.get(k) for k in KEYS)])
    ws.append(["合计", *(stats.get(k) for k in KEYS)])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=6, min_col=8, max_col=8):
        for cell in row:
            cell.number_format = "0.0%"
    ws.column_dimensions["A"].width = 28
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def missed_xlsx(rows: list[dict], *, title: str, period: str) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "超期未排查"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append([f"期间：{period}"])
    ws.append([])
    # One row per task with its number of missed windows: an hourly task misses thousands a quarter.
    ws.append(["企业", "风险分析单元", "管控措施", "排查人", "任务类型", "排查周期", "超期未排查时段数"])
    for cell in ws[4]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r["enterprise"], r["unit"], r["measure"], r["assignee"], r["task_type"], r["when"], r["missed"]])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
