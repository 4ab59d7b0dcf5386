"""Labels of identifiers, declared beside their enums (issue 12 item 9).

The identifier (``HazardState.rectifying``) is the contract of code, API and database; its label is
what a person reads. Each enum's labels are declared right after it::

    class HazardLevel(enum.StrEnum):
        general = "general"
        major = "major"

    labelled(HazardLevel, {HazardLevel.general: N_("General hazard"), HazardLevel.major: N_("Major hazard")})

Framework-free: ``N_`` and ``C_`` only mark the English text (and its gettext context, where one
English word means two things) for extraction into the catalog; ``app.labels.label`` translates it
when shown. Nothing is registered anywhere: the labels are an attribute of the enum class.
"""

from __future__ import annotations

import enum


def N_(text: str) -> str:  # noqa: N802  (gettext's marker name)
    """Mark ``text`` for translation; translated where shown."""
    return text


def C_(context: str, text: str) -> tuple[str, str]:  # noqa: N802
    """Mark ``text`` for translation in a gettext ``context`` (``pgettext``)."""
    return (context, text)


def labelled(enum_cls: type[enum.Enum], mapping: dict) -> type[enum.Enum]:
    """Declare the labels of every member of ``enum_cls`` (a member without one is an error)."""
    missing = [member.name for member in enum_cls if member not in mapping]
    if missing:
        raise ValueError(f"{enum_cls.__name__}: no label for {', '.join(missing)}")
    enum_cls.__labels__ = dict(mapping)
    return enum_cls


def text_of(member: enum.Enum) -> str | tuple[str, str] | None:
    """The untranslated label of ``member`` (a msgid, or (context, msgid)); None if its enum has none."""
    return getattr(type(member), "__labels__", {}).get(member)
