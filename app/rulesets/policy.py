"""Who may read and write rule sets.

``rule_set.view``: the system administrator and government users (the rules their region is graded
by). ``rule_set.edit`` (obj: the region the version is for, None for the whole country): the system
administrator; with ``RULE_SETS_BY_CITY_AUTHORITY``, also the administrators (role
``authority_admin``) of a city authority, for their city and the regions below it.
"""

from __future__ import annotations

from flask import current_app

from app import access
from app.auth.models import Role, User
from app.organisations.models import Region, RegionLevel


def is_authority_admin(user: User) -> bool:
    return user.role == Role.authority_admin and user.authority is not None


rules = access.Rules()


@rules("rule_set.view")
def _view(user: User, _obj) -> bool:
    return user.role == Role.admin or user.role.is_government or is_authority_admin(user)


@rules("rule_set.edit")
def _edit(user: User, region: Region | None) -> bool:
    if user.role == Role.admin:
        return True
    if not current_app.config.get("RULE_SETS_BY_CITY_AUTHORITY") or not is_authority_admin(user):
        return False
    authority = user.authority
    return (authority.level == RegionLevel.city and region is not None
            and region.path.startswith(authority.region.path))
