"""The weekly effectiveness score: formula, edge cases, rule-set validation, ISO weeks, explanations."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.check_figures import CheckFigures
from workflows.grading import PRESETS, ruleset_for_region
from workflows.isoweek import CHINA, IsoWeek, last_complete_week, parse_week, week_of, weeks_in_year
from workflows.rulesets import Binding, Registry, RuleSetError, longest_prefix
from workflows.weekly_score import (
    DEFAULT,
    Band,
    WeekInputs,
    compute,
    explain,
    from_mapping,
    ruleset_for,
)


def inputs(planned=10, done=10, late=0, suspended=0, due=4, accepted=4, found=3, duties=0, duties_done=0,
           vetoes=()):
    return WeekInputs(CheckFigures(planned, done, late, suspended), due, accepted, found, duties, duties_done,
                      frozenset(vetoes))


# --- the formula -----------------------------------------------------------------------------------

def test_full_marks_is_100_and_excellent():
    s = compute(inputs(), DEFAULT, "2026-W48")
    assert (s.a, s.b, s.alpha, s.score, s.run_level) == (50, 50, 1, 100, "excellent")
    assert s.as_dict() == {"week": "2026-W48", "planned": 10, "expected": 10, "done": 10, "due_hazards": 4,
                           "accepted_hazards": 4, "a": 50.0, "b": 50.0, "alpha": 1, "score": 100.0,
                           "run_level": "excellent", "rule_set": "default@2026.1"}


def test_hand_computed_week():
    # 8 of 10 windows on time (1 late, 1 missed): A = 40; 2 包保 duties missed: −10 → 30.
    # 3 of 4 due hazards accepted: B = 37.5; 0 hazards found (< 1): −10 → 27.5. E = 57.5 → 差.
    s = compute(inputs(done=8, late=1, accepted=3, found=0, duties=3, duties_done=1), DEFAULT)
    assert (s.a_raw, s.coverage_deduction, s.a) == (40, 10, 30)
    assert (s.b_raw, s.few_hazards_deduction, s.b) == (37.5, 10, 27.5)
    assert (s.score, s.run_level, s.run_level_label) == (57.5, "poor", "差")


def test_late_windows_do_not_count_as_done_and_suspended_ones_are_excused():
    # check_figures' definition: rate = done ÷ (planned − suspended); a late record is not done.
    s = compute(inputs(planned=10, done=5, late=3, suspended=2), DEFAULT)
    assert s.expected == 8 and s.a == 31.25


def test_veto_sets_alpha_to_zero():
    s = compute(inputs(vetoes={"fatal_accident"}), DEFAULT)
    assert (s.alpha, s.score, s.run_level, s.vetoes) == (0, 0, "poor", ("fatal_accident",))


def test_unknown_veto_is_refused_naming_it():
    with pytest.raises(RuleSetError) as e:
        compute(inputs(vetoes={"made_up"}), DEFAULT)
    assert (e.value.field, e.value.reason) == ("vetoes.made_up", "unknown_veto")


def test_coverage_deduction_is_capped_and_never_makes_a_negative():
    s = compute(inputs(done=1, duties=10, duties_done=0), DEFAULT)
    assert s.a_raw == 5 and s.a == 0 and s.coverage_deduction == 5  # cap 20, but A stops at 0


def test_edge_nothing_planned_and_nothing_due():
    # No window expected (no task due, or all suspended): A is the configured value, not 0/0.
    s = compute(inputs(planned=0, done=0, due=0, accepted=0), DEFAULT)
    assert s.completion_rate is None and s.rectification_rate is None
    assert (s.a, s.b) == (DEFAULT.a_when_nothing_expected, DEFAULT.b_when_nothing_due)
    s = compute(inputs(planned=3, done=0, suspended=3), DEFAULT)
    assert s.expected == 0 and s.a == 50


def test_bad_inputs_name_the_field():
    for kwargs, field in (({"accepted": 5, "due": 4}, "accepted_hazards"),
                          ({"duties": 1, "duties_done": 2}, "duties_done"),
                          ({"found": -1}, "hazards_found")):
        with pytest.raises(RuleSetError) as e:
            inputs(**kwargs)
        assert e.value.field == field


@st.composite
def weeks(draw):
    planned = draw(st.integers(0, 40))
    suspended = draw(st.integers(0, planned))
    done = draw(st.integers(0, planned - suspended))
    late = draw(st.integers(0, planned - suspended - done))
    due = draw(st.integers(0, 30))
    accepted = draw(st.integers(0, due))
    duties = draw(st.integers(0, 10))
    return dict(planned=planned, done=done, late=late, suspended=suspended, due=due, accepted=accepted,
                found=draw(st.integers(0, 5)), duties=duties, duties_done=draw(st.integers(0, duties)),
                vetoes=draw(st.sets(st.sampled_from(sorted(DEFAULT.vetoes)), max_size=1)))


@given(weeks())
def test_a_higher_completion_never_lowers_the_score(w):
    base = compute(inputs(**w), DEFAULT)
    assert 0 <= base.score <= 100
    if w["done"] + w["late"] + w["suspended"] < w["planned"]:  # one missed window done on time instead
        better = compute(inputs(**{**w, "done": w["done"] + 1}), DEFAULT)
        assert better.score >= base.score
    if w["late"]:  # a late record made on time
        better = compute(inputs(**{**w, "done": w["done"] + 1, "late": w["late"] - 1}), DEFAULT)
        assert better.score >= base.score
    if w["accepted"] < w["due"]:
        assert compute(inputs(**{**w, "accepted": w["accepted"] + 1}), DEFAULT).score >= base.score
    if w["duties_done"] < w["duties"]:
        assert compute(inputs(**{**w, "duties_done": w["duties_done"] + 1}), DEFAULT).score >= base.score


@given(weeks())
def test_explanation_accounts_for_every_lost_point(w):
    i = inputs(**w)
    s = compute(i, DEFAULT)
    items = explain(s, i, DEFAULT)
    assert sum(x.points for x in items) == pytest.approx(DEFAULT.maximum - s.score, abs=0.02)
    assert [x.points for x in items] == sorted((x.points for x in items), reverse=True)
    # Every term listed lost points; a veto is always listed (it decides the score even at 0 to lose).
    assert all(x.points > 0 or x.code == "veto" for x in items)
    assert any(x.code == "veto" for x in items) == bool(w["vetoes"])


def test_explanation_names_each_term_with_its_points():
    i = inputs(done=8, late=1, accepted=3, found=0, duties=3, duties_done=1)
    items = {x.code: x for x in explain(compute(i, DEFAULT), i, DEFAULT)}
    assert {c: x.points for c, x in items.items()} == {"checks": 10, "coverage": 10, "rectification": 12.5,
                                                      "few_hazards": 10}
    assert "排查任务完成率 80%" in items["checks"].message and "逾期完成 1" in items["checks"].message
    assert "2 项包保责任未履职" in items["coverage"].message
    assert "隐患整改率 75%" in items["rectification"].message
    assert explain(compute(inputs(), DEFAULT), inputs(), DEFAULT) == []
    vetoed = inputs(vetoes={"fatal_accident"})
    (veto,) = explain(compute(vetoed, DEFAULT), vetoed, DEFAULT)
    assert veto.points == 100 and "本周发生造成人员死亡的生产安全事故" in veto.message


# --- rule-set validation ---------------------------------------------------------------------------

def _with(**changes):
    return dataclasses.replace(DEFAULT, **changes)


@pytest.mark.parametrize("bands, field, reason", [
    ((Band("a", "差", 0, 60), Band("b", "良", 50, 100)), "bands[1].lower", "overlap"),
    ((Band("a", "差", 0, 60), Band("b", "良", 70, 100)), "bands[1].lower", "gap"),
    ((Band("a", "差", 10, 100),), "bands[0].lower", "gap"),
    ((Band("a", "差", 0, 90),), "bands[0].upper", "gap"),
    ((Band("a", "差", 0, 60), Band("b", "良", 60, 60)), "bands[1].upper", "not_above_lower"),
    ((Band("a", "差", 0, 60), Band("a", "良", 60, 100)), "bands[1].level", "duplicate"),
    ((), "bands", "missing"),
])
def test_bad_bands_are_refused_naming_the_field(bands, field, reason):
    with pytest.raises(RuleSetError) as e:
        _with(bands=bands)
    assert (e.value.field, e.value.reason) == (field, reason)


@pytest.mark.parametrize("change, field", [
    ({"coverage_deduction_per_miss": -1}, "coverage_deduction_per_miss"),
    ({"few_hazards_deduction": float("nan")}, "few_hazards_deduction"),
    ({"few_hazards_minimum": -2}, "few_hazards_minimum"),
    ({"a_when_nothing_expected": 60}, "a_when_nothing_expected"),
    ({"vetoes": {"x": " "}}, "vetoes.x"),
])
def test_bad_parameters_are_refused_naming_the_field(change, field):
    with pytest.raises(RuleSetError) as e:
        _with(**change)
    assert e.value.field == field


def test_rule_set_from_configuration():
    rs = from_mapping({"key": "js", "version": "2027.1", "coverage_deduction_per_miss": 2,
                       "coverage_deduction_cap": 10, "few_hazards_minimum": 2, "few_hazards_deduction": 5,
                       "bands": [{"level": "d", "lower": 0, "upper": 50}, {"level": "a", "lower": 50, "upper": 100}],
                       "vetoes": {"v": "否决"}})
    assert rs.label == "js@2027.1" and rs.run_level(50).level == "a" and rs.run_level(100).level == "a"
    with pytest.raises(RuleSetError) as e:
        from_mapping({"key": "js", "version": "1", "bands": [{"level": "d", "lower": 0}]})
    assert e.value.field == "bands[0].upper"
    with pytest.raises(RuleSetError) as e:
        from_mapping({"key": "js", "version": "1", "bands": [], "typo": 1})
    assert (e.value.field, e.value.reason) == ("typo", "unknown_field")


# --- versioned rule sets by region and date -------------------------------------------------------

def test_registry_picks_longest_prefix_then_latest_in_force():
    old, new = _with(key="js", version="2026.1"), _with(key="js", version="2027.1")
    city = _with(key="nj", version="2026.1")
    reg = Registry("weekly score", [Binding("", None, DEFAULT), Binding("32", date(2026, 1, 1), old),
                                    Binding("32", date(2027, 1, 1), new), Binding("3201", date(2026, 6, 1), city)])
    assert ruleset_for("320500", date(2026, 11, 23), reg) is old
    assert ruleset_for("320500", date(2027, 1, 4), reg) is new
    assert ruleset_for("320102", date(2026, 11, 23), reg) is city
    assert ruleset_for("320102", date(2026, 5, 1), reg) is old  # the city's rules were not in force yet
    assert ruleset_for("110000", date(2026, 11, 23), reg) is DEFAULT
    assert reg.by_label("js@2027.1") is new
    future = Registry("x", [Binding("", None, DEFAULT), Binding("", date(9999, 1, 1), old)])
    assert future.select("320500") is DEFAULT  # today's rules: a set bound from a future date waits
    with pytest.raises(RuleSetError) as e:
        reg.bind("32", date(2027, 1, 1), new)
    assert e.value.reason == "duplicate"
    with pytest.raises(RuleSetError) as e:
        Registry("x", [Binding("32", date(2027, 1, 1), new)]).select("320500", date(2026, 1, 1))
    assert e.value.reason == "no_ruleset"


def test_grading_keeps_its_behaviour_on_the_shared_prefix_helper():
    mapping = {"37": "shandong", "3611": "ls_b"}
    assert ruleset_for_region("370102", mapping) is PRESETS["shandong"]
    assert ruleset_for_region("361102", mapping) is PRESETS["ls_b"]
    assert ruleset_for_region(None, {"": "ls_c"}) is PRESETS["strict"]
    assert ruleset_for_region("110000", {"": "ls_c"}) is PRESETS["ls_c"]
    assert longest_prefix("3611", {"3": "a", "36": "b"}) == "b"


# --- ISO weeks ------------------------------------------------------------------------------------

def test_week_parsing_and_bounds_in_china_time():
    w = parse_week("2026-W48")
    assert (w.monday, w.sunday, str(w)) == (date(2026, 11, 23), date(2026, 11, 29), "2026-W48")
    start, end = w.bounds()
    assert start == datetime(2026, 11, 23, tzinfo=CHINA) and end - start == timedelta(days=7)
    assert start.astimezone(UTC) == datetime(2026, 11, 22, 16, tzinfo=UTC)
    # Sunday 23:30 in Beijing is still W48 though it is Sunday 15:30 UTC; Monday 01:00 Beijing is W49.
    assert week_of(datetime(2026, 11, 29, 15, 30, tzinfo=UTC)) == w
    assert week_of(datetime(2026, 11, 29, 17, 0, tzinfo=UTC)) == parse_week("2026-W49")
    assert last_complete_week(datetime(2026, 11, 30, 1, tzinfo=CHINA)) == w
    assert parse_week("2027-W01").previous() == parse_week("2026-W53") and weeks_in_year(2026) == 53


@pytest.mark.parametrize("text, reason", [
    ("2025-W53", "no_such_week"), ("2026-W54", "no_such_week"), ("2026-W00", "no_such_week"),
    ("2026-48", "not_week"), ("2026W48", "not_week"), ("", "not_week"), (None, "not_week"),
    ("2026-W4", "not_week"),
])
def test_a_week_that_does_not_exist_is_an_error(text, reason):
    with pytest.raises(RuleSetError) as e:
        parse_week(text)
    assert (e.value.field, e.value.reason) == ("week", reason)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(9998, 12, 20)))
def test_every_day_lies_in_its_week(d):
    w = week_of(d)
    assert w.monday <= d <= w.sunday and parse_week(str(w)) == w
    assert w.next().monday == w.monday + timedelta(days=7)


def test_naive_datetime_is_refused():
    with pytest.raises(RuleSetError):
        week_of(datetime(2026, 11, 29, 12))
    assert isinstance(IsoWeek(2026, 1), IsoWeek)
