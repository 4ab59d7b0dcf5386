"""API: the user's reminders and notification preferences."""

from __future__ import annotations

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app.api import PageArgs, Timestamp, api_blueprint, page_schema
from app.extensions import db
from app.notifications import service

blp = api_blueprint("notifications_api", __name__, "", "Notifications and preferences")


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=False)


class NotificationOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    text = fields.String()
    hazard_id = fields.Integer(allow_none=True)
    created_at = Timestamp()
    read_at = Timestamp(allow_none=True)


class Channels(Schema):
    email = fields.Boolean(required=True)
    sms = fields.Boolean(required=True)
    wecom = fields.Boolean(required=True)
    dingtalk = fields.Boolean(required=True)
    webhook = fields.Boolean(required=True)


class Preferences(Schema):
    channels = fields.Nested(Channels, required=True)
    quiet_hours = fields.String(required=True, validate=validate.Length(max=32))


@blp.route("/notifications")
@blp.arguments(NotificationArgs, location="query")
@blp.response(200, page_schema(NotificationOut, total_capped=fields.Boolean(
    metadata={"description": f"`total` stopped at {service.LIST_COUNT_CAP}"})))
def list_notifications(args):
    """The caller's reminders, newest first; ``unread=true`` for the unread ones only."""
    return service.page_of(current_user, args["page"], args["per_page"], unread=args["unread"])


@blp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@blp.response(200, NotificationOut)
def read_notification(notification_id):
    """Mark one of the caller's reminders read (someone else's: 404)."""
    note = service.mark_read(current_user, notification_id)
    db.session.commit()
    return note


def _preferences_out(row) -> dict:
    return {"channels": {name: bool(getattr(row, name)) for name in service.CHANNEL_NAMES},
            "quiet_hours": row.quiet_hours or ""}


@blp.route("/me/notification-preferences")
class MyPreferences(MethodView):
    @blp.response(200, Preferences)
    def get(self):
        """The caller's channels and quiet hours (defaults when never saved)."""
        return _preferences_out(service.preferences(current_user.id))

    @blp.arguments(Preferences)
    @blp.response(200, Preferences)
    def put(self, args):
        """Replace the caller's channels and quiet hours ("22:00-07:00", local time; "" for none)."""
        row = service.save_preferences(current_user, channels=args["channels"], quiet_hours=args["quiet_hours"])
        db.session.commit()
        return _preferences_out(row)
