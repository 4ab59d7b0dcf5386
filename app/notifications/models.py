"""In-app reminders (站内提醒): one row per user and message; a dedupe key keeps reruns idempotent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.extensions import db


class Notification(db.Model):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "dedupe_key"),
        # A user's reminders newest first, and his unread ones (the badge on every page, the unread
        # list, "mark all read"): each the first rows of an index read backwards, however many
        # reminders he has (a city's supervisor gathered 134 000 in a year of escalations: issue 18).
        Index("ix_notifications_user_id_id", "user_id", "id"),
        Index("ix_notifications_unread", "user_id", "id", postgresql_where=text("read_at IS NULL"),
              sqlite_where=text("read_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))  # hazard_overdue, hazard_confirm, ...
    hazard_id: Mapped[int | None] = mapped_column(ForeignKey("hazards.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    dedupe_key: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class NotificationPreference(db.Model):
    """Which outside channels a user wants, and when not to be disturbed (in-app is always on)."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    email: Mapped[bool] = mapped_column(default=True)
    sms: Mapped[bool] = mapped_column(default=False)
    wecom: Mapped[bool] = mapped_column(default=False)
    dingtalk: Mapped[bool] = mapped_column(default=False)
    webhook: Mapped[bool] = mapped_column(default=False)
    quiet_hours: Mapped[str] = mapped_column(String(11), default="")  # "22:00-07:00", local time; "" = none
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NotificationDelivery(db.Model):
    """One attempt to carry a notification over one channel. The unique key makes a job that runs twice
    (at-least-once) record its attempt once."""

    __tablename__ = "notification_deliveries"
    __table_args__ = (UniqueConstraint("notification_id", "channel", "attempt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notifications.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    attempt: Mapped[int]
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    result: Mapped[str] = mapped_column(String(16))  # sent | retry (failed, another attempt planned) | failed
    error: Mapped[str] = mapped_column(Text, default="")
