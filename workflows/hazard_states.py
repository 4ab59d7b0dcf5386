"""Identifiers of the hazard lifecycle (docs/design.md): code, API, database and UI use these names.

The machine itself (transitions, guards) lives in ``workflows/hazard.py``.
"""

from __future__ import annotations

import enum

from workflows.grades import Grade


class HazardState(enum.StrEnum):
    reported = "reported"
    rectifying = "rectifying"
    pending_review = "pending_review"
    closed = "closed"
    voided = "voided"


OPEN_STATES = frozenset({HazardState.reported, HazardState.rectifying, HazardState.pending_review})


class HazardLevel(enum.StrEnum):
    general = "general"
    major = "major"


class HazardSource(enum.StrEnum):
    self_inspection = "self_inspection"
    government_inspection = "government_inspection"
    public_report = "public_report"
    third_party = "third_party"


class HazardNature(enum.StrEnum):
    unsafe_condition = "unsafe_condition"
    unsafe_act = "unsafe_act"
    management_defect = "management_defect"


TRIGGERS = ("confirm", "void", "submit", "accept", "reject", "extend", "regrade", "reassign", "request_extension",
            "decide_extension")

# The grade a hazard's own level implies (a major hazard is a red risk: rule D2, 从严从高).
LEVEL_GRADE = {HazardLevel.major: Grade.red, HazardLevel.general: None}
