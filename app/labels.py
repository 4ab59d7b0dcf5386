"""Human labels of the identifiers (states, roles, grades...), kept next to nothing but gettext.

Features declare their enums' labels (``LABELS = {Enum: {member: text}}``) and register them in their
init_app (``labels.register_all(LABELS)``); templates use ``{{ value|label }}``. The identifier stays the
contract (code, API, database); the label is what a person reads, in Chinese by default.
"""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

from app.registry import point
from workflows.grades import Grade

_LABELS = point("labels", "(enum name, value) -> lazy text")


def register(enum_cls: type[enum.Enum], mapping: dict) -> None:
    for member, text in mapping.items():
        _LABELS.add((enum_cls.__name__, member.value), text)


def register_all(declared: dict[type[enum.Enum], dict]) -> None:
    for enum_cls, mapping in declared.items():
        register(enum_cls, mapping)


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
LABELS = {Grade: {Grade.red: _l("Major risk"), Grade.orange: _l("Larger risk"),
                  Grade.yellow: _l("General risk"), Grade.blue: _l("Low risk")}}


def init_app(app) -> None:
    register_all(LABELS)
