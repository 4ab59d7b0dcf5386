"""Who may read which figures: scopes of the stored scores and periodic reports, and the rules."""

from __future__ import annotations

from app import access
from app.auth.models import Role, User
from app.dashboard.models import PeriodicReport, ReportState, ScoreVeto, WeeklyScoreRecord


def _report_scope(user: User):
    condition = access.enterprise_condition(PeriodicReport.enterprise_id, user)
    if user is not None and getattr(user, "is_authenticated", False) and user.role.is_government:
        # The authority sees a report once it is submitted (the enterprise's drafts are its own).
        return condition & (PeriodicReport.state == ReportState.submitted)
    return condition


SCOPES = {
    WeeklyScoreRecord: lambda user: access.enterprise_condition(WeeklyScoreRecord.enterprise_id, user),
    PeriodicReport: _report_scope,
    ScoreVeto: lambda user: access.enterprise_condition(ScoreVeto.enterprise_id, user),
}
rules = access.Rules()


@rules("dashboard.region")
def _region(user: User, _obj) -> bool:
    """The regional drill-down and rankings: authorities (their region subtree) and the admin."""
    return user.role.is_government or user.role == Role.admin


@rules("dashboard.stats")
def _stats(user: User, _obj) -> bool:
    return True  # every signed-in user: the scope keeps him to what he may see


@rules("periodic_report.generate")
def _generate(user: User, _obj) -> bool:
    return user.role in (Role.enterprise_manager, Role.enterprise_principal)


@rules("periodic_report.review")
def _review(user: User, report) -> bool:
    return user.role == Role.enterprise_manager and (report is None or report.enterprise_id == user.enterprise_id)


@rules("periodic_report.approve")
def _approve(user: User, report) -> bool:
    """Signed by the enterprise's principal (主要负责人), no one else."""
    return user.role == Role.enterprise_principal and (report is None or report.enterprise_id == user.enterprise_id)


@rules("periodic_report.submit")
def _submit(user: User, report) -> bool:
    return user.role in (Role.enterprise_manager, Role.enterprise_principal) and (
        report is None or report.enterprise_id == user.enterprise_id)


@rules("periodic_report.oversee")
def _oversee(user: User, _obj) -> bool:
    return user.role.is_government or user.role == Role.admin




@rules("score.veto")
def _veto(user: User, _obj) -> bool:
    """A veto item the system cannot decide is entered by an authority's officer over the enterprise (its
    region); the authority's administrator keeps accounts and decides nothing."""
    return user.role in (Role.inspector, Role.supervisor)
