"""Who may import, load the region tree and merge reference data.

* ``import.enterprises``: the system administrator (any region) and an authority's administrators
  (role ``authority_admin``; the enterprises' regions must lie in their authority's region subtree,
  checked row by row through ``access.visible(Region, user)``).
* ``import.users`` (obj: the enterprise): its enterprise manager, the system administrator, and the
  administrators of an authority over the enterprise's region.
* ``reference.edit``: the region tree and the merges of regions and industries (system administrator).
* ``risk_area.merge`` (obj: the enterprise): whoever keeps the enterprise's departments.
"""

from __future__ import annotations

from app import access
from app.auth.models import Role, User
from app.organisations.models import Enterprise


def is_authority_admin(user: User) -> bool:
    return user.role == Role.authority_admin and user.authority is not None


rules = access.Rules()


@rules("import.enterprises")
def _import_enterprises(user: User, _obj) -> bool:
    return user.role == Role.admin or is_authority_admin(user)


@rules("import.users")
def _import_users(user: User, enterprise: Enterprise | None) -> bool:
    if user.role == Role.admin:
        return True
    if enterprise is None:
        return user.role == Role.enterprise_manager or is_authority_admin(user)
    if user.role == Role.enterprise_manager:
        return user.enterprise_id == enterprise.id
    return is_authority_admin(user) and access.in_jurisdiction(user, enterprise)


@rules("import.any")
def _import_any(user: User, _obj) -> bool:
    return _import_enterprises(user, None) or _import_users(user, None)


@rules("reference.edit")
def _reference_edit(user: User, _obj) -> bool:
    return user.role == Role.admin


@rules("risk_area.merge")
def _risk_area_merge(user: User, enterprise: Enterprise) -> bool:
    return access.can(user, "department.edit", enterprise)
