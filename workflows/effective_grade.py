"""The effective grade (有效风险等级, docs/design.md "Effective grade of a hazard"): the one definition.

Framework-free. The model's hybrid property (``app.hazards.models.Hazard.effective_grade``), its SQL
expression (used by the register filters of the UI and the API, and by the supervisors' overview)
and the risk points' stored grade (``app.risks.service``, counted by the risk summary) are all built
from the functions and tables below, so that a hazard shown red is found by ``grade=red``.

* A risk point's effective grade is the stricter of its assessed grade and the grades its open
  hazards' levels imply (an open major hazard makes the point red until it is closed).
* A hazard's effective grade is the stricter of its risk point's grade (assessed or effective,
  whichever is stricter) and the grade its own level implies (major → red), 从严从高.
"""

from __future__ import annotations

from collections.abc import Iterable

from workflows.grades import Grade, stricter
from workflows.hazard_states import LEVEL_GRADE, HazardLevel

# The order in which a SQL CASE must test the grades: the first grade any input has wins.
STRICTEST_FIRST: tuple[Grade, ...] = tuple(sorted(Grade, key=lambda g: -g.severity))


def implied_by_level(level: HazardLevel | str | None) -> Grade | None:
    """The grade a hazard's own level implies (major → red; general and unconfirmed: none)."""
    return LEVEL_GRADE.get(HazardLevel(level)) if level else None


def of_point(assessed: Grade | None, open_hazard_levels: Iterable[HazardLevel | str | None]) -> Grade | None:
    """A risk point's effective grade."""
    return stricter(assessed, *(implied_by_level(level) for level in open_hazard_levels))


def of_hazard(point_assessed: Grade | None, point_effective: Grade | None,
              level: HazardLevel | str | None) -> Grade | None:
    """A hazard's effective grade (no risk point: both point grades are None)."""
    return stricter(point_assessed, point_effective, implied_by_level(level))
