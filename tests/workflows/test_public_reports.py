"""Public reports: the handling and reward machines, reward computation, masking for publication."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workflows import hazard
from workflows import public_reports as pr
from workflows.masking import mask_name, mask_phone
from workflows.public_reports import AccidentLevel, ReportCategory, ReportState, RewardState
from workflows.rulesets import Binding, Registry, RuleSetError

R, W = ReportState, RewardState
TODAY = date(2026, 11, 29)

EXPECTED_REPORT = {
    (R.submitted, "accept"): R.accepted,
    (R.submitted, "reject"): R.rejected,
    (R.submitted, "transfer"): R.transferred,
    (R.accepted, "verify"): R.verified,
    (R.verified, "close"): R.closed,
}
GOOD_REPORT = {
    "accept": {"actor_id": 7},
    "reject": {"actor_id": 7, "reason": "不属于安全生产举报"},
    "transfer": {"actor_id": 7, "reason": "属消防部门职责", "authority_id": 99},
    "verify": {"actor_id": 7, "substantiated": False, "findings": "现场未发现"},
    "close": {"actor_id": 7, "result": "经核查不属实"},
}


def report(state=R.submitted, **kw):
    base = {"state": state, "authority_id": 1, "substantiated": None, "reporter_name": "张三",
            "reporter_phone": "13812341234", "reward_state": W.none, "reward_proposed_by_id": None}
    base.update(kw)
    return SimpleNamespace(**base)


@pytest.mark.parametrize("state", list(R))
@pytest.mark.parametrize("trigger", pr.REPORT_TRIGGERS)
def test_report_transition_table(state, trigger):
    obj = report(state)
    expected = EXPECTED_REPORT.get((state, trigger))
    if expected is None:
        with pytest.raises(hazard.InvalidTrigger):  # the hazard machine's own exception type
            pr.fire_report(obj, trigger, **GOOD_REPORT[trigger])
        assert obj.state == state
    else:
        assert pr.fire_report(obj, trigger, **GOOD_REPORT[trigger]) == expected == obj.state


def test_report_guards_name_their_fields():
    with pytest.raises(hazard.GuardFailed) as e:
        pr.fire_report(report(), "reject", actor_id=7, reason="  ")
    assert e.value.failures == {"has_reason": "reason"}
    with pytest.raises(hazard.GuardFailed) as e:
        pr.fire_report(report(), "transfer", actor_id=7, reason="x", authority_id=1)  # to itself
    assert e.value.failures == {"target_is_other_authority": "authority_id"}
    with pytest.raises(hazard.GuardFailed) as e:
        pr.fire_report(report(R.accepted), "verify", actor_id=7, substantiated="yes", findings="")
    assert e.value.failures == {"has_substantiated": "substantiated", "has_findings": "findings"}
    assert pr.REPORT_MACHINE.triggers_from(R.submitted) == ["accept", "reject", "transfer"]
    assert pr.REPORT_MACHINE.triggers_from(R.closed) == []


def test_reward_lifecycle_and_its_guards():
    obj = report(R.verified, substantiated=True)
    assert pr.fire_reward(obj, "propose", amount=Decimal(3000), basis="依据…") == W.proposed
    obj.reward_proposed_by_id = 7
    with pytest.raises(hazard.GuardFailed) as e:  # the inspector who proposed cannot approve
        pr.fire_reward(obj, "approve", actor_id=7)
    assert e.value.failures == {"approver_is_not_proposer": "actor"}
    assert pr.fire_reward(obj, "approve", actor_id=8) == W.approved
    with pytest.raises(hazard.GuardFailed) as e:
        pr.fire_reward(obj, "pay", paid_on=date(2026, 12, 1), method="银行转账", today=TODAY)
    assert e.value.failures == {"paid_on_not_future": "paid_on"}
    assert pr.fire_reward(obj, "pay", paid_on=TODAY, method="银行转账", today=TODAY) == W.paid
    with pytest.raises(hazard.InvalidTrigger):
        pr.fire_reward(obj, "approve", actor_id=9)


@pytest.mark.parametrize("kw, failures", [
    ({"reporter_name": "", "reporter_phone": None}, {"reporter_identifiable": "reporter"}),
    ({"reporter_name": "张三", "reporter_phone": "12"}, {"reporter_identifiable": "reporter"}),
    ({"substantiated": False}, {"report_substantiated": "substantiated"}),
    ({"state": R.accepted}, {"report_substantiated": "substantiated"}),
])
def test_no_reward_for_an_anonymous_or_unsubstantiated_report(kw, failures):
    obj = report(**{"state": R.verified, "substantiated": True, **kw})
    with pytest.raises(hazard.GuardFailed) as e:
        pr.fire_reward(obj, "propose", amount=Decimal(3000), basis="依据…")
    assert e.value.failures == failures and obj.reward_state == W.none


# --- reward amounts (安监总财〔2018〕19号) --------------------------------------------------------------

def reward(category, **kw):
    return pr.compute_reward(category, pr.NATIONAL, reporter_name="张三", reporter_phone="13812341234", **kw)


@pytest.mark.parametrize("fine, amount", [
    (100000, "15000.00"),  # 15 %
    (10000, "3000.00"),  # 1 500 → the minimum 3 000
    (0, "3000.00"),
    (2000000, "300000.00"),  # exactly the cap
    (5000000, "300000.00"),  # 750 000 → the cap
    ("33333.33", "5000.00"),  # 4 999.9995 → rounded to the fen
])
def test_major_hazard_and_violation_rewards(fine, amount):
    for category in (ReportCategory.major_hazard, ReportCategory.violation):
        p = reward(category, fine=fine)
        assert p.amount == Decimal(amount) and p.rule_set == "national@2018.1"
        assert f"奖励 {Decimal(amount):,.2f} 元" in p.basis and "安监总财〔2018〕19号" in p.basis


def test_basis_shows_the_computation():
    p = reward(ReportCategory.major_hazard, fine=10000)
    assert "行政处罚金额 10,000.00 元 × 15% = 1,500.00 元" in p.basis and "（按最低奖励）" in p.basis


@pytest.mark.parametrize("level, deaths, amount", [
    (AccidentLevel.general, 1, 30000), (AccidentLevel.larger, 2, 80000), (AccidentLevel.major, 3, 150000),
    (AccidentLevel.especially_major, 4, 240000), (AccidentLevel.especially_major, 6, 300000),
])
def test_concealment_rewards_per_death_with_cap(level, deaths, amount):
    p = reward(ReportCategory.concealment, accident_level=level, concealed_deaths=deaths)
    assert p.amount == Decimal(amount) and f"死亡 {deaths} 人" in p.basis


def test_reward_refusals_name_the_field():
    cases = [
        (lambda: pr.compute_reward("major_hazard", pr.NATIONAL, reporter_name="", reporter_phone="13812341234",
                                   fine=1), "reporter", "not_identifiable"),
        (lambda: reward("major_hazard"), "fine", "missing"),
        (lambda: reward("major_hazard", fine=-5), "fine", "negative"),
        (lambda: reward("concealment", accident_level="huge", concealed_deaths=1), "accident_level", "unknown_level"),
        (lambda: reward("concealment", accident_level="general", concealed_deaths=0), "concealed_deaths", "not_count"),
        (lambda: reward("other"), "other_amount", "not_configured"),  # no national amount: never invented
        (lambda: reward("rumour"), "category", "unknown_category"),
    ]
    for call, field, reason in cases:
        with pytest.raises(RuleSetError) as e:
            call()
        assert (e.value.field, e.value.reason) == (field, reason)


def test_reward_rule_sets_are_configuration_per_region_and_date():
    local = pr.RewardRuleSet("hn", "2024.1", "河南省办法", Decimal("0.15"), 3000, 300000, None, None,
                             other_amount=1000)
    reg = Registry("report reward", [Binding("", date(2018, 1, 4), pr.NATIONAL), Binding("41", date(2024, 1, 1), local)])
    assert pr.reward_rules_for("410300", date(2025, 1, 1), reg) is local
    assert pr.reward_rules_for("410300", date(2023, 1, 1), reg) is pr.NATIONAL
    assert pr.compute_reward("other", local, reporter_name="李四", reporter_phone="0371-12345678").amount == 1000
    with pytest.raises(RuleSetError) as e:  # this region configured no per-death amounts
        pr.compute_reward("concealment", local, reporter_name="李四", reporter_phone="13812341234",
                          accident_level="general", concealed_deaths=1)
    assert (e.value.field, e.value.reason) == ("per_concealed_death", "not_configured")
    for kwargs, field in (({"fine_percent": 15}, "fine_percent"), ({"minimum": 5, "maximum": 1}, "minimum"),
                          ({"minimum": -1}, "minimum"), ({"per_concealed_death": {"x": 1}}, "per_concealed_death.x")):
        base = dict(key="k", version="1", title="t", fine_percent=None, minimum=None, maximum=None,
                    per_concealed_death=None, concealment_maximum=None)
        with pytest.raises(RuleSetError) as e:
            pr.RewardRuleSet(**{**base, **kwargs})
        assert e.value.field == field


# --- masking ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, masked", [
    ("张三", "张*"), ("欧阳娜娜", "欧阳**"), ("王小明", "王**"), ("李", "*"), ("欧阳", "欧*"),
    ("司马光", "司马*"), (" 张三 ", "张*"), ("", ""), (None, ""), ("John Smith", "J*** *****"),
    ("阿卜杜拉·买买提", "阿*******"),
])
def test_mask_name(name, masked):
    assert mask_name(name) == masked


@pytest.mark.parametrize("phone, masked", [
    ("13812341234", "138****1234"), ("+86 138-1234-1234", "138****1234"), ("8613812341234", "138****1234"),
    ("0371-12345678", "********5678"), ("12345", "*****"), ("", ""), (None, ""),
])
def test_mask_phone(phone, masked):
    assert mask_phone(phone) == masked


@given(st.text(min_size=0, max_size=12))
def test_a_masked_name_reveals_at_most_the_surname(name):
    masked = mask_name(name)
    shown = [c for c in masked if c not in "* "]
    assert len(shown) <= 2
    if len(name.strip()) > 1:
        assert masked.count("*") >= 1  # something is always hidden
    # What is shown is the beginning of the name, nothing from its end.
    assert "".join(shown) == re.sub(r"\s+", " ", name.strip())[:len(shown)].replace(" ", "")


@given(st.from_regex(r"1[3-9]\d{9}", fullmatch=True), st.sampled_from(["", "+86 ", "86"]),
       st.sampled_from(["", "-", " "]))
def test_a_masked_mobile_shows_only_the_first_three_and_last_four(number, prefix, sep):
    written = prefix + sep.join([number[:3], number[3:7], number[7:]])
    masked = mask_phone(written)
    assert masked == number[:3] + "****" + number[7:]


@given(st.text(alphabet="0123456789-+ ()", max_size=25))
def test_a_masked_number_never_shows_more_than_seven_digits(phone):
    masked = mask_phone(phone)
    digits = re.sub(r"\D", "", masked)
    assert len(digits) <= 7
    if len(re.sub(r"\D", "", phone)) < 8:  # too short to be a number we could show a part of
        assert digits == ""


def test_the_documented_diagrams_are_the_machines():
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "public-reports.md").read_text(encoding="utf-8")
    for diagram in (pr.REPORT_MACHINE.mermaid(R.submitted, [R.rejected, R.transferred, R.closed]),
                    pr.REWARD_MACHINE.mermaid(W.none, [])):
        assert diagram in doc
