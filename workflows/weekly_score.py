"""The weekly effectiveness score (双重预防机制运行效果) of an enterprise: E = (A + B) × α.

Framework-free; definitions in docs/weekly-score.md. National-model.md §4 gives the shape regulators use:

* ``A`` = done ÷ planned check windows × 50, minus the 包保责任履职不到位 deduction;
* ``B`` = accepted ÷ due-for-rectification hazards × 50, minus the 隐患过少 deduction;
* ``α`` = 0 when a veto item (否决项) applies, else 1;
* a run level (运行等级) from score bands.

The deduction values, the veto items and the bands are provincial and not published nationally, so they
live in a versioned, per-region ``ScoreRuleSet`` (selected through ``workflows.rulesets.Registry``); the
``default`` rule set's parameters are OURS, documented as such. The check figures are
``workflows.check_figures.CheckFigures`` (done = recorded before the window closed; the denominator is its
``expected`` = planned − suspended): they are used as defined there, never recounted here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from workflows.check_figures import CheckFigures
from workflows.rulesets import Binding, Registry, RuleSetError


@dataclass(frozen=True)
class Band:
    """Run level ``level`` for scores in [lower, upper); the highest band also includes its upper bound."""

    level: str
    label: str
    lower: float
    upper: float


def _finite(name: str, value, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RuleSetError(name, "not_number", value)
    if value < minimum:
        raise RuleSetError(name, "negative" if minimum == 0 else "too_small", value)
    return float(value)


@dataclass(frozen=True)
class ScoreRuleSet:
    key: str
    version: str
    title: str
    bands: tuple[Band, ...]
    vetoes: Mapping[str, str]
    coverage_deduction_per_miss: float  # points off A per 包保 duty not done in the week
    coverage_deduction_cap: float  # at most this many points off A for 包保
    few_hazards_minimum: int  # fewer hazards found in the week than this → 隐患过少
    few_hazards_deduction: float  # points off B when 隐患过少 applies
    a_max: float = 50.0
    b_max: float = 50.0
    # Edge cases: no check window was expected (all suspended, or no task due), no hazard was due.
    a_when_nothing_expected: float = 50.0
    b_when_nothing_due: float = 50.0
    source: str = ""

    @property
    def label(self) -> str:
        return f"{self.key}@{self.version}"

    @property
    def maximum(self) -> float:
        return self.a_max + self.b_max

    def __post_init__(self):
        validate(self)

    def run_level(self, score: float) -> Band:
        for band in self.bands:
            if band.lower <= score < band.upper:
                return band
        last = self.bands[-1]
        if score == last.upper:
            return last
        raise RuleSetError("score", "out_of_range", score)


def validate(rs: ScoreRuleSet) -> None:
    """Raise RuleSetError naming the first bad field of a rule set."""
    if not rs.key or not rs.version:
        raise RuleSetError("key" if not rs.key else "version", "missing")
    a_max = _finite("a_max", rs.a_max, 0)
    b_max = _finite("b_max", rs.b_max, 0)
    if a_max + b_max <= 0:
        raise RuleSetError("a_max", "too_small", a_max)
    for name in ("coverage_deduction_per_miss", "coverage_deduction_cap", "few_hazards_deduction"):
        _finite(name, getattr(rs, name))
    if isinstance(rs.few_hazards_minimum, bool) or not isinstance(rs.few_hazards_minimum, int) \
            or rs.few_hazards_minimum < 0:
        raise RuleSetError("few_hazards_minimum", "not_count", rs.few_hazards_minimum)
    for name, top in (("a_when_nothing_expected", a_max), ("b_when_nothing_due", b_max)):
        if _finite(name, getattr(rs, name)) > top:
            raise RuleSetError(name, "above_maximum", getattr(rs, name))
    for code, text in rs.vetoes.items():
        if not code or not str(text).strip():
            raise RuleSetError(f"vetoes.{code}", "missing")
    if not rs.bands:
        raise RuleSetError("bands", "missing")
    levels = set()
    for i, band in enumerate(rs.bands):
        lower, upper = _finite(f"bands[{i}].lower", band.lower), _finite(f"bands[{i}].upper", band.upper)
        if upper <= lower:
            raise RuleSetError(f"bands[{i}].upper", "not_above_lower", upper)
        if band.level in levels or not band.level:
            raise RuleSetError(f"bands[{i}].level", "duplicate" if band.level else "missing", band.level)
        levels.add(band.level)
        if i == 0 and lower != 0:
            raise RuleSetError("bands[0].lower", "gap", lower, "the lowest band starts at 0")
        if i > 0:
            previous = rs.bands[i - 1].upper
            if lower < previous:
                raise RuleSetError(f"bands[{i}].lower", "overlap", lower, f"band {i - 1} ends at {previous}")
            if lower > previous:
                raise RuleSetError(f"bands[{i}].lower", "gap", lower, f"band {i - 1} ends at {previous}")
    top = rs.bands[-1].upper
    if top != a_max + b_max:
        raise RuleSetError(f"bands[{len(rs.bands) - 1}].upper", "gap" if top < a_max + b_max else "above_maximum",
                           top, f"the highest band ends at the maximum score {a_max + b_max:g}")


# --- inputs and result ---------------------------------------------------------------------------

def _count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleSetError(name, "not_count", value)
    return value


@dataclass(frozen=True)
class WeekInputs:
    """One enterprise's facts for one week, counted by the app.

    * ``checks``: the CheckFigures of the week (windows that closed in the week).
    * ``due_hazards``: hazards whose rectification deadline fell in the week, plus older ones still open
      past their deadline at the week's start; ``accepted_hazards``: of those, closed by acceptance (验收)
      no later than their deadline. (The 按期整改率 denominators of issue 14, restricted to the week.)
    * ``hazards_found``: hazards the enterprise reported in the week (the 隐患过少 count).
    * ``duties_planned`` / ``duties_done``: 包保 duties (major-hazard-source checks) due and done in the week.
    * ``vetoes``: the veto item codes that apply (decided by the app from its facts or by an authority);
      ``veto_basis``: why each applies, in words (shown with the score; not used by the formula).
    """

    checks: CheckFigures
    due_hazards: int = 0
    accepted_hazards: int = 0
    hazards_found: int = 0
    duties_planned: int = 0
    duties_done: int = 0
    vetoes: frozenset[str] = field(default_factory=frozenset)
    veto_basis: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self):
        if not isinstance(self.checks, CheckFigures):
            raise RuleSetError("checks", "not_check_figures", self.checks)
        for name in ("due_hazards", "accepted_hazards", "hazards_found", "duties_planned", "duties_done"):
            _count(name, getattr(self, name))
        if self.accepted_hazards > self.due_hazards:
            raise RuleSetError("accepted_hazards", "above_due", self.accepted_hazards)
        if self.duties_done > self.duties_planned:
            raise RuleSetError("duties_done", "above_planned", self.duties_done)
        object.__setattr__(self, "vetoes", frozenset(self.vetoes))


@dataclass(frozen=True)
class WeeklyScore:
    rule_set: str
    week: str | None
    planned: int
    expected: int
    done: int
    completion_rate: float | None
    due_hazards: int
    accepted_hazards: int
    rectification_rate: float | None
    a_raw: float  # before the 包保 deduction
    coverage_deduction: float  # the points the deduction actually took (A never goes below 0)
    a: float
    b_raw: float
    few_hazards_deduction: float
    b: float
    vetoes: tuple[str, ...]
    alpha: int
    score: float
    run_level: str
    run_level_label: str

    def as_dict(self) -> dict:
        """The API item of issue 14 (``GET /api/v1/scores``), minus the enterprise the app adds."""
        return {"week": self.week, "planned": self.planned, "expected": self.expected, "done": self.done,
                "due_hazards": self.due_hazards, "accepted_hazards": self.accepted_hazards, "a": self.a,
                "b": self.b, "alpha": self.alpha, "score": self.score, "run_level": self.run_level,
                "rule_set": self.rule_set}


def _r(x: float) -> float:
    return round(x + 0.0, 2)


def compute(inputs: WeekInputs, rs: ScoreRuleSet, week=None) -> WeeklyScore:
    """E = (A + B) × α for one enterprise and week under rule set ``rs``."""
    unknown = sorted(set(inputs.vetoes) - set(rs.vetoes))
    if unknown:
        raise RuleSetError(f"vetoes.{unknown[0]}", "unknown_veto", unknown[0])
    checks = inputs.checks
    rate = checks.completion_rate  # the one definition (check_figures): done ÷ (planned − suspended)
    a_raw = rs.a_when_nothing_expected if rate is None else rate * rs.a_max
    missed_duties = inputs.duties_planned - inputs.duties_done
    coverage = min(rs.coverage_deduction_cap, missed_duties * rs.coverage_deduction_per_miss)
    a = max(0.0, a_raw - coverage)
    rect = inputs.accepted_hazards / inputs.due_hazards if inputs.due_hazards else None
    b_raw = rs.b_when_nothing_due if rect is None else rect * rs.b_max
    few = rs.few_hazards_deduction if inputs.hazards_found < rs.few_hazards_minimum else 0.0
    b = max(0.0, b_raw - few)
    alpha = 0 if inputs.vetoes else 1
    a, b = _r(a), _r(b)
    score = _r((a + b) * alpha)
    band = rs.run_level(score)
    return WeeklyScore(
        rule_set=rs.label, week=None if week is None else str(week), planned=checks.planned,
        expected=checks.expected, done=checks.done, completion_rate=rate, due_hazards=inputs.due_hazards,
        accepted_hazards=inputs.accepted_hazards, rectification_rate=rect, a_raw=_r(a_raw),
        coverage_deduction=_r(a_raw - a if a_raw > a else 0.0), a=a, b_raw=_r(b_raw),
        few_hazards_deduction=_r(b_raw - b if b_raw > b else 0.0), b=b, vetoes=tuple(sorted(inputs.vetoes)),
        alpha=alpha, score=score, run_level=band.level, run_level_label=band.label,
    )


# --- how to improve ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Improvement:
    """One term that lost points: ``code`` (checks, coverage, rectification, few_hazards, veto:<code>)."""

    code: str
    points: float
    message: str


def _pct(x: float) -> str:
    return f"{x * 100:.1f}".rstrip("0").rstrip(".") + "%"


def explain(result: WeeklyScore, inputs: WeekInputs, rs: ScoreRuleSet) -> list[Improvement]:
    """Which term lost how many points and what would win them back, the biggest loss first.

    The points of each term add up to ``rs.maximum - result.score``.
    """
    out: list[Improvement] = []
    c = inputs.checks
    lost_checks = _r(rs.a_max - result.a_raw)
    if lost_checks > 0:
        rate = "—" if result.completion_rate is None else _pct(result.completion_rate)
        out.append(Improvement("checks", lost_checks,
                               f"排查任务完成率 {rate}（应排查 {c.expected}，按时完成 {c.done}，逾期完成 {c.late}，"
                               f"未排查 {c.missed}）：A 项失 {lost_checks:g} 分。每项排查任务在时限内完成并记录，"
                               f"可得满分 {rs.a_max:g} 分；逾期补录不计入完成。"))
    if result.coverage_deduction > 0:
        missed = inputs.duties_planned - inputs.duties_done
        out.append(Improvement("coverage", result.coverage_deduction,
                               f"包保责任履职不到位：{missed} 项包保责任未履职（应履职 {inputs.duties_planned}），"
                               f"扣 {result.coverage_deduction:g} 分（每项 {rs.coverage_deduction_per_miss:g} 分，"
                               f"最多 {rs.coverage_deduction_cap:g} 分）。"))
    lost_rect = _r(rs.b_max - result.b_raw)
    if lost_rect > 0:
        open_ = inputs.due_hazards - inputs.accepted_hazards
        out.append(Improvement("rectification", lost_rect,
                               f"隐患整改率 {_pct(result.rectification_rate or 0)}（应整改 {inputs.due_hazards}，"
                               f"按期验收 {inputs.accepted_hazards}，未按期 {open_}）：B 项失 {lost_rect:g} 分。"
                               f"在整改期限内完成整改并验收，可得满分 {rs.b_max:g} 分。"))
    if result.few_hazards_deduction > 0:
        out.append(Improvement("few_hazards", result.few_hazards_deduction,
                               f"隐患过少：本周上报隐患 {inputs.hazards_found} 条，少于 {rs.few_hazards_minimum} 条，"
                               f"扣 {result.few_hazards_deduction:g} 分。如实排查、如实上报发现的隐患。"))
    if result.alpha == 0:
        would = _r(result.a + result.b)
        labels = "、".join(f"「{rs.vetoes[v]}」" for v in result.vetoes)
        out.append(Improvement("veto", would, f"否决项 {labels}：本周得分为 0（否则为 {would:g} 分）。"))
    out.sort(key=lambda i: -i.points)
    return out


# --- rule sets -----------------------------------------------------------------------------------

DEFAULT_BANDS = (  # OURS: no national bands are published (docs/weekly-score.md)
    Band("poor", "差", 0, 60),
    Band("fair", "中", 60, 75),
    Band("good", "良", 75, 90),
    Band("excellent", "优", 90, 100),
)
DEFAULT_VETOES = {  # OURS: examples of what provinces treat as 否决项; configure the real list per region
    "fatal_accident": "本周发生造成人员死亡的生产安全事故",
    "major_hazard_overdue": "存在逾期未整改的重大事故隐患",
    "records_falsified": "排查或整改记录弄虚作假",
}

DEFAULT = ScoreRuleSet(
    key="default", version="2026.1", title="默认参数（本系统拟定，非官方）",
    bands=DEFAULT_BANDS, vetoes=DEFAULT_VETOES,
    coverage_deduction_per_miss=5.0, coverage_deduction_cap=20.0,
    few_hazards_minimum=1, few_hazards_deduction=10.0,
    source="national-model.md §4 (formula); every parameter is ours",
)

REGISTRY: Registry[ScoreRuleSet] = Registry("weekly score", [Binding("", None, DEFAULT)])


def ruleset_for(region_code: str | None, on: date | None = None,
                registry: Registry[ScoreRuleSet] | None = None) -> ScoreRuleSet:
    """The score rule set in force for a region on a day (the Monday of the scored week)."""
    return (registry or REGISTRY).select(region_code, on)


def from_mapping(data: Mapping) -> ScoreRuleSet:
    """A rule set from configuration (JSON/TOML): the same validation, errors naming the field."""
    if not isinstance(data, Mapping):
        raise RuleSetError("rule_set", "not_mapping", data)
    bands_raw = data.get("bands")
    if not isinstance(bands_raw, Iterable) or isinstance(bands_raw, str | bytes | Mapping):
        raise RuleSetError("bands", "missing")
    bands = []
    for i, b in enumerate(bands_raw):
        if not isinstance(b, Mapping):
            raise RuleSetError(f"bands[{i}]", "not_mapping", b)
        try:
            bands.append(Band(str(b["level"]), str(b.get("label", b["level"])), b["lower"], b["upper"]))
        except KeyError as exc:
            raise RuleSetError(f"bands[{i}].{exc.args[0]}", "missing") from None
    known = {f for f in ScoreRuleSet.__dataclass_fields__}
    extra = sorted(set(data) - known)
    if extra:
        raise RuleSetError(extra[0], "unknown_field")
    missing = [f for f in ("key", "version", "coverage_deduction_per_miss", "coverage_deduction_cap",
                           "few_hazards_minimum", "few_hazards_deduction") if f not in data]
    if missing:
        raise RuleSetError(missing[0], "missing")
    values = dict(data)
    values["bands"] = tuple(bands)
    values["vetoes"] = dict(data.get("vetoes") or {})
    values.setdefault("title", values["key"])
    return ScoreRuleSet(**values)
