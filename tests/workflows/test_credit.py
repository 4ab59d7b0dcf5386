"""Credit records and the serious-dishonesty list: configuration, proposals, periods, repair, lifecycles."""

from __future__ import annotations

import dataclasses
from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows import credit as c
from workflows import hazard
from workflows.credit import CreditFact, CreditFactKind, ListingState, RecordState
from workflows.rulesets import Binding, Registry, RuleSetError

L = ListingState
LISTED = date(2026, 3, 31)


# --- credit records -----------------------------------------------------------------------------------

def test_default_counts_each_fact_once_and_cites_the_source():
    rec = c.record_for(CreditFact(CreditFactKind.major_hazard_overdue, "隐患 2026-0042，期限 2026-11-20",
                                  date(2026, 11, 21)), c.DEFAULT_CREDIT)
    assert (rec.weight, rec.label, rec.rule_set) == (1.0, "挂牌督办的重大事故隐患逾期未整改", "default@2026.1")
    assert rec.source == "隐患 2026-0042，期限 2026-11-20"


def test_region_weights_decide_which_facts_count():
    rs = c.CreditRuleSet("js", "2026.1", "江苏（示例）", {"false_closure": 3, "inspection_refused": 5})
    reg = Registry("credit", [Binding("", None, c.DEFAULT_CREDIT), Binding("32", None, rs)])
    assert c.credit_rules_for("320100", registry=reg) is rs
    on = date(2026, 11, 1)
    records = [c.record_for(CreditFact(k, "src", on), rs) for k in CreditFactKind]
    assert {r.kind: r.weight for r in records if r} == {CreditFactKind.false_closure: 3.0,
                                                         CreditFactKind.inspection_refused: 5.0}
    assert c.total_weight(r for r in records if r) == 8
    with pytest.raises(RuleSetError) as e:
        c.record_for(CreditFact(CreditFactKind.manual, "  ", on), rs)
    assert e.value.field == "source"


@pytest.mark.parametrize("weights, field", [({"nope": 1}, "weights.nope"), ({"manual": -1}, "weights.manual"),
                                            ({"manual": float("inf")}, "weights.manual")])
def test_bad_weights_are_refused_naming_the_field(weights, field):
    with pytest.raises(RuleSetError) as e:
        c.CreditRuleSet("x", "1", "x", weights)
    assert e.value.field == field


def test_record_objection_and_correction():
    rec = SimpleNamespace(state=RecordState.recorded)
    with pytest.raises(hazard.GuardFailed) as e:
        c.RECORD_MACHINE.fire(rec, "object", reason="")
    assert e.value.failures == {"has_reason": "reason"}
    assert c.RECORD_MACHINE.fire(rec, "object", reason="隐患已按期整改，系统时间有误") == RecordState.objected
    with pytest.raises(hazard.GuardFailed) as e:
        c.RECORD_MACHINE.fire(rec, "correct", actor_id=3, reason="属实")
    assert e.value.failures == {"has_correction": "correction"}
    assert c.RECORD_MACHINE.fire(rec, "correct", actor_id=3, reason="属实", correction="撤销") == RecordState.corrected
    with pytest.raises(hazard.InvalidTrigger):
        c.RECORD_MACHINE.fire(rec, "object", reason="again")


# --- the serious-dishonesty list ----------------------------------------------------------------------

def test_national_rules_have_the_nine_conditions_and_no_invented_period():
    rs = c.dishonesty_rules_for("110105", date(2026, 1, 1))
    assert rs is c.NATIONAL_DISHONESTY and len(rs.conditions) == 9
    with pytest.raises(RuleSetError) as e:
        c.expires_on(LISTED, rs)
    assert (e.value.field, e.value.reason) == ("period_months", "not_configured")
    with pytest.raises(RuleSetError) as e:
        c.early_removal(LISTED, date(2027, 6, 1), (), rs)
    assert (e.value.field, e.value.reason) == ("early_removal_min_months", "not_configured")
    with pytest.raises(RuleSetError):  # before 11号令 was in force there was no list
        c.dishonesty_rules_for("110105", date(2023, 9, 30))


def test_system_proposes_naming_the_conditions_met():
    p = c.propose_entry({"accident_concealed": True, "unlicensed": False}, c.NATIONAL_DISHONESTY, penalty_decided=True)
    assert [x.code for x in p.conditions] == ["accident_concealed"] and "瞒报、谎报生产安全事故" in p.text
    with pytest.raises(RuleSetError) as e:
        c.propose_entry({"unlicensed": False}, c.NATIONAL_DISHONESTY, penalty_decided=True)
    assert (e.value.field, e.value.reason) == ("conditions", "none_met")
    with pytest.raises(RuleSetError) as e:
        c.propose_entry(["accident_concealed"], c.NATIONAL_DISHONESTY, penalty_decided=False)
    assert (e.value.field, e.value.reason) == ("penalty", "not_met")


