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

FIGURES: dict[str, Figure] = {f.id: f for f in _ALL}


def figure(identifier: str) -> Figure:
    return FIGURES[identifier]
