"""Organisation rules and scopes beyond the core ones in ``app.access``.

Core (app.access): ``admin``, ``organisation.browse`` (lists of regions and authorities),
``enterprise.view``, ``enterprise.edit``, ``department.edit``, ``user.view``, ``user.edit``.
Here: who may list users, create master data, and see a single region / authority / user.
"""

from __future__ import annotations

from app import access
from app.auth.models import Role, User
from app.organisations.models import Department, Enterprise, Region

# A department belongs to its enterprise: whoever sees the enterprise sees its units.
access.register_scope(Department, lambda user: access.enterprise_condition(Department.enterprise_id, user))

USER_LIST_ROLES = frozenset({Role.admin, Role.supervisor, Role.inspector, Role.enterprise_principal,
                             Role.enterprise_manager, Role.authority_admin})


@access.rule("user.browse")
def _user_browse(user: User, _obj) -> bool:
    """Staff do not get the staff list; managers, principals and government users do (scoped)."""
    return user.role in USER_LIST_ROLES


@access.rule("user.profile")
def _user_profile(user: User, other: User) -> bool:
    """A single user's page: one's own, or a visible user for those who may list users."""
    return other.id == user.id or (_user_browse(user, None) and access.is_visible(other, user))


@access.rule("region.edit")
def _region_edit(user: User, _region) -> bool:
    return user.role == Role.admin


@access.rule("authority.edit")
def _authority_edit(user: User, _authority) -> bool:
    return user.role == Role.admin


@access.rule("enterprise.create")
def _enterprise_create(user: User, region: Region | None) -> bool:
    """Admin anywhere; an authority's administrator in its region subtree (``region`` None: anywhere)."""
    if user.role == Role.admin:
        return True
    if user.role != Role.authority_admin:
        return False
    path = access.authority_region_path(user)
    return bool(path) and (region is None or region.path.startswith(path))


@access.rule("enterprise.transfer")
def _enterprise_transfer(user: User, _enterprise) -> bool:
    """Moving an enterprise between regions: admin, recorded with its reason."""
    return user.role == Role.admin


@access.rule("enterprise.edit_master")
def _enterprise_edit_master(user: User, enterprise: Enterprise | None) -> bool:
    """Name, credit code and industry are master data: admin, and the administrator of the
    authority whose region the enterprise is in."""
    if user.role == Role.admin:
        return True
    if enterprise is None:
        return user.role == Role.authority_admin
    return access.administers(user, enterprise)
