"""Credit records (不良信用记录) and the serious-dishonesty list (严重失信主体名单): rules as configuration.

Framework-free; rules and citations in docs/credit.md.

* **Credit records**: facts the system itself knows (a listed major hazard past its deadline, a failed
  review, a false closure, a refused inspection, a substantiated report of concealment) or that an
  authority records by hand. Which kinds count, and with which weight, is a per-region, versioned
  ``CreditRuleSet``: no national weights exist, the ``default`` set counts each fact once (ours).
  A record can be objected to and then upheld or corrected, each with a reason (``RECORD_MACHINE``).
* **The serious-dishonesty list**: 《安全生产严重失信主体名单管理办法》 (应急管理部令第11号, 2023-08-08, in
  force 2023-10-01). Its nine entry conditions are the ``NATIONAL_CONDITIONS``; the system *proposes* an
  entry naming the conditions met and refuses one whose condition is not met, naming it; a person decides
  (``LISTING_MACHINE``). The management period and early removal by credit repair come from the rule set:
  the national rule set leaves them unset (we could not read the decree's own article), Shanxi's set
  carries the 3 years and 12 months its provincial 制度 publishes.
"""

from __future__ import annotations

import calendar
import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from workflows.labels import C_, N_, labelled
from workflows.machines import GuardedMachine, GuardFailed, InvalidTrigger
from workflows.rulesets import Binding, Registry, RuleSetError

__all__ = ["GuardFailed", "InvalidTrigger"]


# --- credit records ------------------------------------------------------------------------------------

class CreditFactKind(enum.StrEnum):
    major_hazard_overdue = "major_hazard_overdue"
    review_failed = "review_failed"
    false_closure = "false_closure"
    inspection_refused = "inspection_refused"
    concealment_substantiated = "concealment_substantiated"
    manual = "manual"


labelled(CreditFactKind, {
    CreditFactKind.major_hazard_overdue: N_("Listed major hazard not rectified by its deadline"),
    CreditFactKind.review_failed: N_("Rectification failed its review"),
    CreditFactKind.false_closure: N_("Hazard closed falsely"),
    CreditFactKind.inspection_refused: N_("Inspection refused or obstructed"),
    CreditFactKind.concealment_substantiated: N_("Concealment of an accident substantiated by a report"),
    CreditFactKind.manual: N_("Other dishonest conduct recorded by an authority"),
})


FACT_LABELS = {
    CreditFactKind.major_hazard_overdue: "挂牌督办的重大事故隐患逾期未整改",
    CreditFactKind.review_failed: "隐患整改复查（验收）不合格",
    CreditFactKind.false_closure: "隐患虚假整改、虚假销号",
    CreditFactKind.inspection_refused: "拒绝、阻碍监督检查",
    CreditFactKind.concealment_substantiated: "经举报查实瞒报、谎报生产安全事故",
    CreditFactKind.manual: "监管部门录入的其他失信行为",
}
# Facts the system detects itself (the rest are recorded by an authority, citing the source document).
AUTOMATIC_FACTS = frozenset({CreditFactKind.major_hazard_overdue, CreditFactKind.review_failed,
                             CreditFactKind.false_closure, CreditFactKind.concealment_substantiated})


@dataclass(frozen=True)
class CreditRuleSet:
    key: str
    version: str
    title: str
    weights: Mapping[CreditFactKind, float]  # a kind absent from the mapping creates no record
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.key}@{self.version}"

    def __post_init__(self):
        weights = {}
        for kind, weight in self.weights.items():
            try:
                kind = CreditFactKind(kind)
            except ValueError:
                raise RuleSetError(f"weights.{kind}", "unknown_kind", kind) from None
            if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
                raise RuleSetError(f"weights.{kind.value}", "not_number", weight)
            if weight < 0:
                raise RuleSetError(f"weights.{kind.value}", "negative", weight)
            weights[kind] = float(weight)
        object.__setattr__(self, "weights", weights)

    def weight(self, kind) -> float | None:
        """The weight of a fact of ``kind``, or None when this region does not record that kind."""
        try:
            kind = CreditFactKind(kind)
        except ValueError:
            raise RuleSetError("kind", "unknown_kind", kind) from None
        return self.weights.get(kind)


