"""Who reads the audit log: admin all of it; an authority administrator the entries of his
authority's region subtree. Nobody writes it except through ``app.admin_log.record``."""

from __future__ import annotations

from sqlalchemy import false, true

from app import access
from app.admin_log import AuditEntry
from app.auth.models import Role, User

AUDIT_READERS = frozenset({Role.admin, Role.authority_admin})


def _scope(user: User):
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role == Role.admin:
        return true()
    if user.role in AUDIT_READERS:
        path = access.authority_region_path(user)
        return AuditEntry.region_id.in_(access.region_subtree(path)) if path else false()
    return false()


SCOPES = {AuditEntry: _scope}
rules = access.Rules()


@rules("audit.browse")
def _browse(user: User, _obj) -> bool:
    return user.role in AUDIT_READERS
