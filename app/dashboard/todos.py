"""The periodic reports waiting for someone, as to-do sources (app/todos.py): the safety manager reviews a
generated report, the principal signs a reviewed one, and either submits a signed one; each by its
due date (16号令 第十四条)."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import literal, select

from app import todos
from app.auth.models import Role
from app.dashboard.models import PeriodicReport, ReportState

_WAITS = {  # state -> who acts on it (app/dashboard/policy.py)
    ReportState.draft: {Role.enterprise_manager},
    ReportState.reviewed: {Role.enterprise_principal},
    ReportState.approved: {Role.enterprise_manager, Role.enterprise_principal},
}


def _waiting(state: ReportState):
    def query(user):
        if user.role not in _WAITS[state] or user.enterprise_id is None:
            return None
        return (select(PeriodicReport.id, literal("隐患排查治理情况统计分析表 ") + PeriodicReport.period,
                       PeriodicReport.due_on)
                .where(PeriodicReport.enterprise_id == user.enterprise_id, PeriodicReport.state == state))
    return query


def _link(report_id: int) -> str:
    return url_for("dashboard.report", report_id=report_id)


def register() -> None:
    todos.register("report_review", label=_l("Periodic reports to review"), object_type="periodic_report",
                   query=_waiting(ReportState.draft), link=_link)
    todos.register("report_sign", label=_l("Periodic reports to sign"), object_type="periodic_report",
                   query=_waiting(ReportState.reviewed), link=_link)
    todos.register("report_submit", label=_l("Periodic reports to submit"), object_type="periodic_report",
                   query=_waiting(ReportState.approved), link=_link)
