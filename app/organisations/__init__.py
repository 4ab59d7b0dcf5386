"""Organisations: regions, authorities, industries, enterprises, departments, and the users' accounts,
administered here end to end (accounts.py, its pages, API and ``shuangkong user``; auth logs them in)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


def init_app(app: Flask) -> None:
    # Inside: app.access imports this package's models (this __init__ runs first), and the views,
    # API and demo import app.access: loaded only when the app is built, no import cycle.
    from app import access, cli, ui
    from app.api import register
    from app.organisations import api, demo, policy, views
    from app.organisations import cli as users_cli

    access.register(policy.SCOPES, policy.rules)
    ui.nav_item("organisations.enterprises", lazy_pgettext("organisations", "Enterprises"))
    ui.nav_item("organisations.regions", _l("Regions"), lambda u: access.can(u, "organisation.browse"))
    ui.nav_item("organisations.authorities", _l("Authorities"), lambda u: access.can(u, "organisation.browse"))
    ui.nav_item("organisations.users", _l("Users"), lambda u: access.can(u, "user.browse"))
    ui.nav_item("organisations.setup", _l("Setting up"), lambda u: access.can(u, "admin"))
    cli.add_demo_step("organisations", demo.seed)
    app.register_blueprint(views.bp)
    register(api.blp)
    app.cli.add_command(users_cli.user_cli)  # users are administered here: pages, API and `shuangkong user`

    @app.context_processor
    def _day_one():
        """Day one without the demo: until a region tree, an authority and its administrator exist,
        the administrator's home page walks him through the setup steps (views.setup_steps)."""
        # Inside: loaded when called, not when another feature imports this package's models.
        from flask import request
        from flask_login import current_user

        if request.endpoint == "ui.home" and getattr(current_user, "is_authenticated", False) \
                and access.can(current_user, "admin"):
            steps = views.setup_steps()
            if not all(step["done"] for step in steps):
                return {"day_one": steps}
        return {}

