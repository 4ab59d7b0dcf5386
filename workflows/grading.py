"""Risk grading (安全风险分级): LEC, LS, MES and direct determination, with versioned rule sets.

Framework-free. ``assess(method, inputs, ruleset)`` returns ``(score, grade)`` or raises
``GradingError`` naming the bad input. Values and thresholds follow domain.md §3.3–3.7; every
threshold carries its own inclusivity because provinces disagree on the boundaries (D = 70 in LEC).
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

from workflows.grades import Grade
from workflows.labels import N_, labelled
from workflows.rulesets import longest_prefix


class Method(enum.StrEnum):
    lec = "lec"  # 作业条件危险性评价法: D = L × E × C
    ls = "ls"  # 风险矩阵法: R = L × S
    mes = "mes"  # 作业条件风险程度评价: R = M × E × S
    direct = "direct"  # 直接判定: any rule D1–D6 applies → red


labelled(Method, {Method.lec: N_("LEC (D = L × E × C)"), Method.ls: N_("LS matrix (R = L × S)"),
                         Method.mes: N_("MES (R = M × E × S)"), Method.direct: N_("Direct determination")})


# The allowed values of each factor, in the order of the standard's tables (domain.md §3.3–3.5).
FACTORS: dict[Method, dict[str, tuple[float, ...]]] = {
    Method.lec: {
        "L": (10, 6, 3, 1, 0.5, 0.2, 0.1),
        "E": (10, 6, 3, 2, 1, 0.5),
        "C": (100, 40, 15, 7, 3, 1),
    },
    Method.ls: {"L": (5, 4, 3, 2, 1), "S": (5, 4, 3, 2, 1)},
    Method.mes: {"M": (5, 3, 1), "E": (10, 6, 3, 2, 1, 0.5), "S": (10, 8, 4, 2, 1)},
}

# What each value means (domain.md §3.3–3.5), shown next to the value when grading by hand.
MEANINGS: dict[Method, dict[str, dict[float, str]]] = {
    Method.lec: {
        "L": {10: "完全可以预料", 6: "相当可能", 3: "可能，但不经常", 1: "可能性小，完全意外", 0.5: "很不可能，可以设想",
              0.2: "极不可能", 0.1: "实际不可能"},
        "E": {10: "连续暴露", 6: "每天工作时间内暴露", 3: "每周一次或偶然暴露", 2: "每月一次暴露", 1: "每年几次暴露",
              0.5: "非常罕见地暴露"},
        "C": {100: "大灾难，10人以上死亡", 40: "灾难，3–9人死亡", 15: "非常严重，1–2人死亡", 7: "严重，重伤",
              3: "重大，致残", 1: "引人注目，需要救护"},
    },
    Method.ls: {
        "L": {5: "无防范控制措施或经常发生", 4: "不易发现，措施未有效执行", 3: "无保护措施或曾发生类似事件",
              2: "能及时发现，措施有效执行", 1: "措施充分有效，极不可能发生"},
        "S": {5: "死亡；违反法律法规；100万元以上", 4: "丧失劳动能力；50万元以上", 3: "截肢、骨折、听力丧失；1万元以上",
              2: "轻微受伤；1万元以下", 1: "无伤亡；无损失"},
    },
    Method.mes: {
        "M": {5: "无控制措施", 3: "有减轻后果的应急措施", 1: "有预防措施"},
        "E": {10: "连续暴露", 6: "每天工作时间内暴露", 3: "每周一次或偶然暴露", 2: "每月一次暴露", 1: "每年几次暴露",
              0.5: "更少的暴露"},
        "S": {10: "有多人死亡", 8: "一人死亡或多人永久失能", 4: "永久失能（一人）", 2: "需医院治疗，缺工",
              1: "轻微，仅需急救"},
    },
}

# Direct-determination rules (domain.md §3.6); an editable list in a rule set, these are the defaults.
DIRECT_RULES: dict[str, str] = {
    "D1": "违反法律、法规及国家标准中强制性条款",
    "D2": "存在重大事故隐患且未整改完成",
    "D3": "涉及重大危险源",
    "D4": "本单位或同类企业发生过死亡、重伤、重大财产损失事故，且事故发生的条件依然存在",
    "D5": "具有中毒、爆炸、火灾等危险的场所，同一作业时段作业人员在10人及以上",
    "D6": "经风险评价确定为最高级别风险或经专家论证认定",
}

# The rule an open major hazard invokes (dynamic grading, docs/design.md): 存在重大事故隐患且未整改完成.
MAJOR_HAZARD_RULE = "D2"


class GradingError(ValueError):
    """A bad input: ``field`` names it (``method``, ``inputs.L``...), ``reason`` says why.

    reasons: unknown_method, missing, not_number, negative, not_allowed, unknown_input, no_rule,
    unknown_rule. ``allowed`` lists the values of the factor's table when that helps the user.
    """

    def __init__(self, field: str, reason: str, allowed: Iterable | None = None, value=None):
        self.field = field
        self.reason = reason
        self.allowed = tuple(allowed) if allowed is not None else ()
        self.value = value
        super().__init__(f"{field}: {reason}" + (f" (allowed: {list(self.allowed)})" if self.allowed else ""))


@dataclass(frozen=True)
class Threshold:
    """``grade`` applies when the score is above ``bound`` (or equal to it if ``inclusive``)."""

    grade: Grade
    bound: float
    inclusive: bool

    def matches(self, score: float) -> bool:
        return score >= self.bound if self.inclusive else score > self.bound


@dataclass(frozen=True)
class Scale:
    """Thresholds from the strictest grade down; a score below every threshold is blue."""

    thresholds: tuple[Threshold, ...]

    def __post_init__(self):
        bounds = [t.bound for t in self.thresholds]
        severities = [t.grade.severity for t in self.thresholds]
        if bounds != sorted(bounds, reverse=True) or severities != sorted(severities, reverse=True):
            raise ValueError("thresholds must go from the strictest grade and highest bound down")
        if any(t.grade == Grade.blue for t in self.thresholds):
            raise ValueError("blue is what remains below the thresholds")
        # Plain tuples for the hot path (100 000 gradings a second and more).
        object.__setattr__(self, "_rows", tuple((t.bound, t.inclusive, t.grade) for t in self.thresholds))

    def grade(self, score: float) -> Grade:
        for bound, inclusive, grade in self._rows:  # type: ignore[attr-defined]
            if score >= bound if inclusive else score > bound:
                return grade
        return Grade.blue

    def describe(self) -> list[tuple[str, str]]:
        """[(grade, "≥ 320"), ...] for pages that show the rule set in force."""
        rows = [(t.grade.value, ("≥ " if t.inclusive else "> ") + _fmt(t.bound)) for t in self.thresholds]
        last = self.thresholds[-1] if self.thresholds else None
        if last is not None:
            rows.append((Grade.blue.value, ("< " if last.inclusive else "≤ ") + _fmt(last.bound)))
        return rows


def scale(*rows: tuple[Grade, float, bool]) -> Scale:
    return Scale(tuple(Threshold(g, b, inc) for g, b, inc in rows))


@dataclass(frozen=True)
class RuleSet:
    """A versioned set of thresholds per method (plus the direct rules), selectable per region."""

    key: str
    version: str
    title: str
    scales: Mapping[Method, Scale]
    direct_rules: Mapping[str, str] = field(default_factory=lambda: dict(DIRECT_RULES))
    # Grade → default control level (分级管控) of this version; None: the deployment's table.
    control_levels: Mapping | None = None

    @property
    def label(self) -> str:
        return f"{self.key}@{self.version}"


RED, ORANGE, YELLOW = Grade.red, Grade.orange, Grade.yellow

# LEC (domain.md §3.3): 160 and 320 are not achievable; only 70 and 20 are real boundaries.
LEC_STRICT = scale((RED, 320, True), (ORANGE, 160, True), (YELLOW, 70, True))  # D = 70 → yellow (从严从高)
LEC_SHANDONG = scale((RED, 320, False), (ORANGE, 160, False), (YELLOW, 70, False))  # (70, 160] → D = 70 is blue
# LS presets A–D (domain.md §3.4).
LS_A = scale((RED, 20, True), (ORANGE, 15, True), (YELLOW, 9, True))
LS_B = scale((RED, 20, True), (ORANGE, 10, True), (YELLOW, 4, True))
LS_C = scale((RED, 20, True), (ORANGE, 9, True), (YELLOW, 4, True))
LS_D = scale((RED, 20, True), (ORANGE, 15, True), (YELLOW, 6, True))
# MES classic personal-injury bands (domain.md §3.5): ≥ 180 red, 90–150 orange, 50–80 yellow.
MES_CLASSIC = scale((RED, 180, True), (ORANGE, 90, True), (YELLOW, 50, True))


def _ruleset(key, version, title, lec, ls, mes) -> RuleSet:
    return RuleSet(key, version, title, {Method.lec: lec, Method.ls: ls, Method.mes: mes})


PRESETS: dict[str, RuleSet] = {rs.key: rs for rs in (
    _ruleset("strict", "2026.1", "从严（D=70 为一般风险；LS 预设 A）", LEC_STRICT, LS_A, MES_CLASSIC),
    _ruleset("shandong", "2026.1", "山东式（D=70 为低风险；LS 预设 A）", LEC_SHANDONG, LS_A, MES_CLASSIC),
    _ruleset("ls_b", "2026.1", "从严，LS 预设 B", LEC_STRICT, LS_B, MES_CLASSIC),
    _ruleset("ls_c", "2026.1", "从严，LS 预设 C", LEC_STRICT, LS_C, MES_CLASSIC),
    _ruleset("ls_d", "2026.1", "从严，LS 预设 D", LEC_STRICT, LS_D, MES_CLASSIC),
)}
DEFAULT_RULESET = "strict"


def ruleset_for_region(region_code: str | None, mapping: Mapping[str, str] | None = None) -> RuleSet:
    """The rule set configured for a region: the longest matching code prefix wins, else the default.

    ``mapping`` is e.g. ``{"37": "shandong", "3611": "ls_b"}`` (administrative-division code prefixes).
    """
    # A region without a code gets the default even if "" is mapped (the behaviour grading always had).
    key = (longest_prefix(region_code, mapping or {}) if region_code else None) or DEFAULT_RULESET
    if key not in PRESETS:
        raise KeyError(f"unknown rule set {key!r}")
    return PRESETS[key]


def _number(name: str, raw) -> float:
    if raw is None or raw == "":
        raise GradingError(f"inputs.{name}", "missing")
    if isinstance(raw, bool):
        raise GradingError(f"inputs.{name}", "not_number", value=raw)
    if isinstance(raw, str):
        try:
            raw = float(raw.strip())
        except ValueError:
            raise GradingError(f"inputs.{name}", "not_number", value=raw) from None
    if not isinstance(raw, int | float) or not math.isfinite(raw):
        raise GradingError(f"inputs.{name}", "not_number", value=raw)
    return float(raw)


def _factor(method: Method, name: str, inputs: Mapping) -> float:
    allowed = FACTORS[method][name]
    value = _number(name, inputs.get(name))
    if value < 0:
        raise GradingError(f"inputs.{name}", "negative", allowed, value)
    if value not in allowed:
        raise GradingError(f"inputs.{name}", "not_allowed", allowed, value)
    return value


_METHODS = {m.value: m for m in Method}
_ALLOWED = {m: {name: frozenset(values) for name, values in factors.items()} for m, factors in FACTORS.items()}
_NAMES = {m: tuple(factors) for m, factors in FACTORS.items()}


def parse_method(method) -> Method:
    m = _METHODS.get(method) if isinstance(method, str) else None
    if m is None:
        raise GradingError("method", "unknown_method", [m.value for m in Method], method)
    return m


def direct_rules(inputs: Mapping, ruleset: RuleSet) -> list[str]:
    raw = inputs.get("rules")
    if raw is None or raw == [] or raw == "":
        raise GradingError("inputs.rules", "no_rule", ruleset.direct_rules)
    rules = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else None
    if rules is None:
        raise GradingError("inputs.rules", "no_rule", ruleset.direct_rules)
    for rule in rules:
        if rule not in ruleset.direct_rules:
            raise GradingError("inputs.rules", "unknown_rule", ruleset.direct_rules, rule)
    return sorted(set(rules))


def assess(method, inputs: Mapping | None, ruleset: RuleSet | None = None) -> tuple[float | None, Grade]:
    """Score and grade of one assessment. Direct determination has no score (None) and is always red."""
    ruleset = ruleset or PRESETS[DEFAULT_RULESET]
    m = parse_method(method)
    if not isinstance(inputs, Mapping):
        raise GradingError("inputs", "missing")
    if m is Method.direct:
        direct_rules(inputs, ruleset)
        return None, Grade.red
    names = _NAMES[m]
    allowed = _ALLOWED[m]
    if len(inputs) != len(names):  # an extra key (a missing one is found below)
        unknown = [k for k in inputs if k not in allowed and k != "note"]
        if unknown:
            raise GradingError(f"inputs.{sorted(unknown)[0]}", "unknown_input", names)
    score = 1.0
    for name in names:
        raw = inputs.get(name)
        # Fast path: a number of the table (the common case); anything else goes through the checks.
        if type(raw) in (int, float) and raw in allowed[name]:
            score *= raw
        else:
            score *= _factor(m, name, inputs)
    score = round(score, 4)  # 0.1 × 3 × 100 must be 30, not 30.000000000000004
    return score, ruleset.scales[m].grade(score)


def grade_score(method, score: float, ruleset: RuleSet | None = None) -> Grade:
    ruleset = ruleset or PRESETS[DEFAULT_RULESET]
    return ruleset.scales[parse_method(method)].grade(score)


def achievable_scores(method) -> list[float]:
    """Every product the factor tables allow, sorted (for tests and rule-set checks)."""
    m = parse_method(method)
    return sorted({round(math.prod(c), 4) for c in product(*FACTORS[m].values())})


# --- control levels (分级管控, domain.md §3.7) ------------------------------------------------

class ControlLevel(enum.StrEnum):
    company = "company"
    department = "department"
    workshop = "workshop"
    team = "team"
    post = "post"

    @property
    def rank(self) -> int:
        """0 for company (the most senior) down to 4 for post."""
        return CONTROL_ORDER.index(self)


labelled(ControlLevel, {ControlLevel.company: N_("Company level"),
                               ControlLevel.department: N_("Department level"),
                               ControlLevel.workshop: N_("Workshop level"), ControlLevel.team: N_("Team level"),
                               ControlLevel.post: N_("Post level")})


CONTROL_ORDER = (ControlLevel.company, ControlLevel.department, ControlLevel.workshop, ControlLevel.team,
                 ControlLevel.post)
DEFAULT_CONTROL_LEVELS: dict[Grade, ControlLevel] = {
    Grade.red: ControlLevel.company,
    Grade.orange: ControlLevel.department,
    Grade.yellow: ControlLevel.workshop,
    Grade.blue: ControlLevel.team,
}


class Frequency(enum.StrEnum):
    shift = "shift"
    daily = "daily"
    weekly = "weekly"
    monthly = "monthly"

    @property
    def days(self) -> int:
        """How long one check stays valid (a shift is counted as a day: a check per shift is due daily)."""
        return {"shift": 1, "daily": 1, "weekly": 7, "monthly": 30}[self.value]


labelled(Frequency, {Frequency.shift: N_("Every shift"), Frequency.daily: N_("Daily"),
                            Frequency.weekly: N_("Weekly"), Frequency.monthly: N_("Monthly")})


DEFAULT_CHECK_FREQUENCIES: dict[ControlLevel, Frequency] = {
    ControlLevel.company: Frequency.monthly,
    ControlLevel.department: Frequency.weekly,
    ControlLevel.workshop: Frequency.weekly,
    ControlLevel.team: Frequency.daily,
    ControlLevel.post: Frequency.shift,
}


def control_level_for(grade: Grade | None, table: Mapping | None = None) -> ControlLevel | None:
    if grade is None:
        return None
    table = table or DEFAULT_CONTROL_LEVELS
    return ControlLevel(table[Grade(grade)])


def levels_controlling(level: ControlLevel) -> tuple[ControlLevel, ...]:
    """A risk controlled at ``level`` is also controlled by every level below (上级管控的下级必须管控)."""
    return CONTROL_ORDER[ControlLevel(level).rank:]


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)