def test_entry_without_its_condition_is_refused_naming_it():
    assert c.check_entry("unlicensed", ["unlicensed"], c.NATIONAL_DISHONESTY, penalty_decided=True).code == "unlicensed"
    with pytest.raises(RuleSetError) as e:
        c.check_entry("accidents_larger_12m", ["unlicensed"], c.NATIONAL_DISHONESTY, penalty_decided=True)
    assert (e.value.field, e.value.reason) == ("conditions.accidents_larger_12m", "not_met")
    assert "12个月内累计发生2起以上较大生产安全事故" in e.value.detail
    with pytest.raises(RuleSetError) as e:
        c.check_entry("bad_attitude", ["bad_attitude"], c.NATIONAL_DISHONESTY, penalty_decided=True)
    assert e.value.reason == "unknown_condition"


def test_shanxi_period_and_early_removal():
    rs = c.dishonesty_rules_for("140105", date(2026, 1, 1))
    assert rs is c.SHANXI_DISHONESTY
    assert c.expires_on(LISTED, rs) == date(2029, 3, 31)
    early = c.early_removal(LISTED, date(2027, 3, 30), (), rs)
    assert (early.eligible, early.earliest_on, early.unmet) == (False, date(2027, 3, 31), ("min_months",))
    assert c.early_removal(LISTED, date(2027, 3, 31), (), rs).eligible
    with pytest.raises(RuleSetError) as e:
        c.early_removal(LISTED, date(2029, 4, 1), (), rs)
    assert e.value.reason == "already_expired"


def test_configured_repair_conditions_must_all_be_satisfied():
    rs = dataclasses.replace(c.SHANXI_DISHONESTY, early_removal_conditions={
        "penalty_fulfilled": "已履行行政处罚决定", "no_new_entry": "未再发生列入情形"})
    r = c.early_removal(LISTED, date(2027, 6, 1), ["penalty_fulfilled"], rs)
    assert (r.eligible, r.unmet) == (False, ("no_new_entry",))
    assert c.early_removal(LISTED, date(2027, 6, 1), ["penalty_fulfilled", "no_new_entry"], rs).eligible
    with pytest.raises(RuleSetError) as e:
        c.early_removal(LISTED, date(2027, 6, 1), ["bribe"], rs)
    assert e.value.field == "early_removal_conditions.bribe"


@pytest.mark.parametrize("change, field", [
    ({"period_months": 0}, "period_months"), ({"early_removal_min_months": 36}, "early_removal_min_months"),
    ({"conditions": {}}, "conditions"), ({"restriction_domains": ("space_travel",)}, "restriction_domains.space_travel"),
])
def test_bad_dishonesty_rule_sets_are_refused(change, field):
    with pytest.raises(RuleSetError) as e:
        dataclasses.replace(c.SHANXI_DISHONESTY, **change)
    assert e.value.field == field


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31)), st.integers(1, 120))
def test_add_months_lands_in_the_right_month(d, months):
    r = c.add_months(d, months)
    assert (r.year * 12 + r.month) - (d.year * 12 + d.month) == months and r.day <= d.day


def listing(**kw):
    return SimpleNamespace(**{"state": L.proposed, "proposed_by_id": 5, "expires_on": None, **kw})


def test_listing_lifecycle():
    obj = listing()
    with pytest.raises(hazard.GuardFailed) as e:  # the proposer does not decide alone, nor without notice
        c.LISTING_MACHINE.fire(obj, "decide", actor_id=5, decision_no="")
    assert e.value.failures == {"decider_is_not_proposer": "actor", "has_decision_document": "decision_no",
                                "entity_notified": "notified_on"}
    assert c.LISTING_MACHINE.fire(obj, "decide", actor_id=6, decision_no="晋应急失信〔2026〕1号",
                                  notified_on=date(2026, 3, 20)) == L.listed
    obj.expires_on = c.expires_on(LISTED, c.SHANXI_DISHONESTY)
    with pytest.raises(hazard.GuardFailed):
        c.LISTING_MACHINE.fire(obj, "expire", today=date(2029, 3, 30))
    not_yet = c.early_removal(LISTED, date(2026, 6, 1), (), c.SHANXI_DISHONESTY)
    with pytest.raises(hazard.GuardFailed) as e:
        c.LISTING_MACHINE.fire(obj, "remove_early", actor_id=6, eligibility=not_yet, decision_no="x")
    assert e.value.failures == {"repair_eligible": "conditions"}
    ok = c.early_removal(LISTED, date(2027, 6, 1), (), c.SHANXI_DISHONESTY)
    assert c.LISTING_MACHINE.fire(obj, "remove_early", actor_id=6, eligibility=ok, decision_no="x") == L.removed_early
    assert obj.state not in c.PUBLISHED_STATES
    assert c.LISTING_MACHINE.fire(obj, "revoke_removal", actor_id=6, reason="弄虚作假") == L.listed
    assert c.LISTING_MACHINE.fire(obj, "expire", today=date(2029, 3, 31)) == L.expired


def test_restriction_domains_are_the_seeds_lists():
    assert c.RESTRICTION_DOMAINS["government_procurement"] == "政府采购"
    assert set(c.NATIONAL_DISHONESTY.restriction_domains) == set(c.RESTRICTION_DOMAINS)
