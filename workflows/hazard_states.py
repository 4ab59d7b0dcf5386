"""Identifiers of the hazard lifecycle (docs/design.md): code, API, database and UI use these names.

The machine itself (transitions, guards) lives in ``workflows/hazard.py``.
"""

from __future__ import annotations

import enum

from workflows.grades import Grade
from workflows.labels import C_, N_, labelled


class HazardState(enum.StrEnum):
    reported = "reported"
    rectifying = "rectifying"
    pending_review = "pending_review"
    closed = "closed"
    voided = "voided"


labelled(HazardState, {
    HazardState.reported: N_("Reported"), HazardState.rectifying: N_("Rectifying"),
    HazardState.pending_review: N_("Pending review"), HazardState.closed: N_("Closed"),
    HazardState.voided: C_("hazards", "Voided"),
})


OPEN_STATES = frozenset({HazardState.reported, HazardState.rectifying, HazardState.pending_review})


class HazardLevel(enum.StrEnum):
    general = "general"
    major = "major"


labelled(HazardLevel, {HazardLevel.general: N_("General hazard"), HazardLevel.major: N_("Major hazard")})


class HazardSource(enum.StrEnum):
    self_inspection = "self_inspection"
    government_inspection = "government_inspection"
    public_report = "public_report"
    third_party = "third_party"


labelled(HazardSource, {
    HazardSource.self_inspection: N_("Self-inspection"),
    HazardSource.government_inspection: N_("Government inspection"),
    HazardSource.public_report: N_("Public report"), HazardSource.third_party: N_("Third party"),
})


class HazardNature(enum.StrEnum):
    unsafe_condition = "unsafe_condition"
    unsafe_act = "unsafe_act"
    management_defect = "management_defect"


labelled(HazardNature, {
    HazardNature.unsafe_condition: N_("Unsafe condition of things"),
    HazardNature.unsafe_act: N_("Unsafe act of people"),
    HazardNature.management_defect: N_("Management defect"),
})


TRIGGERS = ("confirm", "void", "submit", "accept", "reject", "extend", "regrade", "reassign", "request_extension",
            "decide_extension")

# The grade a hazard's own level implies (a major hazard is a red risk: rule D2, 从严从高).
LEVEL_GRADE = {HazardLevel.major: Grade.red, HazardLevel.general: None}
