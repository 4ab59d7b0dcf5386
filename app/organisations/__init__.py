"""Organisations: regions, authorities, industries, enterprises, departments, users (admin pages)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


def init_app(app: Flask) -> None:
    # Imported here, not at module level: app.access imports this package's models.
    from app import access
    from app.api import register
    from app.organisations import api, demo, views  # noqa: F401  (demo registers its step)
    from app.organisations import policy as _rules  # noqa: F401  (registers rules and scopes)
    from app.ui import nav_item

    app.register_blueprint(views.bp)
    register(api.blp)
    nav_item("organisations.enterprises", lazy_pgettext("organisations", "Enterprises"))
    nav_item("organisations.regions", _l("Regions"), lambda u: access.can(u, "organisation.browse"))
    nav_item("organisations.authorities", _l("Authorities"), lambda u: access.can(u, "organisation.browse"))
    nav_item("organisations.users", _l("Users"), lambda u: access.can(u, "user.browse"))
