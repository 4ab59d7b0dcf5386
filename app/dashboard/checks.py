"""The one adapter to the check figures of ``app.checks`` (issue 14 depends on the scheduled-checks issue).

``app.checks.queries.check_stats(user, enterprise_id=None, region_id=None, from_, to, group_by)`` counts
check windows as ``workflows.check_figures.CheckFigures`` (planned / done / late / suspended / due: the one
definition). Until that feature is merged, no check window exists and every count is 0 (``available()``
is False and the pages say so). Every figure of this package that needs checks reads them here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from workflows.check_figures import CheckFigures

DUTY_TASK_TYPES = ("principal", "technical", "operator")  # 包保责任人: 主要负责人, 技术负责人, 操作负责人


def _source():
    try:
        from app.checks.queries import check_stats
    except ImportError:
        return None
    return check_stats


def available() -> bool:
    return _source() is not None


def _figures(value) -> CheckFigures:
    if isinstance(value, CheckFigures):
        return value
    if isinstance(value, Mapping):
        return CheckFigures(**{k: int(value.get(k) or 0) for k in ("planned", "done", "late", "suspended", "due")})
    figures = getattr(value, "figures", None)
    if figures is not None:
        return _figures(figures)
    return CheckFigures(**{k: int(getattr(value, k, 0) or 0) for k in ("planned", "done", "late", "suspended", "due")})


def _normalise(result) -> dict:
    """``check_stats``' answer as {key: CheckFigures} (key None for an ungrouped total)."""
    if result is None:
        return {}
    if isinstance(result, CheckFigures):
        return {None: result}
    if isinstance(result, Mapping):
        if "items" in result:
            return _normalise(result["items"])
        if set(result) & {"planned", "done"}:
            return {None: _figures(result)}
        return {k: _figures(v) for k, v in result.items()}
    out = {}
    for item in result:
        key = item.get("key") if isinstance(item, Mapping) else getattr(item, "key", None)
        out[key] = _figures(item)
    return out


def check_figures(user, *, enterprise_id: int | None = None, region_id: int | None = None,
                  from_: date, to: date, group_by: str | None = None, **extra) -> dict:
    """{key: CheckFigures} of the windows that closed in ``[from_, to]``; {} before app.checks exists."""
    source = _source()
    if source is None:
        return {}
    return _normalise(source(user, enterprise_id=enterprise_id, region_id=region_id, from_=from_, to=to,
                             group_by=group_by, **extra))


def total(user, **kwargs) -> CheckFigures:
    result = check_figures(user, **kwargs)
    out = CheckFigures()
    for figures in result.values():
        out = out + figures
    return out


def duties(user, *, enterprise_id=None, region_id=None, from_: date, to: date, by_enterprise: bool = False):
    """包保 duties (the windows of principal, technical and operational 包保 tasks): CheckFigures in total,
    or per enterprise with ``by_enterprise``."""
    if _source() is None:
        return {} if by_enterprise else CheckFigures()
    per: dict = {}
    for task_type in DUTY_TASK_TYPES:
        try:
            got = check_figures(user, enterprise_id=enterprise_id, region_id=region_id, from_=from_, to=to,
                                group_by="enterprise" if by_enterprise else None, task_type=task_type)
        except TypeError:  # check_stats without a task_type filter: no duty figures
            return {} if by_enterprise else CheckFigures()
        for key, figures in got.items():
            per[key] = per.get(key, CheckFigures()) + figures
    if by_enterprise:
        return per
    out = CheckFigures()
    for figures in per.values():
        out = out + figures
    return out
