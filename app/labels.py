"""Human labels of the identifiers (states, roles, grades...), translated where they are shown.

Each enum declares its labels right after its class (``workflows.labels.labelled``); templates use
``{{ value|label }}``. The identifier stays the contract (code, API, database); the label is what a
person reads, in Chinese by default.
"""

from __future__ import annotations

import enum

from flask_babel import gettext, pgettext

from workflows.labels import text_of


def label(member) -> str:
    if member is None:
        return ""
    if isinstance(member, enum.Enum):
        text = text_of(member)
        if isinstance(text, tuple):
            return pgettext(*text)
        if text is not None:
            return gettext(text)
        return str(member.value)
    return str(member)


def choices(enum_cls: type[enum.Enum]) -> list[tuple[str, str]]:
    return [(m.value, label(m)) for m in enum_cls]
