"""Grading over every achievable score of each method and every boundary of every preset."""

from __future__ import annotations

import math
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows.grades import Grade
from workflows.grading import (
    FACTORS,
    PRESETS,
    ControlLevel,
    GradingError,
    Method,
    achievable_scores,
    assess,
    control_level_for,
    grade_score,
    levels_controlling,
    ruleset_for_region,
    scale,
)

STRICT = PRESETS["strict"]
SHANDONG = PRESETS["shandong"]


def expected_lec_strict(d):
    return Grade.red if d >= 320 else Grade.orange if d >= 160 else Grade.yellow if d >= 70 else Grade.blue


def expected_lec_shandong(d):
    return Grade.red if d > 320 else Grade.orange if d > 160 else Grade.yellow if d > 70 else Grade.blue


LS_PRESETS = {  # (red from, orange from, yellow from), all inclusive (domain.md §3.4)
    "strict": (20, 15, 9), "ls_b": (20, 10, 4), "ls_c": (20, 9, 4), "ls_d": (20, 15, 6),
}


def test_every_lec_combination_by_hand_rule():
    combos = list(product(*FACTORS[Method.lec].values()))
    assert len(combos) == 7 * 6 * 6
    for L, E, C in combos:
        d = L * E * C
        score, grade = assess("lec", {"L": L, "E": E, "C": C}, STRICT)
        assert math.isclose(score, d, rel_tol=1e-9)
        assert grade == expected_lec_strict(score), (L, E, C)
        assert assess("lec", {"L": L, "E": E, "C": C}, SHANDONG)[1] == expected_lec_shandong(score)


def test_lec_boundaries_that_exist():
    scores = achievable_scores("lec")
    assert 20 in scores and 70 in scores and 160 not in scores and 320 not in scores
    assert {150, 180, 300, 360} <= set(scores)
    # D = 70 (L=10, E=1, C=7): yellow under the strict default, blue under the Shandong convention.
    assert assess("lec", {"L": 10, "E": 1, "C": 7})[1] == Grade.yellow
    assert assess("lec", {"L": 10, "E": 1, "C": 7}, SHANDONG)[1] == Grade.blue
    assert assess("lec", {"L": 6, "E": 6, "C": 15}) == (540, Grade.red)
    assert assess("lec", {"L": 3, "E": 6, "C": 15}) == (270, Grade.orange)
    assert assess("lec", {"L": 0.1, "E": 3, "C": 100}) == (30, Grade.blue)  # no float noise
    for d, grade in ((360, Grade.red), (300, Grade.orange), (180, Grade.orange), (150, Grade.yellow),
                     (69.99, Grade.blue), (20, Grade.blue)):
        assert grade_score("lec", d) == grade


@pytest.mark.parametrize("preset", sorted(LS_PRESETS))
def test_every_ls_score(preset):
    red, orange, yellow = LS_PRESETS[preset]
    assert achievable_scores("ls") == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]
    for L, S in product(range(1, 6), range(1, 6)):
        r = L * S
        want = Grade.red if r >= red else Grade.orange if r >= orange else Grade.yellow if r >= yellow else Grade.blue
        assert assess("ls", {"L": L, "S": S}, PRESETS[preset]) == (r, want)


def test_ls_boundaries_of_preset_a():
    assert [grade_score("ls", r) for r in (25, 20, 16, 15, 12, 9, 8, 4, 3, 1)] == [
        Grade.red, Grade.red, Grade.orange, Grade.orange, Grade.yellow, Grade.yellow,
        Grade.blue, Grade.blue, Grade.blue, Grade.blue]


def test_every_mes_score():
    scores = achievable_scores("mes")
    # The classic bands are contiguous over the achievable products (domain.md §3.5).
    assert {18, 20, 48, 50, 80, 90, 150, 180, 200} <= set(scores)
    for M, E, S in product(*FACTORS[Method.mes].values()):
        r = M * E * S
        want = Grade.red if r >= 180 else Grade.orange if r >= 90 else Grade.yellow if r >= 50 else Grade.blue
        assert assess("mes", {"M": M, "E": E, "S": S}) == (pytest.approx(r), want)
    assert [grade_score("mes", r) for r in (180, 150, 90, 80, 50, 48, 20, 18)] == [
        Grade.red, Grade.orange, Grade.orange, Grade.yellow, Grade.yellow, Grade.blue, Grade.blue, Grade.blue]


def test_direct_determination_is_red_and_names_rules():
    assert assess("direct", {"rules": ["D2"]}) == (None, Grade.red)
    assert assess("direct", {"rules": ["D1", "D5"]}) == (None, Grade.red)
    with pytest.raises(GradingError) as e:
        assess("direct", {"rules": []})
    assert e.value.field == "inputs.rules" and e.value.reason == "no_rule"
    with pytest.raises(GradingError) as e:
        assess("direct", {"rules": ["D9"]})
    assert e.value.reason == "unknown_rule"


