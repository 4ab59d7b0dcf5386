"""The default listing rule table (docs/design.md) over every combination and its boundaries."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from workflows.grades import Grade
from workflows.listing import (
    DEFAULT_RULES,
    HazardFacts,
    Rule,
    RuleSet,
    overdue_days,
    rule_set_for,
)


def fired(grade, level, days, confirmed=True, rules=DEFAULT_RULES):
    return [(r.code, r.authority_level) for r in rules.fired(HazardFacts(grade, level, confirmed, days))]


def expected(grade, level, days):
    """docs/design.md's table written out independently of the implementation."""
    out = []
    if grade == Grade.red and level == "major":
        out.append(("red_major_confirmed", "city"))
    if grade == Grade.red and level == "general" and days >= 1:
        out.append(("red_general_overdue", "county"))
    if grade == Grade.orange and days >= 16:
        out.append(("orange_overdue_15", "county"))
    if grade == Grade.yellow and days >= 31:
        out.append(("yellow_overdue_30", "county"))
    return out


@pytest.mark.parametrize("grade,level,days", list(product(
    [*Grade, None], ["general", "major"], [0, 1, 14, 15, 16, 29, 30, 31, 400])))
def test_every_combination_matches_the_table(grade, level, days):
    assert fired(grade, level, days) == expected(grade, level, days)


def test_orange_overdue_by_exactly_15_days_is_not_listed_16_is():
    assert fired(Grade.orange, "general", 15) == []
    assert fired(Grade.orange, "general", 16) == [("orange_overdue_15", "county")]
    assert fired(Grade.orange, "major", 16) == [("orange_overdue_15", "county")]


def test_yellow_overdue_by_exactly_30_days_is_not_listed_31_is():
    assert fired(Grade.yellow, "general", 30) == []
    assert fired(Grade.yellow, "general", 31) == [("yellow_overdue_30", "county")]


def test_red_general_on_the_deadline_day_is_not_overdue_the_next_day_is():
    assert fired(Grade.red, "general", 0) == []
    assert fired(Grade.red, "general", 1) == [("red_general_overdue", "county")]


def test_red_major_is_proposed_on_confirmation_at_city_level():
    assert fired(Grade.red, "major", 0) == [("red_major_confirmed", "city")]


def test_blue_is_never_listed():
    for level, days in product(["general", "major", None], [0, 1, 100, 10_000]):
        assert fired(Grade.blue, level, days) == []


def test_unconfirmed_hazards_are_never_proposed():
    for grade, days in product(Grade, [0, 16, 31, 100]):
        assert fired(grade, "major", days, confirmed=False) == []
        assert fired(grade, None, days, confirmed=False) == []


def test_overdue_days_counts_days_after_the_deadline():
    assert overdue_days(date(2026, 3, 1), date(2026, 3, 1)) == 0
    assert overdue_days(date(2026, 3, 1), date(2026, 2, 20)) == 0
    assert overdue_days(date(2026, 3, 1), date(2026, 3, 17)) == 16
    assert overdue_days(None, date(2026, 3, 17)) == 0


def test_a_region_can_configure_its_own_rules_and_the_nearest_region_wins():
    strict = RuleSet.from_config([
        {"code": "orange_overdue_5", "grade": "orange", "level": None, "authority_level": "county",
         "overdue_days_over": 5},
    ])
    province = RuleSet.from_config([
        {"code": "red_any_confirmed", "grade": "red", "authority_level": "province", "on_confirmation": True},
    ])
    configured = {"361100": strict, "360000": province}
    # county 361103 under city 361100 under province 360000: the city's set applies.
    rules = rule_set_for(["361103", "361100", "360000"], configured)
    assert rules is strict
    assert fired(Grade.orange, "general", 6, rules=rules) == [("orange_overdue_5", "county")]
    assert fired(Grade.orange, "general", 5, rules=rules) == []
    assert fired(Grade.red, "major", 0, rules=rules) == []
    assert rule_set_for(["369900", "360000"], configured) is province
    assert rule_set_for(["110000"], configured) is DEFAULT_RULES
    assert rule_set_for(["110000"], None) is DEFAULT_RULES


@pytest.mark.parametrize("kwargs", [
    {"on_confirmation": True, "overdue_days_over": 3},
    {},
    {"on_confirmation": True, "level": "huge"},
    {"on_confirmation": True, "authority_level": "village"},
    {"overdue_days_over": -1},
])
def test_malformed_rules_are_refused(kwargs):
    base = {"code": "x", "grade": Grade.red, "level": None, "authority_level": "county"}
    with pytest.raises(ValueError):
        Rule(**{**base, **kwargs})


def test_rule_codes_are_unique_in_a_set():
    rule = Rule("x", Grade.red, None, "county", on_confirmation=True)
    with pytest.raises(ValueError):
        RuleSet((rule, rule))
