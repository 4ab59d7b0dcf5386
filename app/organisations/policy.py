"""Organisation rules and scopes beyond the core ones in ``app.access``.

Core (app.access): ``admin``, ``organisation.browse`` (lists of regions and authorities),
``enterprise.view``, ``enterprise.edit``, ``department.edit``, ``user.view``, ``user.edit``.
Here: who may list users, create master data, and see a single region / authority / user.
"""

from __future__ import annotations

from app import access
from app.auth.models import Role, User
from app.organisations.models import Department


def _department_scope(user: User):
    """A department belongs to its enterprise: whoever sees the enterprise sees its units."""
    return access.enterprise_condition(Department.enterprise_id, user)


SCOPES = {Department: _department_scope}
rules = access.Rules()

USER_LIST_ROLES = frozenset({Role.admin, Role.supervisor, Role.inspector, Role.enterprise_principal,
                             Role.enterprise_manager})


@rules("user.browse")
def _user_browse(user: User, _obj) -> bool:
    """Staff do not get the staff list; managers, principals and government users do (scoped)."""
    return user.role in USER_LIST_ROLES


@rules("user.profile")
def _user_profile(user: User, other: User) -> bool:
    """A single user's page: one's own, or a visible user for those who may list users."""
    return other.id == user.id or (_user_browse(user, None) and access.is_visible(other, user))


@rules("region.edit")
def _region_edit(user: User, _region) -> bool:
    return user.role == Role.admin


@rules("authority.edit")
def _authority_edit(user: User, _authority) -> bool:
    return user.role == Role.admin


@rules("enterprise.create")
def _enterprise_create(user: User, _obj) -> bool:
    return user.role == Role.admin


@rules("enterprise.transfer")
def _enterprise_transfer(user: User, _enterprise) -> bool:
    """Moving an enterprise between regions: admin, recorded with its reason."""
    return user.role == Role.admin


@rules("enterprise.edit_master")
def _enterprise_edit_master(user: User, _enterprise) -> bool:
    """Name, credit code, region and industry are master data: admin only."""
    return user.role == Role.admin
