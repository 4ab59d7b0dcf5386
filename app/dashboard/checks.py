"""The one adapter to the check figures of ``app.checks`` (the scheduled-checks issue).

``app.checks.queries.check_stats(user, enterprise_id=None, region_id=None, from_, to, group_by)`` answers
``{planned, done, late, missed, suspended, due, completion_rate, groups: [{key, name, <group>_id, ...}]}``
with the definitions of ``workflows.check_figures.CheckFigures`` (the one definition: done = recorded
before the window closed; rate = done ÷ (planned − suspended)). Every figure of this package that needs
check windows reads them here. Without ``app.checks`` every count is 0 and ``available()`` is False.

包保 duties are the windows of the tasks of type principal / technical / operator (主要负责人, 技术负责人,
操作负责人包保排查, ``workflows.national_codes.TaskType``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import SimpleNamespace

from app.auth.models import Role
from app.errors import Forbidden
from workflows.check_figures import CheckFigures

DUTY_TASK_TYPES = ("principal", "technical", "operator")
# The periodic scan counts for every enterprise, as no one in particular: read as the admin reads.
SYSTEM = SimpleNamespace(role=Role.admin, is_authenticated=True, active=True, id=None, enterprise_id=None,
                         authority=None, authority_id=None)
_FIELDS = ("planned", "done", "late", "suspended", "due")


def _module():
    try:
        from app.checks import queries
    except ImportError:
        return None
    return queries


def available() -> bool:
    return _module() is not None


def _figures(value) -> CheckFigures:
    if isinstance(value, CheckFigures):
        return value
    if isinstance(value, Mapping):
        return CheckFigures(**{k: int(value.get(k) or 0) for k in _FIELDS})
    return CheckFigures(**{k: int(getattr(value, k, 0) or 0) for k in _FIELDS})


def _stats(user, **kwargs):
    queries = _module()
    if queries is None:
        return None
    try:
        return queries.check_stats(user if user is not None else SYSTEM, **kwargs)
    except Forbidden:  # a member of staff sees his own windows only, not the enterprise's figures
        return None


def check_figures(user, *, enterprise_id: int | None = None, region_id: int | None = None,
                  from_: date, to: date, group_by: str | None = None) -> dict:
    """{key: CheckFigures} of the windows that closed in ``[from_, to]`` (key None for the total; per
    enterprise the key is the enterprise id); {} when there is nothing to read."""
    result = _stats(user, enterprise_id=enterprise_id, region_id=region_id, from_=from_, to=to, group_by=group_by)
    if result is None:
        return {}
    if not group_by:
        return {None: _figures(result)}
    out = {}
    for g in result.get("groups", []):
        key = g.get(f"{group_by}_id", g.get("key"))
        out[key] = _figures(g)
    return out


def total(user, **kwargs) -> CheckFigures:
    return check_figures(user, **kwargs).get(None, CheckFigures())


def total_and_duties(user, *, enterprise_id=None, region_id=None, from_: date, to: date):
    """(all windows, 包保 duties) as two CheckFigures, from one ``check_stats`` call grouped by task type."""
    result = _stats(user, enterprise_id=enterprise_id, region_id=region_id, from_=from_, to=to, group_by="task_type")
    if result is None:
        return CheckFigures(), CheckFigures()
    duty = CheckFigures()
    for g in result.get("groups", []):
        if g.get("task_type", g.get("key")) in DUTY_TASK_TYPES:
            duty = duty + _figures(g)
    return _figures(result), duty


def duties(user, *, enterprise_id=None, region_id=None, from_: date, to: date, by_enterprise: bool = False):
    """包保 duties as CheckFigures: in total, or {enterprise id: CheckFigures} with ``by_enterprise``."""
    queries = _module()
    if queries is None:
        return {} if by_enterprise else CheckFigures()
    if by_enterprise:
        from app.checks.models import CheckTask

        who = user if user is not None else SYSTEM
        ids = queries.enterprise_ids(who, enterprise_id=enterprise_id, region_id=region_id)
        a, b = queries.period(from_, to)
        per: dict = {}
        for row, counts in queries.task_counts(ids, a, b, extra=CheckTask.task_type.in_(DUTY_TASK_TYPES)).items():
            per[row.enterprise_id] = per.get(row.enterprise_id, CheckFigures()) + CheckFigures(*counts)
        return per
    result = _stats(user, enterprise_id=enterprise_id, region_id=region_id, from_=from_, to=to, group_by="task_type")
    out = CheckFigures()
    for g in (result or {}).get("groups", []):
        if g.get("task_type", g.get("key")) in DUTY_TASK_TYPES:
            out = out + _figures(g)
    return out
