"""The hazard register as Excel, with the register's current filters (every matching row, read in batches,
written row by row)."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from app.clock import to_local
from app.dashboard import excel
from app.extensions import db

HEADERS = ("隐患编号", "隐患名称", "企业", "隐患级别", "状态", "整改期限", "是否逾期", "上报时间", "确认时间", "销号时间", "按期销号")
STATE_ZH = {"reported": "已上报", "rectifying": "整改中", "pending_review": "待验收", "closed": "已销号",
            "voided": "已撤销"}
LEVEL_ZH = {"general": "一般事故隐患", "major": "重大事故隐患"}


def _ts(value):
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value else ""


def register_rows(stmt):
    from app.hazards.models import Hazard

    for h in db.session.scalars(stmt.order_by(Hazard.id.desc()).options(selectinload(Hazard.enterprise))
                                .execution_options(yield_per=1000)):
        on_time = ""
        if h.closed_at is not None:
            on_time = "是" if h.deadline is None or to_local(h.closed_at).date() <= h.deadline else "否"
        yield (h.code, h.title, h.enterprise.name, LEVEL_ZH.get(h.level.value, "") if h.level else "",
               STATE_ZH.get(h.state.value, h.state.value), h.deadline, "是" if h.overdue else "否",
               _ts(h.created_at), _ts(h.confirmed_at), _ts(h.closed_at), on_time)


def register_xlsx(stmt):
    return excel.send("隐患台账", "hazard-register.xlsx", HEADERS, register_rows(stmt),
                      notes=["是否逾期：未销号且已过整改期限（期限日之后）。",
                             "按期销号：销号日期（北京时间）不晚于整改期限；未设期限的计为按期。"])
