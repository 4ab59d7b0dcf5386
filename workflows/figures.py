"""The figures (统计指标) authorities and enterprises read: each defined once, here.

Framework-free. A figure has a stable identifier (dashboards, exports and the API use it), its
Chinese name and its definition in words (shown where the figure is displayed, printed as is), the
English text the UI shows in English (marked for the catalogs with ``N_``; the Chinese catalog
entry must equal ``name`` / ``definition``, a test checks it), and for a ratio the figures it is
computed from. The queries that count them are in one place in the app (``app/figures.py``).

Time words: "this year" is the local (China) calendar year, from 1 January 00:00 Beijing time;
"overdue" is open and past the deadline (the day after the deadline date), as for the hazard.
"""

from __future__ import annotations

from dataclasses import dataclass


def N_(text: str) -> str:  # noqa: N802 - the gettext marker pybabel extracts; translated by the app
    return text


@dataclass(frozen=True)
class Figure:
    id: str
    name: str  # 中文名称
    definition: str  # 中文定义 (in words)
    name_en: str
    definition_en: str
    numerator: str | None = None  # ratios: identifiers of the figures they divide
    denominator: tuple[str, ...] = ()  # summed

    @property
    def is_ratio(self) -> bool:
        return self.numerator is not None

    def value(self, counts: dict[str, int]) -> float | None:
        """A ratio from the counts it is made of; None when the denominator is 0 (shown as —)."""
        if not self.is_ratio:
            return counts[self.id]
        denominator = sum(counts[d] for d in self.denominator)
        return counts[self.numerator] / denominator if denominator else None


_ALL = (
    Figure("open_hazards", "未销号隐患", "状态为已上报、整改中或待验收的隐患数（已销号、已撤销的不计）。",
           N_("Open hazards"), N_("Hazards reported, being rectified or waiting for review (closed and "
                                  "voided ones not counted).")),
    Figure("overdue_open", "逾期未销号", "未销号且已过整改期限的隐患数（期限日之后仍未销号）。",
           N_("Overdue, not closed"), N_("Open hazards past their deadline (not closed after the deadline "
                                         "day).")),
    Figure("listed", "挂牌督办中", "处于挂牌督办中的督办事项数。",
           N_("Listed for supervision"), N_("Listings in the state listed.")),
    Figure("proposals_waiting", "待决定督办建议", "等待监管负责人决定的督办建议数。",
           N_("Proposals waiting"), N_("Listing proposals waiting for a supervisor's decision.")),
    Figure("closed_this_year", "本年已销号", "本年内验收销号的隐患数。",
           N_("Closed this year"), N_("Hazards closed (accepted) this year.")),
    Figure("closed_on_time_this_year", "本年按期销号",
           "本年已销号的隐患中，销号日期不晚于整改期限的隐患数（未设期限的计为按期）。",
           N_("Closed on time this year"), N_("Of the hazards closed this year, those closed on or before "
                                               "their deadline (no deadline counts as on time).")),
    Figure("on_time_rate", "本年按期整改率", "按期整改率 = 本年按期销号 ÷ (本年已销号 + 逾期未销号)",
           N_("On-time rectification rate this year"),
           N_("On-time rate = closed on time this year ÷ (closed this year + overdue, not closed)"),
           numerator="closed_on_time_this_year", denominator=("closed_this_year", "overdue_open")),
    Figure("confirmed_this_year", "本年确认隐患", "本年内确认（定级）的隐患数（已撤销的不计）。",
           N_("Confirmed this year"), N_("Hazards confirmed (graded) this year, voided ones not counted.")),
    Figure("confirmed_closed_this_year", "本年确认且已销号", "本年确认的隐患中已销号的隐患数。",
           N_("Confirmed this year and closed"), N_("Of the hazards confirmed this year, those closed.")),
    Figure("rectification_rate", "本年隐患整改率", "整改率 = 本年确认且已销号 ÷ 本年确认隐患",
           N_("Rectification rate this year"),
           N_("Rectification rate = confirmed this year and closed ÷ confirmed this year"),
           numerator="confirmed_closed_this_year", denominator=("confirmed_this_year",)),
    Figure("risk_points_of_grade", "该等级风险点", "有效等级为该等级的在用风险点数。",
           N_("Risk points of this grade"), N_("Active risk points whose effective grade is this grade.")),
    Figure("enterprises_with_grade", "有该等级风险点的企业", "至少有一个有效等级为该等级的在用风险点的企业数。",
           N_("Enterprises with a risk point of this grade"),
           N_("Enterprises with at least one active risk point of this effective grade.")),
)


