"""Who may do what with risk points (registered in app.access)."""

from __future__ import annotations

from sqlalchemy import select

from app import access
from app.auth.models import Role
from app.risks.models import (
    CheckRecord,
    ControlMeasure,
    RiskArea,
    RiskAssessment,
    RiskEvent,
    RiskGradeChange,
    RiskObject,
    RiskPoint,
    SitePlan,
    Suspension,
)


def _of_enterprise(model):
    return lambda user: access.enterprise_condition(model.enterprise_id, user)


def _by_point(model):
    return lambda user: model.risk_point_id.in_(select(RiskPoint.id).where(access.condition(RiskPoint, user)))


SCOPES = {
    RiskPoint: _of_enterprise(RiskPoint), RiskArea: _of_enterprise(RiskArea), SitePlan: _of_enterprise(SitePlan),
    CheckRecord: _of_enterprise(CheckRecord), RiskAssessment: _by_point(RiskAssessment),
    RiskGradeChange: _by_point(RiskGradeChange),
    # the national model's analysis objects, events, measures and 停用/检修 records carry their enterprise
    RiskObject: _of_enterprise(RiskObject), RiskEvent: _of_enterprise(RiskEvent),
    ControlMeasure: _of_enterprise(ControlMeasure), Suspension: _of_enterprise(Suspension),
}
rules = access.Rules()


def _own_manager(user, enterprise_id) -> bool:
    if user.role == Role.admin:
        return True
    return user.role == Role.enterprise_manager and enterprise_id is not None and user.enterprise_id == enterprise_id


def _enterprise_id(obj):
    return getattr(obj, "enterprise_id", None) if not hasattr(obj, "credit_code") else obj.id


@rules("risk.view")
def _view(user, point) -> bool:
    return point is None or access.is_visible(point, user)


@rules("risk.edit")
def _edit(user, obj) -> bool:
    """Create, edit, assess, place on the map: the enterprise's safety manager (or admin)."""
    if obj is None:
        return user.role in (Role.enterprise_manager, Role.admin)
    return _own_manager(user, _enterprise_id(obj))


@rules("risk.check")
def _check(user, point) -> bool:
    """Record checks of control measures: any user of the point's own enterprise."""
    if point is None:
        return user.role.is_enterprise
    return user.role.is_enterprise and user.enterprise_id == point.enterprise_id


@rules("risk.region")
def _region(user, _obj) -> bool:
    return user.role == Role.admin or user.role.is_government
