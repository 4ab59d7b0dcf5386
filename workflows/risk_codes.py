"""Code tables for risk points (domain.md §4): GB 6441 accident types, GB/T 13861 factors, control categories.

Framework-free data; every code a user or file supplies is checked against these tables.
GB 6441-2025's official numeric codes are not confirmed (domain.md §4.1), so the 1986 codes are used.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable

from workflows import codes
from workflows.labels import N_, labelled

GB6441_VERSION = "GB6441-1986"

# One table for the whole application (shared with hazards): workflows/codes.py.
ACCIDENT_TYPES: dict[str, str] = codes.ACCIDENT_TYPES

GB13861_VERSION = "GB/T13861-2022"

# 大类, 中类 and the 小类 listed in domain.md §4.2 (the full 小类 list must come from the standard's text).
HAZARD_FACTORS: dict[str, str] = codes.HAZARD_FACTORS


class ControlCategory(enum.StrEnum):
    engineering = "engineering"  # 工程技术措施
    management = "management"  # 管理措施
    training = "training"  # 培训教育措施
    ppe = "ppe"  # 个体防护措施
    emergency = "emergency"  # 应急处置措施


labelled(ControlCategory, {ControlCategory.engineering: N_("Engineering"),
                                  ControlCategory.management: N_("Management"),
                                  ControlCategory.training: N_("Training"), ControlCategory.ppe: N_("PPE"),
                                  ControlCategory.emergency: N_("Emergency")})


CONTROL_CATEGORY_NAMES = {
    ControlCategory.engineering: "工程技术措施",
    ControlCategory.management: "管理措施",
    ControlCategory.training: "培训教育措施",
    ControlCategory.ppe: "个体防护措施",
    ControlCategory.emergency: "应急处置措施",
}


def unknown_codes(codes: Iterable[str], table: dict[str, str]) -> list[str]:
    return [c for c in codes if c not in table]


def names(codes: Iterable[str], table: dict[str, str]) -> list[str]:
    return [f"{c} {table[c]}" if c in table else c for c in codes]