@pytest.mark.parametrize("method,inputs,field,reason", [
    ("lec", {"L": 4, "E": 6, "C": 15}, "inputs.L", "not_allowed"),
    ("lec", {"L": 6, "E": -1, "C": 15}, "inputs.E", "negative"),
    ("lec", {"L": 6, "C": 15}, "inputs.E", "missing"),
    ("lec", {"L": 6, "E": "x", "C": 15}, "inputs.E", "not_number"),
    ("lec", {"L": 6, "E": True, "C": 15}, "inputs.E", "not_number"),
    ("lec", {"L": 6, "E": 6, "C": float("nan")}, "inputs.C", "not_number"),
    ("lec", {"L": 6, "E": 6, "C": 15, "X": 1}, "inputs.X", "unknown_input"),
    ("ls", {"L": 6, "S": 1}, "inputs.L", "not_allowed"),
    ("ls", {"L": 0, "S": 1}, "inputs.L", "not_allowed"),
    ("mes", {"M": 2, "E": 6, "S": 4}, "inputs.M", "not_allowed"),
    ("hazop", {"L": 1}, "method", "unknown_method"),
    ("lec", None, "inputs", "missing"),
])
def test_bad_inputs_name_the_field(method, inputs, field, reason):
    with pytest.raises(GradingError) as e:
        assess(method, inputs)
    assert (e.value.field, e.value.reason) == (field, reason)


def test_numeric_strings_from_forms_are_accepted():
    assert assess("lec", {"L": "6", "E": "6", "C": "15"}) == (540, Grade.red)
    assert assess("lec", {"L": "0.5", "E": "6", "C": "15"}) == (45, Grade.blue)


def test_region_selection_longest_prefix():
    mapping = {"37": "shandong", "3611": "ls_b"}
    assert ruleset_for_region("370100", mapping).key == "shandong"
    assert ruleset_for_region("361102", mapping).key == "ls_b"
    assert ruleset_for_region("110000", mapping).key == "strict"
    assert ruleset_for_region(None, mapping).key == "strict"
    with pytest.raises(KeyError):
        ruleset_for_region("11", {"11": "nope"})


def test_scale_refuses_non_monotone_thresholds():
    with pytest.raises(ValueError):
        scale((Grade.red, 10, True), (Grade.orange, 20, True))
    with pytest.raises(ValueError):
        scale((Grade.orange, 20, True), (Grade.red, 10, True))


def test_rule_sets_describe_their_inclusivity():
    assert STRICT.scales[Method.lec].describe()[2] == ("yellow", "≥ 70")
    assert SHANDONG.scales[Method.lec].describe()[2] == ("yellow", "> 70")
    assert SHANDONG.scales[Method.lec].describe()[3] == ("blue", "≤ 70")


def test_control_levels_default_and_inheritance():
    assert control_level_for(Grade.red) == ControlLevel.company
    assert control_level_for(Grade.orange) == ControlLevel.department
    assert control_level_for(Grade.yellow) == ControlLevel.workshop
    assert control_level_for(Grade.blue) == ControlLevel.team
    assert control_level_for(Grade.blue, {g: "post" for g in Grade}) == ControlLevel.post
    assert levels_controlling(ControlLevel.workshop) == (ControlLevel.workshop, ControlLevel.team,
                                                         ControlLevel.post)
    assert len(levels_controlling(ControlLevel.company)) == 5


scores = st.floats(min_value=0, max_value=10_000, allow_nan=False)


@given(a=scores, b=scores, preset=st.sampled_from(sorted(PRESETS)), method=st.sampled_from(["lec", "ls", "mes"]))
def test_higher_score_never_gives_lower_grade(a, b, preset, method):
    lo, hi = sorted((a, b))
    rs = PRESETS[preset]
    assert grade_score(method, hi, rs).severity >= grade_score(method, lo, rs).severity


@given(st.sampled_from(["lec", "ls", "mes"]), st.data())
def test_assess_agrees_with_grade_score(method, data):
    m = Method(method)
    inputs = {k: data.draw(st.sampled_from(v)) for k, v in FACTORS[m].items()}
    score, grade = assess(method, inputs)
    assert score == pytest.approx(math.prod(inputs.values()))
    assert grade == grade_score(method, score)


def test_every_table_value_has_its_meaning():
    from workflows.grading import MEANINGS

    for method, factors in FACTORS.items():
        for name, values in factors.items():
            assert set(MEANINGS[method][name]) == set(values), (method, name)