# --- the figures of a period (issue 14): dashboards, statistics tables, exports, the API -----------
# A period is a range of local (China) dates [from, to], both included. "Now" figures (open, overdue,
# major open, listed) are counted at the moment of the query, whatever the period.
PERIOD = (
    Figure("reported", "上报隐患", "期间内上报（登记）的隐患数，按上报时间统计，含之后撤销的。",
           N_("Hazards reported"), N_("Hazards reported (registered) in the period, by the time they were "
                                      "reported, including those voided later.")),
    Figure("confirmed", "确认隐患", "期间内确认（定级）的隐患数，按确认时间统计，已撤销的不计。",
           N_("Hazards confirmed"), N_("Hazards confirmed (graded) in the period, by the time of confirmation; "
                                       "voided ones not counted.")),
    Figure("closed", "销号隐患", "期间内验收销号的隐患数，按销号时间统计。",
           N_("Hazards closed"), N_("Hazards closed (accepted) in the period, by the time of closing.")),
    Figure("closed_on_time", "按期销号", "期间内销号的隐患中，销号日期（北京时间）不晚于整改期限的隐患数；未设期限的计为按期。",
           N_("Closed on time"), N_("Of the hazards closed in the period, those closed on or before their "
                                    "deadline (local date); no deadline counts as on time.")),
    Figure("voided", "撤销隐患", "期间内撤销的隐患数，按撤销时间统计（撤销后的隐患不再变更）。",
           N_("Hazards voided"), N_("Hazards voided in the period, by the time they were voided (a voided "
                                    "hazard no longer changes).")),
    Figure("open", "未销号隐患", "当前状态为已上报、整改中或待验收的隐患数（当前时刻统计，与期间无关）。",
           N_("Open hazards"), N_("Hazards now reported, being rectified or waiting for review (counted now, "
                                  "whatever the period).")),
    Figure("overdue", "逾期未销号", "当前未销号且已过整改期限（期限日之后）的隐患数（当前时刻统计）。",
           N_("Overdue"), N_("Open hazards now past their deadline (after the deadline day), counted now.")),
    Figure("major_open", "未销号重大隐患", "当前未销号的重大事故隐患数（当前时刻统计）。",
           N_("Major hazards open"), N_("Open major hazards, counted now.")),
    Figure("listed_now", "挂牌督办中", "当前处于挂牌督办中的督办事项数（当前时刻统计）。",
           N_("Listed for supervision now"), N_("Listings now in the state listed, counted now.")),
    Figure("on_time_rate", "按期整改率", "按期整改率 = 按期销号 ÷ (销号隐患 + 逾期未销号)；分母为 0 时显示“—”。",
           N_("On-time rectification rate"),
           N_("On-time rate = closed on time ÷ (hazards closed + overdue); shown as — when the denominator is 0."),
           numerator="closed_on_time", denominator=("closed", "overdue")),
    Figure("close_days_total", "销号总用时（天）", "期间内销号的隐患从上报到销号的天数之和。",
           N_("Days to close, total"), N_("The days from report to closing of the hazards closed in the period, "
                                          "summed.")),
    Figure("avg_days_to_close", "平均整改天数", "平均整改天数 = 销号总用时（天） ÷ 销号隐患；从上报到销号。",
           N_("Average days to close"),
           N_("Average days to close = days to close, total ÷ hazards closed; from report to closing."),
           numerator="close_days_total", denominator=("closed",)),
    Figure("risk_units_current", "风险点（当前等级）", "在用风险点按当前有效等级（评估等级与未销号隐患所示等级从严）统计的个数。",
           N_("Risk points by current grade"), N_("Active risk points by their current effective grade (the "
                                                  "stricter of the assessed grade and what open hazards imply).")),
    Figure("risk_units_assessed", "风险点（评估等级）", "在用风险点按最近一次评估确定的等级（初始等级，不含隐患升级）统计的个数。",
           N_("Risk points by assessed grade"), N_("Active risk points by the grade of their latest assessment "
                                                   "(the initial grade, before open hazards raise it).")),
    Figure("risk_events_initial", "风险事件（初始等级）", "风险事件按初始风险等级（最近一次评估确定，国家接口 initialRiskLevel）统计的个数。",
           N_("Risk events by initial grade"), N_("Risk events by their initial grade (of their latest assessment; "
                                                  "national initialRiskLevel).")),
    Figure("risk_events_current", "风险事件（当前等级）", "风险事件按当前风险等级（初始等级与未销号隐患所示等级从严，国家接口 currentRiskLevel）统计的个数。",
           N_("Risk events by current grade"), N_("Risk events by their current grade (the stricter of the initial "
                                                  "grade and what open hazards imply; national currentRiskLevel).")),
    Figure("checks_planned", "应排查", "期间内截止的排查任务时限数（一个时限只计入其截止的期间）。",
           N_("Checks planned"), N_("Check windows that closed in the period (a window counts in the period it "
                                    "closes in).")),
    Figure("checks_done", "按时排查", "应排查中在时限截止前记录了排查结果的个数。",
           N_("Checks done on time"), N_("Planned windows with a check recorded before the window closed.")),
    Figure("checks_late", "逾期排查", "应排查中在时限截止后才补录的个数（不计入完成）。",
           N_("Checks done late"), N_("Planned windows recorded after they closed (not counted as done).")),
    Figure("checks_missed", "超期未排查", "应排查中既未记录、也不在停用检修期内的个数。",
           N_("Checks missed"), N_("Planned windows neither recorded nor excused by a suspension.")),
    Figure("checks_expected", "应排查（扣除停用）", "应排查减去停用检修期内未记录的时限数。",
           N_("Checks expected"), N_("Planned windows minus those excused by a suspension.")),
    Figure("completion_rate", "排查任务完成率", "排查任务完成率 = 按时排查 ÷ 应排查（扣除停用）；分母为 0 时显示“—”。",
           N_("Check completion rate"),
           N_("Completion rate = checks done on time ÷ checks expected; shown as — when nothing was expected."),
           numerator="checks_done", denominator=("checks_expected",)),
    Figure("duties_planned", "包保责任应履职", "期间内截止的包保责任人（主要负责人、技术负责人、操作负责人）排查任务时限数。",
           N_("包保 duties due"), N_("Check windows of the 包保 responsible persons (principal, technical, "
                                     "operational) that closed in the period.")),
    Figure("duties_done", "包保责任已履职", "包保责任应履职中按时完成排查的个数。",
           N_("包保 duties done"), N_("Of the 包保 duties due, those done on time.")),
    Figure("enterprises_by_risk_class", "企业（按风险等级）", "企业按其在用风险点中最高的当前有效等级归类；没有已定级风险点的计为“未定级”。",
           N_("Enterprises by risk class"), N_("Enterprises classed by the highest current effective grade of "
                                               "their active risk points; without a graded point: not graded.")),
    Figure("weekly_score", "周运行效果得分", "E = (A + B) × α：A 为排查任务完成率 × 50 减包保扣分，B 为隐患整改率 × 50 "
           "减隐患过少扣分，α 在存在否决项时为 0；参数见所用规则集。",
           N_("Weekly effectiveness score"), N_("E = (A + B) × α: A is the check completion rate × 50 minus the "
                                                "包保 deduction, B the rectification rate × 50 minus the too-few-"
                                                "hazards deduction, α is 0 when a veto applies; parameters of the "
                                                "rule set used.")),
)

