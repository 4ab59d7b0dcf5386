"""Versioned rule sets chosen by region code prefix and effective date: one helper for every rule family.

Framework-free. Grading (``workflows/grading.py``), the weekly score, report rewards and credit all keep
their parameters in rule sets identified as ``key@version`` (the label frozen next to every computed
result). Provinces differ, and a province changes its rules from a date on: a rule set is therefore
*bound* to a region code prefix ("" for the whole country, "14" for Shanxi, "3611" for a city) from an
effective date. ``Registry.select(region_code, on)`` picks the binding with the longest matching prefix
and, within it, the latest one already in force on ``on``: a result computed for a past period uses the
rules in force then.

``RuleSetError`` is the framework-free error every rule family raises for a bad rule set or a bad input,
naming the field (``bands[2].lower``, ``weights.false_closure``...) so the app can answer a 422.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar


class RuleSetError(ValueError):
    """A bad rule set or input: ``field`` names it, ``reason`` says why (a stable code)."""

    def __init__(self, field: str, reason: str, value=None, detail: str = ""):
        self.field, self.reason, self.value, self.detail = field, reason, value, detail
        super().__init__(f"{field}: {reason}" + (f" ({detail})" if detail else ""))


def longest_prefix(region_code: str | None, mapping: Mapping[str, str]) -> str | None:
    """The value of the longest key of ``mapping`` that prefixes ``region_code`` ("" matches all)."""
    best, found = -1, None
    for prefix, value in mapping.items():
        if (region_code or "").startswith(prefix) and len(prefix) > best:
            found, best = value, len(prefix)
    return found


T = TypeVar("T")


@dataclass(frozen=True)
class Binding(Generic[T]):
    """``ruleset`` applies to regions under ``prefix`` from ``effective_from`` (None: since always)."""

    prefix: str
    effective_from: date | None
    ruleset: T


class Registry(Generic[T]):
    """Rule sets of one family with their bindings; ``select`` is the only way results pick rules."""

    def __init__(self, family: str, bindings: Iterable[Binding[T]] = ()):
        self.family = family
        self._bindings: list[Binding[T]] = []
        for b in bindings:
            self.bind(b.prefix, b.effective_from, b.ruleset)

    def bind(self, prefix: str, effective_from: date | None, ruleset: T) -> None:
        if prefix and not prefix.isdigit():
            raise RuleSetError("prefix", "not_region_code", prefix)
        if any(b.prefix == prefix and b.effective_from == effective_from for b in self._bindings):
            raise RuleSetError("effective_from", "duplicate", effective_from,
                               f"{self.family}: two rule sets for {prefix or 'the country'} from the same date")
        self._bindings.append(Binding(prefix, effective_from, ruleset))

    @property
    def bindings(self) -> tuple[Binding[T], ...]:
        return tuple(self._bindings)

    def select(self, region_code: str | None, on: date | None = None) -> T:
        """The rule set in force for ``region_code`` on ``on`` (today's rules when ``on`` is None)."""
        code = region_code or ""
        on = on or date.today()  # a rule set bound from a future date is not in force yet
        candidates = [b for b in self._bindings if code.startswith(b.prefix)
                      and (b.effective_from is None or b.effective_from <= on)]
        if not candidates:
            raise RuleSetError("region_code", "no_ruleset", region_code,
                               f"no {self.family} rule set in force on {on}")
        best = max(candidates, key=lambda b: (len(b.prefix), b.effective_from or date.min))
        return best.ruleset

    def by_label(self, label: str) -> T:
        """The rule set a frozen result names (``key@version``), e.g. to re-explain an old score."""
        for b in self._bindings:
            if getattr(b.ruleset, "label", None) == label:
                return b.ruleset
        raise RuleSetError("rule_set", "unknown", label)
