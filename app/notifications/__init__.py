"""In-app reminders and their delivery over outside channels: model, list page, the nav badge."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import access


def _admin(user) -> bool:
    return access.can(user, "admin")


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service, views and API are loaded only when the app is built: no import cycle.
    from app import jobs, ui
    from app.api import register
    from app.notifications import api, policy, service, views

    access.register(policy.SCOPES)
    ui.nav_item("notifications.index", _l("Reminders"))
    ui.nav_item("notifications.deliveries", _l("Deliveries"), _admin)
    jobs.register(service.deliver)
    app.register_blueprint(views.bp)
    register(api.blp)
    app.jinja_env.globals["unread_notifications"] = service.unread_badge