# The hazard counts of a period, in the order tables, exports and the API show them.
HAZARD_PERIOD_COUNTS = ("reported", "confirmed", "closed", "closed_on_time", "voided", "open", "overdue",
                        "major_open", "listed_now")
CHECK_COUNTS = ("checks_planned", "checks_done", "checks_late", "checks_missed", "checks_expected",
                "duties_planned", "duties_done")

FIGURES: dict[str, Figure] = {f.id: f for f in _ALL}
PERIOD_FIGURES: dict[str, Figure] = {f.id: f for f in PERIOD}
_PERIOD_RATIOS = tuple(f for f in PERIOD if f.is_ratio)


def figure(identifier: str) -> Figure:
    return FIGURES.get(identifier) or PERIOD_FIGURES[identifier]


def period_values(counts: dict[str, int | float]) -> dict[str, int | float | None]:
    """The counts of a period and every ratio of ``PERIOD`` they make (None when its denominator is 0)."""
    out: dict[str, int | float | None] = dict(counts)
    for fig in _PERIOD_RATIOS:
        if fig.numerator in counts and all(d in counts for d in fig.denominator):
            out[fig.id] = fig.value(counts)
    return out


def display(identifier: str, value) -> str:
    """A figure's value as pages, exports and the periodic report's PDF show it: a rate in %, — for no
    denominator."""
    if value is None:
        return "—"
    if identifier.endswith("_rate"):
        return f"{value * 100:.1f}%"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
