"""Who may do what with risk points (registered in app.access)."""

from __future__ import annotations

from app import access
from app.auth.models import Role


def _own_manager(user, enterprise_id) -> bool:
    if user.role == Role.admin:
        return True
    return user.role == Role.enterprise_manager and enterprise_id is not None and user.enterprise_id == enterprise_id


def _enterprise_id(obj):
    return getattr(obj, "enterprise_id", None) if not hasattr(obj, "credit_code") else obj.id


@access.rule("risk.view")
def _view(user, point) -> bool:
    return point is None or access.is_visible(point, user)


@access.rule("risk.edit")
def _edit(user, obj) -> bool:
    """Create, edit, assess, place on the map: the enterprise's safety manager (or admin)."""
    if obj is None:
        return user.role in (Role.enterprise_manager, Role.admin)
    return _own_manager(user, _enterprise_id(obj))


@access.rule("risk.check")
def _check(user, point) -> bool:
    """Record checks of control measures: any user of the point's own enterprise."""
    if point is None:
        return user.role.is_enterprise
    return user.role.is_enterprise and user.enterprise_id == point.enterprise_id


@access.rule("risk.region")
def _region(user, _obj) -> bool:
    return user.role == Role.admin or user.role.is_government
