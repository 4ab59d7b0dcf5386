"""The reminder and escalation tiers, per region (docs/handoffs.md): seeded by the migration, edited by the
operator in the table (a region's own rows replace the defaults for its enterprises, nearest region first)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db

# A hazard's rectification deadline; a listed item's monthly progress report; an enterprise's periodic report
# (隐患排查治理情况统计分析表, quarterly and annual: app/dashboard/reports.py ``due_date``).
SUBJECTS = ("hazard", "progress", "report")
# Who is told at a tier: the responsible person, the enterprise's managers / principal / both (enterprise),
# the supervising authority's inspectors and supervisors.
AUDIENCES = ("responsible", "manager", "principal", "enterprise", "authority")

# The defaults a fresh install gets (the migration inserts them with region_id NULL): 3 days and 1 day
# before, on the day, then up the line when overdue (day 1 overdue is the scan's overdue reminder to the
# responsible person and the managers, app/hazards/scan.py).
DEFAULT_TIERS = (
    ("hazard", -3, "responsible"), ("hazard", -1, "responsible"), ("hazard", 0, "responsible"),
    ("hazard", 3, "manager"), ("hazard", 7, "principal"), ("hazard", 15, "authority"),
    ("progress", -3, "enterprise"), ("progress", -1, "enterprise"), ("progress", 0, "enterprise"),
    ("progress", 5, "authority"),
    ("report", -3, "responsible"), ("report", -1, "responsible"), ("report", 0, "responsible"),
    ("report", 3, "enterprise"), ("report", 7, "authority"),
)


class ReminderTier(db.Model):
    """One step: ``offset_days`` from the deadline (negative: before it, 0: on the day, positive: overdue
    by that many days), who is told. ``region_id`` NULL: the default set."""

    __tablename__ = "reminder_tiers"
    __table_args__ = (UniqueConstraint("region_id", "subject", "offset_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    subject: Mapped[str] = mapped_column(String(16))
    offset_days: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(String(16))


class ReminderSent(db.Model):
    """A tier sent (or, ``audience`` NULL, passed with nothing of the region's tiers due) for one object
    and deadline of a subject without a history of its own: the periodic reports (object: the enterprise,
    ``period``: 2026-Q3 or 2026). The record of who was reminded when, and what makes the scan idempotent:
    a second scan finds the offset reached done and selects nothing."""

    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("subject", "object_id", "period", "offset_days"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(16))
    object_id: Mapped[int] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(16))
    due_on: Mapped[date]
    offset_days: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str | None] = mapped_column(String(16))
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
