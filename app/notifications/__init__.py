"""In-app reminders: model, list page, the nav badge. Wired by ``app.hazards.init_app``."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import access
from app.notifications.models import Notification

access.register_scope(Notification, lambda user: Notification.user_id == user.id)


def init_app(app: Flask) -> None:
    from app import ui
    from app.api import register
    from app.notifications import api, service, views

    app.register_blueprint(views.bp)
    register(api.blp)
    ui.nav_item("notifications.index", _l("Reminders"), lambda user: True)
    ui.nav_item("notifications.deliveries", _l("Deliveries"), lambda user: access.can(user, "admin"))
    app.jinja_env.globals["unread_notifications"] = service.unread_count
