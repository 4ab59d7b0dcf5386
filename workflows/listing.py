"""Listing rules (挂牌督办规则): which hazards are proposed for supervision, and at which level.

Framework-free: plain facts about a hazard in, the rules that fire out. The default table is the
one of docs/design.md; a region may replace it with its own (``RuleSet.from_config``), and the region
nearest the enterprise that has a rule set wins (``rule_set_for``).

A rule fires on one of two conditions:

* ``on_confirmation``: the hazard has been confirmed (it is being rectified or reviewed);
* ``overdue_days_over = N``: the hazard is open and more than N days past its deadline
  ("overdue" alone is N = 0: one day past the deadline is enough).

Where a rule's level has no authority over the enterprise (a county-only deployment has no city
authority), the proposal is routed (``routed_level``) to the nearest authority up the region tree,
or with ``nearest_any`` (the default) failing that to the nearest one below: it is never dropped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from workflows.grades import Grade

CITY = "city"
COUNTY = "county"
AUTHORITY_LEVELS = ("province", CITY, COUNTY)
# Region levels from the bottom of the tree up: "above" means later in this tuple.
LEVELS_UPWARDS = ("town", COUNTY, CITY, "province")
NEAREST_UP = "nearest_up"  # only an authority above the rule's level may receive its proposals
NEAREST_ANY = "nearest_any"  # above first, else the nearest below (e.g. the county when no city exists)
ROUTING_MODES = (NEAREST_UP, NEAREST_ANY)
HAZARD_LEVELS = ("general", "major")


@dataclass(frozen=True)
class HazardFacts:
    """What the rules look at. ``overdue_days``: days past the deadline (0 when not overdue)."""

    effective_grade: Grade | None
    level: str | None  # "general" | "major" | None (not confirmed yet)
    confirmed: bool
    overdue_days: int = 0


@dataclass(frozen=True)
class Rule:
    code: str  # stable identifier, stored on the listing ("the rule that fired")
    grade: Grade
    level: str | None  # None: any level
    authority_level: str  # "city" | "county" | "province"
    on_confirmation: bool = False
    overdue_days_over: int | None = None  # fires when overdue_days > this

    def __post_init__(self):
        if self.on_confirmation == (self.overdue_days_over is not None):
            raise ValueError(f"rule {self.code}: exactly one of on_confirmation / overdue_days_over")
        if self.level is not None and self.level not in HAZARD_LEVELS:
            raise ValueError(f"rule {self.code}: unknown hazard level {self.level!r}")
        if self.authority_level not in AUTHORITY_LEVELS:
            raise ValueError(f"rule {self.code}: unknown authority level {self.authority_level!r}")
        if self.overdue_days_over is not None and self.overdue_days_over < 0:
            raise ValueError(f"rule {self.code}: overdue_days_over must be >= 0")

    def matches(self, facts: HazardFacts) -> bool:
        if not facts.confirmed or facts.effective_grade != self.grade:
            return False
        if self.level is not None and facts.level != self.level:
            return False
        if self.on_confirmation:
            return True
        return facts.overdue_days > self.overdue_days_over  # type: ignore[operator]

    def describe(self) -> dict:
        """Plain description for the UI (translated there)."""
        return {"grade": self.grade.value, "level": self.level, "authority_level": self.authority_level,
                "on_confirmation": self.on_confirmation, "overdue_days_over": self.overdue_days_over}


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]

    def __post_init__(self):
        codes = [r.code for r in self.rules]
        if len(codes) != len(set(codes)):
            raise ValueError("rule codes must be unique within a rule set")

    def fired(self, facts: HazardFacts) -> list[Rule]:
        return [r for r in self.rules if r.matches(facts)]

    def by_code(self, code: str) -> Rule | None:
        return next((r for r in self.rules if r.code == code), None)

    @classmethod
    def from_config(cls, rows: Iterable[Mapping]) -> RuleSet:
        """Rules from plain data, e.g. ``[{"code": "x", "grade": "orange", "level": None,
        "authority_level": "county", "overdue_days_over": 10}]``."""
        return cls(tuple(Rule(code=row["code"], grade=Grade(row["grade"]), level=row.get("level"),
                              authority_level=row["authority_level"],
                              on_confirmation=bool(row.get("on_confirmation", False)),
                              overdue_days_over=row.get("overdue_days_over")) for row in rows))


# docs/design.md, "Listing for supervision": blue is never listed, so it has no rule.
DEFAULT_RULES = RuleSet((
    Rule("red_major_confirmed", Grade.red, "major", CITY, on_confirmation=True),
    Rule("red_general_overdue", Grade.red, "general", COUNTY, overdue_days_over=0),
    Rule("orange_overdue_15", Grade.orange, None, COUNTY, overdue_days_over=15),
    Rule("yellow_overdue_30", Grade.yellow, None, COUNTY, overdue_days_over=30),
))


def rule_set_for(region_codes: Sequence[str], configured: Mapping[str, RuleSet] | None) -> RuleSet:
    """The rule set of the nearest region (``region_codes`` from the enterprise's region upwards)
    that has one; the default table otherwise."""
    for code in region_codes:
        if configured and code in configured:
            return configured[code]
    return DEFAULT_RULES


def overdue_days(deadline, today) -> int:
    """Days past the deadline: 0 on the deadline day itself and before it."""
    if deadline is None:
        return 0
    return max(0, (today - deadline).days)


def routed_level(wanted: str, present: Collection[str], mode: str = NEAREST_ANY) -> str | None:
    """The level of the authority that receives a proposal of a rule asking for ``wanted``, given the
    levels at which an authority exists over the enterprise (``present``): ``wanted`` itself when it
    exists; else the nearest level above it; with ``nearest_any``, failing that, the nearest below.
    None: no authority at all may receive it (the gap must be shown to the administrator)."""
    if mode not in ROUTING_MODES:
        raise ValueError(f"unknown listing routing {mode!r}: one of {', '.join(ROUTING_MODES)}")
    if wanted in present:
        return wanted
    index = LEVELS_UPWARDS.index(wanted)
    above = [level for level in LEVELS_UPWARDS[index + 1:] if level in present]
    if above:
        return above[0]
    if mode == NEAREST_ANY:
        below = [level for level in reversed(LEVELS_UPWARDS[:index]) if level in present]
        if below:
            return below[0]
    return None