@dataclass(frozen=True)
class CreditFact:
    kind: CreditFactKind
    source: str  # what the record cites: "hazard 2026-0042 deadline 2026-11-20", a document number...
    on: date


@dataclass(frozen=True)
class CreditRecord:
    kind: CreditFactKind
    label: str
    weight: float
    source: str
    on: date
    rule_set: str


def record_for(fact: CreditFact, rs: CreditRuleSet) -> CreditRecord | None:
    """The record a fact creates under the region's rules (None: this kind does not count here)."""
    if not (fact.source or "").strip():
        raise RuleSetError("source", "missing", detail="every credit record cites its source")
    weight = rs.weight(fact.kind)
    if weight is None:
        return None
    kind = CreditFactKind(fact.kind)
    return CreditRecord(kind, FACT_LABELS[kind], weight, fact.source.strip(), fact.on, rs.label)


def total_weight(records: Iterable[CreditRecord]) -> float:
    """Sum of the weights of the records in force (the app passes records not corrected away)."""
    return round(sum(r.weight for r in records), 4)


DEFAULT_CREDIT = CreditRuleSet(
    key="default", version="2026.1", title="默认（每项事实计 1，本系统拟定）",
    weights=dict.fromkeys(CreditFactKind, 1.0),
    source="ours: no national weights exist (docs/credit.md)",
)
CREDIT_REGISTRY: Registry[CreditRuleSet] = Registry("credit", [Binding("", None, DEFAULT_CREDIT)])


class RecordState(enum.StrEnum):
    recorded = "recorded"
    objected = "objected"  # 异议中
    upheld = "upheld"  # 异议不成立，维持
    corrected = "corrected"  # 异议成立，已更正（或撤销）


labelled(RecordState, {
    RecordState.recorded: C_("credit", "Recorded"), RecordState.objected: N_("Objection pending"),
    RecordState.upheld: N_("Objection rejected, upheld"), RecordState.corrected: N_("Corrected"),
})


def _kw(event, name):
    return event.kwargs.get(name)


def _text(value) -> bool:
    return isinstance(value, str) and bool(value.strip())


def has_actor(event) -> bool:
    return bool(_kw(event, "actor_id"))


def has_reason(event) -> bool:
    return _text(_kw(event, "reason"))


def has_correction(event) -> bool:
    return _text(_kw(event, "correction"))


# --- the serious-dishonesty list ----------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    code: str
    text: str
    verified: bool = True  # False: wording not read in the decree itself (docs/credit.md says which)


NATIONAL_CONDITIONS: dict[str, Condition] = {c.code: c for c in (
    # 发生生产安全事故 (accident cases 1-5 of 应急管理部令第11号)
    Condition("accident_major", "发生特别重大、重大生产安全事故的生产经营单位及其主要负责人，以及经调查认定对该事故发生"
                                "负有责任，应当列入名单的其他单位和人员"),
    Condition("accidents_larger_12m", "12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人"),
    Condition("accident_aggravated_fine", "发生生产安全事故，情节特别严重、影响特别恶劣，依照《中华人民共和国安全生产法》"
                                          "第一百一十四条的规定被处以罚款数额2倍以上5倍以下罚款的生产经营单位及其主要负责人"),
    Condition("accident_concealed", "瞒报、谎报生产安全事故的生产经营单位及其有关责任人员"),
    Condition("accident_abandoned", "发生生产安全事故后，不立即组织抢救或者在事故调查处理期间擅离职守或者逃匿的"
                                    "生产经营单位主要负责人"),
    # 未发生事故、因违法行为受到行政处罚 (violation cases 1-4)
    Condition("unlicensed", "未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动的生产经营单位及其"
                            "主要负责人"),
    Condition("agency_fraud", "承担安全评价、认证、检测、检验职责的机构及其直接责任人员租借资质、挂靠、出具虚假报告或者证书"),
    Condition("penalty_evaded", "在应急管理部门作出行政处罚后，有执行能力拒不执行或者逃避执行的生产经营单位及其主要负责人",
              verified=False),
    Condition("other_serious", "其他违反安全生产法律法规受到行政处罚，且性质恶劣、情节严重的", verified=False),
)}

