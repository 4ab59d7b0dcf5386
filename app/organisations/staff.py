"""The active users of enterprises, by role: who a batch of hand-offs, reminders or overdue events goes to.

One query for a whole batch (the ids bound as one array, ``access.among``), never one per hazard.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import select

from app import access
from app.auth.models import Role, User
from app.extensions import db


def by_role(enterprise_ids: Iterable[int], roles: Iterable[Role]) -> dict[int, dict[Role, list[int]]]:
    """{enterprise id: {role: [user ids, ascending]}} of the active users with one of ``roles``."""
    found: dict[int, dict[Role, list[int]]] = defaultdict(lambda: defaultdict(list))
    for user_id, enterprise_id, role in _rows(enterprise_ids, roles):
        found[enterprise_id][Role(role)].append(user_id)
    return found


def of_enterprises(enterprise_ids: Iterable[int], roles: Iterable[Role]) -> dict[int, list[int]]:
    """{enterprise id: [user ids, ascending]} of the active users with one of ``roles``."""
    found: dict[int, list[int]] = defaultdict(list)
    for user_id, enterprise_id, _role in _rows(enterprise_ids, roles):
        found[enterprise_id].append(user_id)
    return found


def _rows(enterprise_ids: Iterable[int], roles: Iterable[Role]):
    ids = set(enterprise_ids)
    if not ids:
        return []
    return db.session.execute(select(User.id, User.enterprise_id, User.role).where(
        access.among(User.enterprise_id, ids), User.role.in_(list(roles)), User.active.is_(True))
        .order_by(User.id)).all()
