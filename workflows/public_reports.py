"""Public reports (举报) and their rewards (举报奖励): categories, two lifecycles, reward computation.

Framework-free; rules and citations in docs/public-reports.md. The national rule is the 《安全生产领域举报
奖励办法》 issued by 国家安全监管总局 and 财政部 as 安监总财〔2018〕19号 on 4 January 2018 (not "应急〔2018〕
19号": the 应急管理部 did not exist yet). Its amounts are encoded in the ``national`` reward rule set:

* 重大事故隐患 and 违法生产经营建设 (here: ``major_hazard`` and ``violation``): 15 % of the administrative
  fine, at least 3 000 yuan, at most 300 000 yuan;
* 瞒报、谎报事故 (``concealment``): per concealed death confirmed, 30 000 / 40 000 / 50 000 / 60 000 yuan for
  a 一般 / 较大 / 重大 / 特别重大 accident, at most 300 000 yuan;
* ``other``: no national amount; a region may configure one, else no reward is computed.

A reward needs a reporter the authority can identify and pay (name and phone): anonymous reports are
handled the same, but ``propose`` refuses a reward for them (guard ``reporter_identifiable``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from workflows.machines import GuardedMachine, GuardFailed, InvalidTrigger
from workflows.rulesets import Binding, Registry, RuleSetError

__all__ = ["GuardFailed", "InvalidTrigger"]


class ReportCategory(enum.StrEnum):
    major_hazard = "major_hazard"  # 重大事故隐患
    violation = "violation"  # 安全生产违法行为
    concealment = "concealment"  # 瞒报、谎报事故
    other = "other"  # 其他（一般事故隐患等）


CATEGORY_LABELS = {
    ReportCategory.major_hazard: "重大事故隐患",
    ReportCategory.violation: "安全生产违法行为",
    ReportCategory.concealment: "瞒报、谎报生产安全事故",
    ReportCategory.other: "其他",
}


class ReportState(enum.StrEnum):
    submitted = "submitted"  # 已提交
    accepted = "accepted"  # 已受理
    rejected = "rejected"  # 不予受理
    transferred = "transferred"  # 已转办
    verified = "verified"  # 已核查
    closed = "closed"  # 已办结


class RewardState(enum.StrEnum):
    none = "none"
    proposed = "proposed"  # 拟奖励
    approved = "approved"  # 已批准
    declined = "declined"  # 不予奖励
    paid = "paid"  # 已发放


class AccidentLevel(enum.StrEnum):
    general = "general"  # 一般事故
    larger = "larger"  # 较大事故
    major = "major"  # 重大事故
    especially_major = "especially_major"  # 特别重大事故


ACCIDENT_LABELS = {AccidentLevel.general: "一般事故", AccidentLevel.larger: "较大事故",
                   AccidentLevel.major: "重大事故", AccidentLevel.especially_major: "特别重大事故"}

# --- guards ------------------------------------------------------------------------------------------


def _kw(event, name):
    return event.kwargs.get(name)


def _text(value) -> bool:
    return bool((value or "").strip()) if isinstance(value, str | type(None)) else False


def has_actor(event) -> bool:
    return bool(_kw(event, "actor_id"))


def has_reason(event) -> bool:
    return _text(_kw(event, "reason"))


def has_target_authority(event) -> bool:
    return bool(_kw(event, "authority_id"))


def target_is_other_authority(event) -> bool:
    return _kw(event, "authority_id") != getattr(event.model, "authority_id", None)


def has_substantiated(event) -> bool:
    return isinstance(_kw(event, "substantiated"), bool)


def has_findings(event) -> bool:
    return _text(_kw(event, "findings"))


def has_result(event) -> bool:
    return _text(_kw(event, "result"))


PHONE = re.compile(r"\+?[\d\- ]{7,20}")


def is_identifiable(name: str | None, phone: str | None) -> bool:
    """A reporter the authority can reach and pay: a name and a phone number with 7+ digits."""
    digits = re.sub(r"\D", "", phone or "")
    return _text(name) and bool(PHONE.fullmatch((phone or "").strip())) and 7 <= len(digits) <= 15


def report_substantiated(event) -> bool:
    return getattr(event.model, "substantiated", None) is True and \
        getattr(event.model, "state", None) in (ReportState.verified, ReportState.closed, "verified", "closed")


def reporter_identifiable(event) -> bool:
    return is_identifiable(getattr(event.model, "reporter_name", None), getattr(event.model, "reporter_phone", None))


def has_amount(event) -> bool:
    amount = _kw(event, "amount")
    return isinstance(amount, Decimal | int) and not isinstance(amount, bool) and amount > 0


def has_basis(event) -> bool:
    return _text(_kw(event, "basis"))


def approver_is_not_proposer(event) -> bool:
    actor = _kw(event, "actor_id")
    return bool(actor) and actor != getattr(event.model, "reward_proposed_by_id", None)


def paid_on_not_future(event) -> bool:
    paid_on, today = _kw(event, "paid_on"), _kw(event, "today") or date.today()
    return isinstance(paid_on, date) and paid_on <= today


def has_method(event) -> bool:
    return _text(_kw(event, "method"))


R, W = ReportState, RewardState

REPORT_TRANSITIONS = [
    {"trigger": "accept", "source": R.submitted, "dest": R.accepted, "conditions": ["has_actor"]},
    {"trigger": "reject", "source": R.submitted, "dest": R.rejected, "conditions": ["has_actor", "has_reason"]},
    {"trigger": "transfer", "source": R.submitted, "dest": R.transferred,
     "conditions": ["has_actor", "has_reason", "has_target_authority", "target_is_other_authority"]},
    {"trigger": "verify", "source": R.accepted, "dest": R.verified,
     "conditions": ["has_actor", "has_substantiated", "has_findings"]},
    {"trigger": "close", "source": R.verified, "dest": R.closed, "conditions": ["has_actor", "has_result"]},
]
REWARD_TRANSITIONS = [
    {"trigger": "propose", "source": W.none, "dest": W.proposed,
     "conditions": ["report_substantiated", "reporter_identifiable", "has_amount", "has_basis"]},
    {"trigger": "approve", "source": W.proposed, "dest": W.approved, "conditions": ["approver_is_not_proposer"]},
    {"trigger": "decline", "source": W.proposed, "dest": W.declined, "conditions": ["has_actor", "has_reason"]},
    {"trigger": "pay", "source": W.approved, "dest": W.paid, "conditions": ["paid_on_not_future", "has_method"]},
]

GUARD_FIELDS = {
    "has_actor": "actor", "has_reason": "reason", "has_target_authority": "authority_id",
    "target_is_other_authority": "authority_id", "has_substantiated": "substantiated",
    "has_findings": "findings", "has_result": "result", "report_substantiated": "substantiated",
    "reporter_identifiable": "reporter", "has_amount": "amount", "has_basis": "basis",
    "approver_is_not_proposer": "actor", "paid_on_not_future": "paid_on", "has_method": "method",
}
GUARDS = {name: globals()[name] for name in GUARD_FIELDS}

REPORT_MACHINE = GuardedMachine(ReportState, REPORT_TRANSITIONS, GUARDS, GUARD_FIELDS)
REWARD_MACHINE = GuardedMachine(RewardState, REWARD_TRANSITIONS, GUARDS, GUARD_FIELDS,
                                model_attribute="reward_state")
REPORT_TRIGGERS = REPORT_MACHINE.triggers
REWARD_TRIGGERS = REWARD_MACHINE.triggers
FINAL_REPORT_STATES = frozenset({R.rejected, R.transferred, R.closed})


def fire_report(report, trigger: str, **ctx) -> ReportState:
    """Handle a report (``report.state``); the caller records ``substantiated`` etc. after success."""
    return REPORT_MACHINE.fire(report, trigger, **ctx)


def fire_reward(report, trigger: str, **ctx) -> RewardState:
    """Move the reward (``report.reward_state``; ``RewardState.none`` before any proposal)."""
    return REWARD_MACHINE.fire(report, trigger, **ctx)


# --- reward computation ----------------------------------------------------------------------------

YUAN = Decimal("0.01")


def _money(name: str, value, allow_none=True) -> Decimal | None:
    if value is None and allow_none:
        return None
    try:
        d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise RuleSetError(name, "not_number", value) from None
    if isinstance(value, bool) or not d.is_finite():
        raise RuleSetError(name, "not_number", value)
    if d < 0:
        raise RuleSetError(name, "negative", value)
    return d


@dataclass(frozen=True)
class RewardRuleSet:
    """Amounts as configuration. ``None`` means "not configured": computing that kind of reward refuses."""

    key: str
    version: str
    title: str
    fine_percent: Decimal | None  # of the administrative fine, for major_hazard and violation
    minimum: Decimal | None
    maximum: Decimal | None
    per_concealed_death: Mapping[AccidentLevel, Decimal] | None
    concealment_maximum: Decimal | None
    other_amount: Decimal | None = None  # a fixed amount for "other" reports, if the region has one
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.key}@{self.version}"

    def __post_init__(self):
        for name in ("fine_percent", "minimum", "maximum", "concealment_maximum", "other_amount"):
            object.__setattr__(self, name, _money(name, getattr(self, name)))
        if self.fine_percent is not None and self.fine_percent > 1:
            raise RuleSetError("fine_percent", "above_one", self.fine_percent, "a fraction: 0.15 for 15 %")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise RuleSetError("minimum", "above_maximum", self.minimum)
        if self.per_concealed_death is not None:
            table = {}
            for level, amount in self.per_concealed_death.items():
                try:
                    level = AccidentLevel(level)
                except ValueError:
                    raise RuleSetError(f"per_concealed_death.{level}", "unknown_level", level) from None
                table[level] = _money(f"per_concealed_death.{level.value}", amount, allow_none=False)
            object.__setattr__(self, "per_concealed_death", table)


@dataclass(frozen=True)
class RewardProposal:
    amount: Decimal
    basis: str
    rule_set: str


def _fmt(d: Decimal) -> str:
    return f"{d.quantize(YUAN, ROUND_HALF_UP):,.2f}"


def _need(rs: RewardRuleSet, *names: str) -> None:
    for name in names:
        if getattr(rs, name) is None:
            raise RuleSetError(name, "not_configured", detail=f"rule set {rs.label}")


def compute_reward(category, rs: RewardRuleSet, *, reporter_name: str | None, reporter_phone: str | None,
                   fine=None, accident_level=None, concealed_deaths: int | None = None) -> RewardProposal:
    """The reward a substantiated report earns under ``rs``, with the basis text showing the computation."""
    try:
        category = ReportCategory(category)
    except ValueError:
        raise RuleSetError("category", "unknown_category", category) from None
    if not is_identifiable(reporter_name, reporter_phone):
        raise RuleSetError("reporter", "not_identifiable", detail="a reward needs the reporter's name and phone")
    head = f"依据{rs.title}（规则 {rs.label}）：举报{CATEGORY_LABELS[category]}，经核查属实"
    if category in (ReportCategory.major_hazard, ReportCategory.violation):
        _need(rs, "fine_percent", "minimum", "maximum")
        fine_d = _money("fine", fine, allow_none=False) if fine is not None else None
        if fine_d is None:
            raise RuleSetError("fine", "missing", detail="the reward is computed from the administrative fine")
        raw = (fine_d * rs.fine_percent).quantize(YUAN, ROUND_HALF_UP)
        amount = min(max(raw, rs.minimum), rs.maximum)
        pct = (rs.fine_percent * 100).normalize()
        clamp = "（按最低奖励）" if amount > raw else "（按最高奖励）" if amount < raw else ""
        basis = (f"{head}；行政处罚金额 {_fmt(fine_d)} 元 × {pct:f}% = {_fmt(raw)} 元；最低 {_fmt(rs.minimum)} 元、"
                 f"最高 {_fmt(rs.maximum)} 元；奖励 {_fmt(amount)} 元{clamp}。")
    elif category is ReportCategory.concealment:
        _need(rs, "per_concealed_death", "concealment_maximum")
        try:
            level = AccidentLevel(accident_level)
        except ValueError:
            raise RuleSetError("accident_level", "unknown_level", accident_level) from None
        if level not in rs.per_concealed_death:
            raise RuleSetError(f"per_concealed_death.{level.value}", "not_configured")
        if isinstance(concealed_deaths, bool) or not isinstance(concealed_deaths, int) or concealed_deaths < 1:
            raise RuleSetError("concealed_deaths", "not_count", concealed_deaths)
        each = rs.per_concealed_death[level]
        raw = each * concealed_deaths
        amount = min(raw, rs.concealment_maximum)
        clamp = "（按最高奖励）" if amount < raw else ""
        basis = (f"{head}；{ACCIDENT_LABELS[level]}，查实瞒报谎报死亡 {concealed_deaths} 人 × {_fmt(each)} 元 = "
                 f"{_fmt(raw)} 元；最高 {_fmt(rs.concealment_maximum)} 元；奖励 {_fmt(amount)} 元{clamp}。")
    else:
        _need(rs, "other_amount")
        amount = rs.other_amount
        basis = f"{head}；按本地区规定的固定金额奖励 {_fmt(amount)} 元。"
    return RewardProposal(amount.quantize(YUAN, ROUND_HALF_UP), basis, rs.label)


NATIONAL = RewardRuleSet(
    key="national", version="2018.1", title="《安全生产领域举报奖励办法》（安监总财〔2018〕19号）",
    fine_percent=Decimal("0.15"), minimum=Decimal(3000), maximum=Decimal(300000),
    per_concealed_death={AccidentLevel.general: Decimal(30000), AccidentLevel.larger: Decimal(40000),
                         AccidentLevel.major: Decimal(50000), AccidentLevel.especially_major: Decimal(60000)},
    concealment_maximum=Decimal(300000),
    source="安监总财〔2018〕19号, 2018-01-04; see docs/public-reports.md for the pages read",
)

REGISTRY: Registry[RewardRuleSet] = Registry("report reward", [Binding("", date(2018, 1, 4), NATIONAL)])


def reward_rules_for(region_code: str | None, on: date | None = None,
                     registry: Registry[RewardRuleSet] | None = None) -> RewardRuleSet:
    """The reward rules in force where and when the report was substantiated."""
    return (registry or REGISTRY).select(region_code, on)
