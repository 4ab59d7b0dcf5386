"""The hazard register as Excel (隐患台账): every hazard matching the register's filters, read in
batches and written row by row through the one export service (``app.exports``); a large register is
built in the background."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import access, xlsx
from app.clock import to_local
from app.exports import ExportKind
from app.extensions import db
from app.hazards.models import Hazard
from app.hazards.register import newest_first, register_query

NAME = "hazards.register"
HEADERS = ("隐患编号", "隐患名称", "企业", "隐患级别", "状态", "整改期限", "是否逾期", "上报时间", "确认时间", "销号时间", "按期销号")
WIDTHS = (16, 36, 30, 14, 10, 12, 8, 17, 17, 17, 8)
STATE_ZH = {"reported": "已上报", "rectifying": "整改中", "pending_review": "待验收", "closed": "已销号",
            "voided": "已撤销"}
LEVEL_ZH = {"general": "一般事故隐患", "major": "重大事故隐患"}
NOTES = ("是否逾期：未销号且已过整改期限（期限日之后）。", "按期销号：销号日期（北京时间）不晚于整改期限；未设期限的计为按期。")
BATCH = 1000
DATES = ("date_from", "date_to")


def params(filters: dict) -> dict:
    """The register's filters as JSON values (kept with a background export)."""
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in filters.items() if v is not None}


def _filters(values: dict) -> dict:
    return {k: date.fromisoformat(v) if k in DATES else v for k, v in values.items()}


def _query(actor, values: dict):
    access.require(actor, "hazard.list")
    return register_query(actor, **_filters(values))


def _ts(value):
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def rows(stmt, order):
    """One tuple per hazard, in the register's order, read ``BATCH`` at a time (their enterprises per batch)."""
    for h in db.session.scalars(stmt.order_by(*order).options(selectinload(Hazard.enterprise))
                                .execution_options(yield_per=BATCH)):
        on_time = ""
        if h.closed_at is not None:
            on_time = "是" if h.deadline is None or to_local(h.closed_at).date() <= h.deadline else "否"
        yield (h.code, h.title, h.enterprise.name, LEVEL_ZH.get(h.level.value, "") if h.level else "",
               STATE_ZH.get(h.state.value, h.state.value), h.deadline, "是" if h.overdue else "否",
               _ts(h.created_at), _ts(h.confirmed_at), _ts(h.closed_at), on_time)


def sheet(actor, values: dict) -> xlsx.Sheet:
    return xlsx.Sheet("隐患台账", HEADERS, rows(_query(actor, values), newest_first(_filters(values))), NOTES, WIDTHS)


def count(actor, values: dict) -> int:
    stmt = _query(actor, values)
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


KIND = ExportKind(NAME, "隐患台账", "hazard-register.xlsx", sheet, count)
