"""Who sees which reminders: each user his own."""

from __future__ import annotations

from app.notifications.models import Notification


def _own(user):
    return Notification.user_id == user.id


SCOPES = {Notification: _own}
