"""What every feature's forms share."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wtforms.fields.choices import SelectChoice

from app.errors import ServiceError


def options(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' SelectChoice (choices given as tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def apply_errors(form, exc: ServiceError, aliases: Mapping[str, str] | None = None) -> None:
    """Put a service's messages next to the form's fields (``aliases``: service field → form field);
    messages for fields the form does not have go on top of the form."""
    for name, messages in exc.fields.items():
        target = getattr(form, (aliases or {}).get(name, name), None)
        if target is not None and hasattr(target, "errors"):
            target.errors = list(target.errors) + list(messages)
        else:
            form.form_errors.extend(messages)
    if not exc.fields:
        form.form_errors.append(exc.message)
