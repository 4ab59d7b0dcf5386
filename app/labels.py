"""Human labels of the identifiers (states, roles, grades...), kept next to nothing but gettext.

Features register their enums' labels; templates use ``{{ value|label }}``. The identifier stays the
contract (code, API, database); the label is what a person reads, in Chinese by default.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from workflows.grades import Grade

_LABELS: dict[tuple[str, str], object] = {}


def register(enum_cls: type[enum.Enum], mapping: dict) -> None:
    for member, text in mapping.items():
        _LABELS[(enum_cls.__name__, member.value)] = text


def label(member) -> str:
    if member is None:
        return ""
    if isinstance(member, enum.Enum):
        text = _LABELS.get((type(member).__name__, member.value))
        return str(text) if text is not None else str(member.value)
    return str(member)


def choices(enum_cls: type[enum.Enum]) -> list[tuple[str, str]]:
    return [(m.value, label(m)) for m in enum_cls]


# The four grades are everyone's vocabulary (docs/design.md): one label each, whatever page shows them.
register(Grade, {Grade.red: _l("Major risk"), Grade.orange: _l("Larger risk"),
                 Grade.yellow: _l("General risk"), Grade.blue: _l("Low risk")})
