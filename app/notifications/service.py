"""Create and read in-app reminders; optionally mail them when SMTP is configured. No commit inside."""

from __future__ import annotations

import functools
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import func, select, update

from app.auth.models import User
from app.clock import utcnow
from app.extensions import db
from app.notifications.models import Notification


def notify(user_id: int, *, kind: str, text: str, dedupe_key: str, hazard_id: int | None = None,
           email: bool = False) -> int | None:
    """Add a reminder unless this user already has one with ``dedupe_key``; the new id, else None.

    One statement, safe against a concurrent run: INSERT ... ON CONFLICT DO NOTHING on the unique key.
    """
    new_id = db.session.execute(_insert_once(db.session.get_bind().dialect.name), {
        "user_id": user_id, "kind": kind, "text": text, "dedupe_key": dedupe_key, "hazard_id": hazard_id,
        "created_at": utcnow()}).scalar()
    if new_id is None:
        return None
    if email:
        send_email(db.session.get(User, user_id), text)
    return new_id


@functools.cache
def _insert_once(dialect: str):
    """INSERT ... ON CONFLICT (user_id, dedupe_key) DO NOTHING RETURNING id, built once per dialect
    (values are bound at execution, so the statement is compiled once)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Notification.__table__
    return (insert(table).on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
            .returning(table.c.id))


def send_email(user: User | None, text: str) -> bool:
    """Mail ``text`` when SMTP_HOST is set and the user has an address; failures are logged only."""
    host = current_app.config.get("SMTP_HOST")
    if not host or user is None or not user.email:
        return False
    msg = EmailMessage()
    msg["Subject"] = "双控系统提醒"
    msg["From"] = current_app.config["SMTP_SENDER"]
    msg["To"] = user.email
    msg.set_content(text)
    try:
        with smtplib.SMTP(host, current_app.config.get("SMTP_PORT", 25), timeout=10) as smtp:
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:  # a mail outage must not stop the scan
        current_app.logger.warning("reminder mail to %s failed: %s", user.email, exc)
        return False
    return True


def unread_count(user) -> int:
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_all_read(user) -> int:
    result = db.session.execute(update(Notification).where(
        Notification.user_id == user.id, Notification.read_at.is_(None)).values(read_at=utcnow()))
    return result.rowcount or 0