# Where a listed entity may be restricted (requirements.md §2.10, the regional plans' lists, merged).
RESTRICTION_DOMAINS: dict[str, str] = {
    "business": "经营", "investment_financing": "投融资", "government_procurement": "政府采购",
    "bidding": "工程招投标", "state_land": "国有土地出让", "honours": "授予荣誉、评先评优", "import_export": "进出口",
    "exit_entry": "出入境", "qualification": "资质审核", "insurance_rate": "保险费率",
    "project_approval": "新增项目核准", "mining_rights": "采矿权取得", "securities_financing": "证券融资",
    "policy_funds": "政策性资金和财税政策扶持", "bank_loans": "银行贷款参考",
}


@dataclass(frozen=True)
class DishonestyRuleSet:
    key: str
    version: str
    title: str
    conditions: Mapping[str, Condition]
    period_months: int | None  # None: not configured (expiry cannot be computed)
    early_removal_min_months: int | None  # None: not configured (early removal cannot be judged)
    early_removal_conditions: Mapping[str, str] = field(default_factory=dict)
    restriction_domains: tuple[str, ...] = tuple(RESTRICTION_DOMAINS)
    requires_penalty: bool = True  # every condition of 11号令 presupposes an administrative penalty
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.key}@{self.version}"

    def __post_init__(self):
        if not self.conditions:
            raise RuleSetError("conditions", "missing")
        for code, cond in self.conditions.items():
            if code != cond.code or not cond.text.strip():
                raise RuleSetError(f"conditions.{code}", "bad_condition", code)
        for name in ("period_months", "early_removal_min_months"):
            v = getattr(self, name)
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
                raise RuleSetError(name, "not_positive_months", v)
        if self.period_months and self.early_removal_min_months \
                and self.early_removal_min_months >= self.period_months:
            raise RuleSetError("early_removal_min_months", "not_below_period", self.early_removal_min_months)
        for code, text in self.early_removal_conditions.items():
            if not code or not str(text).strip():
                raise RuleSetError(f"early_removal_conditions.{code}", "missing")
        unknown = [d for d in self.restriction_domains if d not in RESTRICTION_DOMAINS]
        if unknown:
            raise RuleSetError(f"restriction_domains.{unknown[0]}", "unknown_domain", unknown[0])


@dataclass(frozen=True)
class EntryProposal:
    conditions: tuple[Condition, ...]
    rule_set: str

    @property
    def text(self) -> str:
        return "；".join(c.text for c in self.conditions)


def _codes(met: Iterable[str] | Mapping[str, bool]) -> set[str]:
    if isinstance(met, Mapping):
        return {k for k, v in met.items() if v}
    return set(met)


def propose_entry(met: Iterable[str] | Mapping[str, bool], rs: DishonestyRuleSet, *,
                  penalty_decided: bool) -> EntryProposal:
    """The proposal the system makes from the facts: every configured condition met, by name."""
    codes = _codes(met)
    unknown = sorted(codes - set(rs.conditions))
    if unknown:
        raise RuleSetError(f"conditions.{unknown[0]}", "unknown_condition", unknown[0])
    if rs.requires_penalty and not penalty_decided:
        raise RuleSetError("penalty", "not_met", detail="列入须以行政处罚决定为前提")
    chosen = tuple(c for code, c in rs.conditions.items() if code in codes)
    if not chosen:
        raise RuleSetError("conditions", "none_met", detail="no configured entry condition is met")
    return EntryProposal(chosen, rs.label)


