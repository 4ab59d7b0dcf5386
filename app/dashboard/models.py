"""Stored figures: the weekly effectiveness score of each enterprise and closed ISO week (frozen with
the rule set it used), and the statutory periodic report (隐患排查治理情况统计分析表)."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import to_local, today, utcnow
from app.extensions import db
from app.organisations.models import Enterprise, enum_column


class WeeklyScoreRecord(db.Model):
    """E = (A + B) × α of one enterprise for one closed ISO week (workflows.weekly_score). Written once
    by the periodic scan for the week just ended and never changed after: the rule set's label is
    frozen with it, so a later change of the rules does not rewrite history."""

    __tablename__ = "weekly_scores"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "week", name="uq_weekly_scores_enterprise_week"),
        Index("ix_weekly_scores_week_score", "week", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    week: Mapped[str] = mapped_column(String(8))  # 2026-W48
    week_start: Mapped[date]  # its Monday (local)
    planned: Mapped[int] = mapped_column(Integer, default=0)
    expected: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    due_hazards: Mapped[int] = mapped_column(Integer, default=0)
    accepted_hazards: Mapped[int] = mapped_column(Integer, default=0)
    hazards_found: Mapped[int] = mapped_column(Integer, default=0)
    duties_planned: Mapped[int] = mapped_column(Integer, default=0)
    duties_done: Mapped[int] = mapped_column(Integer, default=0)
    a: Mapped[float] = mapped_column(Float)
    b: Mapped[float] = mapped_column(Float)
    alpha: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    run_level: Mapped[str] = mapped_column(String(16))
    rule_set: Mapped[str] = mapped_column(String(64))  # key@version
    vetoes: Mapped[list] = mapped_column(JSON, default=list)
    # Why each veto applies, frozen with the score: {code: basis in words} (the system's count, or who
    # entered it, when and why).
    veto_basis: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(viewonly=True)


class ScoreVeto(db.Model):
    """A veto item (否决项) the system cannot decide from its own data, entered by an authority for one
    enterprise and week, with the reason: recorded, never edited (a withdrawal is its own row state)."""

    __tablename__ = "score_vetoes"
    __table_args__ = (UniqueConstraint("enterprise_id", "week", "code", name="uq_score_vetoes_enterprise_week_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    week: Mapped[str] = mapped_column(String(8))  # 2026-W48
    code: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    entered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship(viewonly=True)
    entered_by = relationship("User", viewonly=True)


class ReportState(enum.StrEnum):
    draft = "draft"  # generated, waiting for the manager's review
    reviewed = "reviewed"  # reviewed by the safety manager, waiting for the principal's signature
    approved = "approved"  # signed (approved) by the principal
    submitted = "submitted"  # submitted to the authority


class PeriodicReport(db.Model):
    """The enterprise's quarterly or annual 隐患排查治理情况统计分析表 (16号令 第十四条)."""

    __tablename__ = "periodic_reports"
    __table_args__ = (UniqueConstraint("enterprise_id", "period", name="uq_periodic_reports_enterprise_period"),
                      Index("ix_periodic_reports_period_state", "period", "state"))

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    period: Mapped[str] = mapped_column(String(8))  # 2026-Q4 or 2026
    period_start: Mapped[date]
    period_end: Mapped[date]
    due_on: Mapped[date]  # the 15th of the following month; 31 January for a year
    state: Mapped[ReportState] = enum_column(ReportState, default=ReportState.draft)
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]
    number: Mapped[str | None] = mapped_column(String(64))
    verify_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    # The signed PDF, stored when the principal signs (app.storage, content-addressed): what is submitted
    # and re-downloaded is these bytes, checked against the digest on every read (as documents are).
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    pdf_size: Mapped[int | None] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}

    enterprise: Mapped[Enterprise] = relationship(viewonly=True)
    reviewed_by = relationship("User", foreign_keys=[reviewed_by_id], viewonly=True)
    approved_by = relationship("User", foreign_keys=[approved_by_id], viewonly=True)
    submitted_by = relationship("User", foreign_keys=[submitted_by_id], viewonly=True)

    @property
    def late(self) -> bool:
        if self.submitted_at is not None:
            return to_local(self.submitted_at).date() > self.due_on

        return today() > self.due_on


class _WeekCounts:
    """The hazard events of a week (``workflows.figures``), counted by ``app.dashboard.stats``."""

    reported: Mapped[int] = mapped_column(Integer, default=0)
    confirmed: Mapped[int] = mapped_column(Integer, default=0)
    closed: Mapped[int] = mapped_column(Integer, default=0)
    closed_on_time: Mapped[int] = mapped_column(Integer, default=0)
    voided: Mapped[int] = mapped_column(Integer, default=0)
    close_days_total: Mapped[float] = mapped_column(Float, default=0.0)
    # Of the hazards confirmed in the week, those closed now (the rectification rate's numerator).
    confirmed_closed: Mapped[int] = mapped_column(Integer, default=0)


class _NowCounts:
    open: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    major_open: Mapped[int] = mapped_column(Integer, default=0)


class HazardWeekStat(_WeekCounts, db.Model):
    """Pre-aggregated hazard events of one enterprise in one ISO week: what the regional pages and the
    supervision overview sum instead of reading every hazard of a city. Counted with the definitions of
    app.dashboard.stats (same conditions), refreshed by the periodic scan (``stats.refresh_aggregates``).

    ``week_start`` is the week's local Monday, or 1 January when the week began in the year before: a
    week is split at the new year, so whole weeks and whole years both sum exactly."""

    __tablename__ = "hazard_week_stats"
    __table_args__ = (Index("ix_hazard_week_stats_week", "week_start", "enterprise_id"),)

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    week_start: Mapped[date] = mapped_column(primary_key=True)


class HazardNowStat(_NowCounts, db.Model):
    """Open, overdue and major open hazards of one enterprise when the scan last counted them."""

    __tablename__ = "hazard_now_stats"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class HazardOpenStat(db.Model):
    """Open hazards of one enterprise by state and effective grade ("" when not graded) when the scan last
    counted them: the supervision overview's table."""

    __tablename__ = "hazard_open_stats"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), primary_key=True)
    grade: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


# --- the same, summed per region of the enterprises (the region an enterprise is registered in) --------
# A city's page sums a few hundred region rows instead of ten thousand enterprise rows per figure (issue 14
# item 8). Rebuilt from the tables above by the same scan step; a page filtered by industry or risk class,
# or grouped by enterprise, reads the enterprise rows.

class HazardWeekRegionStat(_WeekCounts, db.Model):
    __tablename__ = "hazard_week_region_stats"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    week_start: Mapped[date] = mapped_column(primary_key=True)


class HazardNowRegionStat(_NowCounts, db.Model):
    __tablename__ = "hazard_now_region_stats"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)


class HazardOpenRegionStat(db.Model):
    __tablename__ = "hazard_open_region_stats"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(32), primary_key=True)
    grade: Mapped[str] = mapped_column(String(16), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class ScoreRegionStat(db.Model):
    """The frozen weekly scores of a region's enterprises, summed: written when a week is frozen, and
    again for its region when an authority enters a veto."""

    __tablename__ = "score_region_stats"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), primary_key=True)
    week: Mapped[str] = mapped_column(String(8), primary_key=True)
    scored: Mapped[int] = mapped_column(Integer, default=0)  # enterprises scored
    score_total: Mapped[float] = mapped_column(Float, default=0.0)
    planned: Mapped[int] = mapped_column(Integer, default=0)
    expected: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    duties_planned: Mapped[int] = mapped_column(Integer, default=0)
    duties_done: Mapped[int] = mapped_column(Integer, default=0)
