"""The four risk grades (安全风险等级) and their order: red is the strictest."""

from __future__ import annotations

import enum

from workflows.labels import N_, labelled


class Grade(enum.StrEnum):
    red = "red"  # 重大风险
    orange = "orange"  # 较大风险
    yellow = "yellow"  # 一般风险
    blue = "blue"  # 低风险

    @property
    def severity(self) -> int:
        """4 for red down to 1 for blue: larger is stricter."""
        return _SEVERITY[self]

    @property
    def colour(self) -> str:
        return COLOURS[self]


# The four grades are everyone's vocabulary (docs/design.md): one label each, whatever page shows them.
labelled(Grade, {Grade.red: N_("Major risk"), Grade.orange: N_("Larger risk"),
                 Grade.yellow: N_("General risk"), Grade.blue: N_("Low risk")})

_SEVERITY = {Grade.red: 4, Grade.orange: 3, Grade.yellow: 2, Grade.blue: 1}
COLOURS = {Grade.red: "#e60012", Grade.orange: "#f39800", Grade.yellow: "#ffe100", Grade.blue: "#0068b7"}


def stricter(*grades: Grade | None) -> Grade | None:
    """The strictest of the given grades (从严从高); None when none is given."""
    present = [g for g in grades if g is not None]
    return max(present, key=lambda g: g.severity) if present else None
