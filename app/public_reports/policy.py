"""Who sees and handles public reports: the authorities of the region (scope), the handling authority's
inspectors and supervisors (handling), its supervisors (reward approval), its designated users (the
reporter's identity)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, select, true

from app import access
from app.auth.models import Role, User
from app.extensions import db
from app.public_reports.models import PublicReport, ReportDesignee


def _report_scope(user: User) -> ColumnElement[bool]:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role == Role.admin:
        return true()
    if not user.role.is_government:
        return false()  # enterprises never see who reported them, nor what
    return access.authority_records(PublicReport.authority_id, user)


SCOPES = {PublicReport: _report_scope}
rules = access.Rules()

HANDLERS = (Role.inspector, Role.supervisor)


def handles(user: User, report: PublicReport | None) -> bool:
    return user.role in HANDLERS and (report is None or report.authority_id == user.authority_id)


@rules("report.browse")
def _browse(user: User, _obj) -> bool:
    return user.role == Role.admin or user.role.is_government


@rules("report.handle")
def _handle(user: User, report: PublicReport | None) -> bool:
    """Screen, verify, close, propose and pay: the handling authority's inspectors and supervisors."""
    return handles(user, report)


@rules("report.approve_reward")
def _approve(user: User, report: PublicReport | None) -> bool:
    """The supervisor of the handling authority (the machine refuses the proposer himself)."""
    return user.role == Role.supervisor and (report is None or report.authority_id == user.authority_id)


@rules("report.designate")
def _designate(user: User, _obj) -> bool:
    """An authority's supervisors and administrator choose who reads reporters' identities."""
    return user.role in (Role.supervisor, Role.authority_admin) and user.authority_id is not None


@rules("report.qr")
def _qr(user: User, _obj) -> bool:
    return user.role.is_government and user.authority_id is not None


def is_designee(user: User, report: PublicReport) -> bool:
    """May ``user`` read this report's reporter identity: a designated user of its handling authority."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    if user.authority_id is None or user.authority_id != report.authority_id:
        return False
    return bool(db.session.scalar(select(exists().where(
        ReportDesignee.user_id == user.id, ReportDesignee.authority_id == report.authority_id))))
