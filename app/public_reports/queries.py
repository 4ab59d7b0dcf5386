"""Read side of public reports: the reporter's status, the statistics per authority, the to-do sources."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, case, cast, func, literal, select

from app import access, todos
from app.auth.models import Role
from app.extensions import db
from app.organisations.models import Authority, Region
from app.paging import Page, page_of_list
from app.public_reports.models import PublicReport
from app.public_reports.policy import HANDLERS
from workflows.public_reports import ReportState, RewardState

VERIFIED = (ReportState.verified, ReportState.closed)


def public_status(report: PublicReport) -> dict:
    """What the reporter reads through the ticket: the state, the result once closed, the reward."""
    closed = report.state in (ReportState.closed, ReportState.rejected)
    result = report.result if report.state == ReportState.closed else (
        report.decision_reason if report.state == ReportState.rejected else None)
    return {"state": report.state, "result": result if closed else None,
            "reward_state": report.reward_state if report.reward_state != RewardState.none else None,
            "reward_paid_on": report.reward_paid_on}


@dataclass
class Stats:
    authority_id: int
    authority: str
    region_code: str
    reports: int = 0
    accepted: int = 0
    verified: int = 0
    substantiated: int = 0
    rewards_proposed: int = 0
    rewards_paid: int = 0
    rewards_paid_amount: Decimal = Decimal("0.00")

    @property
    def substantiation_rate(self) -> float | None:
        """Substantiated among the verified (None before any verification)."""
        return round(self.substantiated / self.verified, 4) if self.verified else None


def statistics(user) -> list[Stats]:
    """One row per authority of ``user``'s region subtree (admin: all), reports counted where handled."""
    authorities = db.session.execute(access.visible(Authority, user).join(Region, Authority.region_id == Region.id)
                                     .with_only_columns(Authority.id, Authority.name, Region.code)
                                     .order_by(Region.path, Authority.id)).all()
    out = {a.id: Stats(a.id, a.name, a.code) for a in authorities}
    if not out:
        return []
    counted = case
    rows = db.session.execute(
        access.visible(PublicReport, user).where(PublicReport.authority_id.in_(list(out)))
        .with_only_columns(
            PublicReport.authority_id, func.count(),
            func.sum(counted((PublicReport.state.in_(
                [ReportState.accepted, *VERIFIED]), 1), else_=0)),
            func.sum(counted((PublicReport.state.in_(VERIFIED), 1), else_=0)),
            func.sum(counted((PublicReport.substantiated.is_(True), 1), else_=0)),
            func.sum(counted((PublicReport.reward_state != RewardState.none, 1), else_=0)),
            func.sum(counted((PublicReport.reward_state == RewardState.paid, 1), else_=0)),
            func.sum(counted((PublicReport.reward_state == RewardState.paid, PublicReport.reward_amount),
                             else_=0)))
        .group_by(PublicReport.authority_id)).all()
    for authority_id, n, accepted, verified, substantiated, proposed, paid, amount in rows:
        s = out[authority_id]
        s.reports, s.accepted, s.verified, s.substantiated = n, int(accepted or 0), int(verified or 0), \
            int(substantiated or 0)
        s.rewards_proposed, s.rewards_paid = int(proposed or 0), int(paid or 0)
        s.rewards_paid_amount = Decimal(str(amount or 0)).quantize(Decimal("0.01"))
    return list(out.values())


def statistics_page(user, page: int, per_page: int) -> Page:
    return page_of_list(statistics(user), page, per_page)


# --- to-do sources -----------------------------------------------------------------------------------

def _title():
    return literal("举报 #") + cast(PublicReport.id, String) + literal(" ") + PublicReport.enterprise_name


def _to_handle(user):
    if user.role not in HANDLERS or user.authority_id is None:
        return None
    return select(PublicReport.id, _title(), PublicReport.step_due).where(
        PublicReport.authority_id == user.authority_id,
        PublicReport.state.in_([ReportState.submitted, ReportState.accepted, ReportState.verified]))


def _rewards_to_approve(user):
    if user.role != Role.supervisor or user.authority_id is None:
        return None
    return select(PublicReport.id, _title(), literal(None)).where(
        PublicReport.authority_id == user.authority_id, PublicReport.reward_state == RewardState.proposed,
        PublicReport.reward_proposed_by_id != user.id)


def register_todos() -> None:
    link = lambda report_id: url_for("public_reports.show", report_id=report_id)  # noqa: E731
    todos.register("public_report_handle", label=_l("Public reports to handle"), object_type="public_report",
                   query=_to_handle, link=link)
    todos.register("public_report_reward", label=_l("Rewards to approve"), object_type="public_report",
                   query=_rewards_to_approve, link=link)
