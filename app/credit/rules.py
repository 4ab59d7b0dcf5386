"""The credit families of the versioned rule sets (``app.rulesets``): payloads in, rule sets out.

Two families, both per region and versioned (``RuleSetVersion`` rows, edited through
``POST /api/v1/rule-sets``), over the built-in sets of ``workflows/credit.py``:

* ``credit``: ``{"weights": {kind: number}, "source": "..."}`` → ``workflows.credit.CreditRuleSet`` (a kind
  left out creates no record in that region);
* ``dishonesty``: ``{"conditions": [codes], "period_months", "early_removal_min_months",
  "early_removal_conditions": {code: text}, "restriction_domains": [..], "requires_penalty",
  "publication": {"supervision", "delistings", "delisting_days", "dishonesty"}, "source"}`` →
  ``ListRules`` (the ``DishonestyRuleSet`` and what the public page shows, for how long).

No period is invented: the national set leaves the period, the repair minimum and the publication
period of delistings unset (None); a region configures them (docs/credit.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date

from app.rulesets import service
from app.rulesets.models import RuleFamily
from workflows import credit as rules
from workflows.rulesets import Binding, Registry, RuleSetError


@dataclass(frozen=True)
class Publication:
    """What the authority's public page (公示) shows, and for how long."""

    supervision: bool = True  # items listed for supervision (挂牌督办), while listed
    delistings: bool = True  # delisted items (摘牌)
    delisting_days: int | None = None  # shown for this many days after delisting; None: not configured, no end
    dishonesty: bool = True  # the serious-dishonesty list, while listed (Shanxi: 移出并停止公示)


@dataclass(frozen=True)
class ListRules:
    """A dishonesty-list rule set with its publication settings (one versioned family)."""

    rules: rules.DishonestyRuleSet
    publication: Publication = field(default_factory=Publication)

    @property
    def label(self) -> str:
        return self.rules.label


def _months(field_name: str, value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise RuleSetError(field_name, "not_positive_months", value)
    return value


def _flag(field_name: str, value, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise RuleSetError(field_name, "not_boolean", value)
    return value


def _text(payload: Mapping, name: str) -> str:
    value = payload.get(name, "")
    if not isinstance(value, str) or len(value) > 500:
        raise RuleSetError(name, "too_long" if isinstance(value, str) else "missing", value)
    return value.strip()


def credit_from_payload(key: str, version: str, title: str, payload) -> rules.CreditRuleSet:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("weights"), Mapping):
        raise RuleSetError("weights", "missing")
    return rules.CreditRuleSet(key, version, title, dict(payload["weights"]), source=_text(payload, "source"))


def credit_payload(rs: rules.CreditRuleSet) -> dict:
    return {"weights": {k.value: w for k, w in rs.weights.items()}, "source": rs.source}


def dishonesty_from_payload(key: str, version: str, title: str, payload) -> ListRules:
    if not isinstance(payload, Mapping):
        raise RuleSetError("payload", "missing")
    codes = payload.get("conditions", list(rules.NATIONAL_CONDITIONS))
    if not isinstance(codes, list | tuple) or not codes:
        raise RuleSetError("conditions", "missing")
    conditions = {}
    for i, code in enumerate(codes):
        if code not in rules.NATIONAL_CONDITIONS:
            raise RuleSetError(f"conditions[{i}]", "unknown_condition", code)
        conditions[code] = rules.NATIONAL_CONDITIONS[code]
    repair = payload.get("early_removal_conditions") or {}
    if not isinstance(repair, Mapping):
        raise RuleSetError("early_removal_conditions", "missing")
    domains = payload.get("restriction_domains", list(rules.RESTRICTION_DOMAINS))
    if not isinstance(domains, list | tuple):
        raise RuleSetError("restriction_domains", "missing")
    rs = rules.DishonestyRuleSet(
        key=key, version=version, title=title, conditions=conditions,
        period_months=_months("period_months", payload.get("period_months")),
        early_removal_min_months=_months("early_removal_min_months", payload.get("early_removal_min_months")),
        early_removal_conditions={str(k): str(v) for k, v in repair.items()},
        restriction_domains=tuple(domains),
        requires_penalty=_flag("requires_penalty", payload.get("requires_penalty"), True),
        source=_text(payload, "source"))
    raw = payload.get("publication") or {}
    if not isinstance(raw, Mapping):
        raise RuleSetError("publication", "missing")
    days = raw.get("delisting_days")
    if days not in (None, "") and (isinstance(days, bool) or not isinstance(days, int) or days <= 0):
        raise RuleSetError("publication.delisting_days", "not_positive_days", days)
    publication = Publication(
        supervision=_flag("publication.supervision", raw.get("supervision"), True),
        delistings=_flag("publication.delistings", raw.get("delistings"), True),
        delisting_days=days or None,
        dishonesty=_flag("publication.dishonesty", raw.get("dishonesty"), True))
    return ListRules(rs, publication)


def dishonesty_payload(lr: ListRules) -> dict:
    rs = lr.rules
    return {"conditions": list(rs.conditions), "period_months": rs.period_months,
            "early_removal_min_months": rs.early_removal_min_months,
            "early_removal_conditions": dict(rs.early_removal_conditions),
            "restriction_domains": list(rs.restriction_domains), "requires_penalty": rs.requires_penalty,
            "publication": asdict(lr.publication), "source": rs.source}


def credit_defaults() -> Registry:
    return rules.CREDIT_REGISTRY


_DISHONESTY_DEFAULTS = Registry("dishonesty list", [
    Binding(b.prefix, b.effective_from, ListRules(b.ruleset)) for b in rules.DISHONESTY_REGISTRY.bindings])


def dishonesty_defaults() -> Registry:
    return _DISHONESTY_DEFAULTS


@dataclass(frozen=True)
class Family:
    parse: object
    dump: object
    defaults: object


FAMILIES = {
    "credit": Family(credit_from_payload, credit_payload, credit_defaults),
    "dishonesty": Family(dishonesty_from_payload, dishonesty_payload, dishonesty_defaults),
}


def credit_for(region_code: str | None, on: date | None = None) -> rules.CreditRuleSet:
    return service.plugged_for(RuleFamily.credit, region_code, on)


def dishonesty_for(region_code: str | None, on: date | None = None) -> ListRules:
    return service.plugged_for(RuleFamily.dishonesty, region_code, on)


def dishonesty_by_label(label: str) -> ListRules:
    return service.plugged_by_label(RuleFamily.dishonesty, label)