def check_entry(condition: str, met: Iterable[str] | Mapping[str, bool], rs: DishonestyRuleSet, *,
                penalty_decided: bool) -> Condition:
    """An authority enters on ``condition``: refused, naming it, if it is unknown here or not met."""
    if condition not in rs.conditions:
        raise RuleSetError(f"conditions.{condition}", "unknown_condition", condition)
    if rs.requires_penalty and not penalty_decided:
        raise RuleSetError("penalty", "not_met", detail="列入须以行政处罚决定为前提")
    if condition not in _codes(met):
        raise RuleSetError(f"conditions.{condition}", "not_met", condition, rs.conditions[condition].text)
    return rs.conditions[condition]


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later; the 31st becomes the month's last day (listed 2024-02-29 + 12 → 2025-02-28)."""
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def expires_on(listed_on: date, rs: DishonestyRuleSet) -> date:
    """The day the entry ends (removed, publication stops): listed_on + period."""
    if rs.period_months is None:
        raise RuleSetError("period_months", "not_configured", detail=f"rule set {rs.label}")
    return add_months(listed_on, rs.period_months)


@dataclass(frozen=True)
class EarlyRemoval:
    eligible: bool
    earliest_on: date
    unmet: tuple[str, ...]  # "min_months" and/or the codes of the configured conditions not satisfied


def early_removal(listed_on: date, applied_on: date, satisfied: Iterable[str],
                  rs: DishonestyRuleSet) -> EarlyRemoval:
    """Whether an application for early removal (信用修复) may be granted on ``applied_on``."""
    if rs.early_removal_min_months is None:
        raise RuleSetError("early_removal_min_months", "not_configured", detail=f"rule set {rs.label}")
    satisfied = set(satisfied)
    unknown = sorted(satisfied - set(rs.early_removal_conditions))
    if unknown:
        raise RuleSetError(f"early_removal_conditions.{unknown[0]}", "unknown_condition", unknown[0])
    earliest = add_months(listed_on, rs.early_removal_min_months)
    unmet = (["min_months"] if applied_on < earliest else []) + \
        [c for c in rs.early_removal_conditions if c not in satisfied]
    if rs.period_months is not None and applied_on >= expires_on(listed_on, rs):
        raise RuleSetError("applied_on", "already_expired", applied_on)
    return EarlyRemoval(not unmet, earliest, tuple(unmet))


NATIONAL_DISHONESTY = DishonestyRuleSet(
    key="national", version="2023.1", title="《安全生产严重失信主体名单管理办法》（应急管理部令第11号）",
    conditions=NATIONAL_CONDITIONS, period_months=None, early_removal_min_months=None,
    source="应急管理部令第11号 (2023-08-08, in force 2023-10-01); period and repair not read: configure them",
)
SHANXI_DISHONESTY = DishonestyRuleSet(
    key="shanxi", version="2024.1", title="山西省应急管理厅《安全生产严重失信主体名单管理制度》",
    conditions=NATIONAL_CONDITIONS, period_months=36, early_removal_min_months=12,
    source="山西省应急管理厅《安全生产严重失信主体名单管理制度》as reported by 中新网 (docs/credit.md)",
)
DISHONESTY_REGISTRY: Registry[DishonestyRuleSet] = Registry("dishonesty list", [
    Binding("", date(2023, 10, 1), NATIONAL_DISHONESTY),
    Binding("14", date(2023, 10, 1), SHANXI_DISHONESTY),  # the 制度 implements 11号令; its own date unverified
])


class ListingState(enum.StrEnum):
    proposed = "proposed"  # 拟列入（系统或经办人提出）
    refused = "refused"  # 决定不列入
    listed = "listed"  # 已列入（书面决定已告知）
    removed_early = "removed_early"  # 信用修复，提前移出
    expired = "expired"  # 期满移出


labelled(ListingState, {
    ListingState.proposed: C_("credit", "Proposed"), ListingState.refused: C_("credit", "Not listed"),
    ListingState.listed: C_("credit", "Listed"), ListingState.removed_early: N_("Removed early (credit repair)"),
    ListingState.expired: N_("Removed at the end of its period"),
})


def decider_is_not_proposer(event) -> bool:
    actor = _kw(event, "actor_id")
    return bool(actor) and actor != getattr(event.model, "proposed_by_id", None)


def has_decision_document(event) -> bool:
    return _text(_kw(event, "decision_no"))


def entity_notified(event) -> bool:
    """列入前告知 (the decision names the grounds and the entity's rights): the app records the notice."""
    return bool(_kw(event, "notified_on"))


def repair_eligible(event) -> bool:
    return getattr(_kw(event, "eligibility"), "eligible", False) is True


def period_elapsed(event) -> bool:
    ends, today = getattr(event.model, "expires_on", None), _kw(event, "today") or date.today()
    return isinstance(ends, date) and today >= ends


RECORD_TRANSITIONS = [
    {"trigger": "object", "source": RecordState.recorded, "dest": RecordState.objected, "conditions": ["has_reason"]},
    {"trigger": "uphold", "source": RecordState.objected, "dest": RecordState.upheld,
     "conditions": ["has_actor", "has_reason"]},
    {"trigger": "correct", "source": [RecordState.recorded, RecordState.objected], "dest": RecordState.corrected,
     "conditions": ["has_actor", "has_reason", "has_correction"]},
]
LISTING_TRANSITIONS = [
    {"trigger": "decide", "source": ListingState.proposed, "dest": ListingState.listed,
     "conditions": ["decider_is_not_proposer", "has_decision_document", "entity_notified"]},
    {"trigger": "refuse", "source": ListingState.proposed, "dest": ListingState.refused,
     "conditions": ["has_actor", "has_reason"]},
    {"trigger": "remove_early", "source": ListingState.listed, "dest": ListingState.removed_early,
     "conditions": ["has_actor", "repair_eligible", "has_decision_document"]},
    # Shanxi: an early removal obtained by concealment or fraud is revoked and the entry restored.
    {"trigger": "revoke_removal", "source": ListingState.removed_early, "dest": ListingState.listed,
     "conditions": ["has_actor", "has_reason"]},
    {"trigger": "expire", "source": [ListingState.listed], "dest": ListingState.expired,
     "conditions": ["period_elapsed"]},
]
GUARD_FIELDS = {"has_actor": "actor", "has_reason": "reason", "has_correction": "correction",
                "decider_is_not_proposer": "actor", "has_decision_document": "decision_no",
                "entity_notified": "notified_on", "repair_eligible": "conditions", "period_elapsed": "expires_on"}
GUARDS = {name: globals()[name] for name in GUARD_FIELDS}
RECORD_MACHINE = GuardedMachine(RecordState, RECORD_TRANSITIONS, GUARDS, GUARD_FIELDS)
LISTING_MACHINE = GuardedMachine(ListingState, LISTING_TRANSITIONS, GUARDS, GUARD_FIELDS)
PUBLISHED_STATES = frozenset({ListingState.listed})  # publication stops on removal or expiry


def dishonesty_rules_for(region_code: str | None, on: date | None = None,
                         registry: Registry[DishonestyRuleSet] | None = None) -> DishonestyRuleSet:
    return (registry or DISHONESTY_REGISTRY).select(region_code, on)


def credit_rules_for(region_code: str | None, on: date | None = None,
                     registry: Registry[CreditRuleSet] | None = None) -> CreditRuleSet:
    return (registry or CREDIT_REGISTRY).select(region_code, on)
