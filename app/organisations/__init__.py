"""Organisations: regions, authorities, industries, enterprises, departments, users (admin pages)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import labels
from app.organisations.models import DepartmentLevel, EnterpriseScale, RegionLevel, StandardisationLevel

LABELS = {
    RegionLevel: {
        RegionLevel.province: _l("Province"), RegionLevel.city: _l("City"),
        RegionLevel.county: _l("County"), RegionLevel.town: _l("Town"),
    },
    StandardisationLevel: {
        StandardisationLevel.level_1: _l("Level 1"), StandardisationLevel.level_2: _l("Level 2"),
        StandardisationLevel.level_3: _l("Level 3"), StandardisationLevel.none: _l("None"),
    },
    EnterpriseScale: {
        EnterpriseScale.large: _l("Large"), EnterpriseScale.medium: _l("Medium"),
        EnterpriseScale.small: _l("Small"), EnterpriseScale.micro: _l("Micro"),
    },
    DepartmentLevel: {
        DepartmentLevel.department: _l("Department"), DepartmentLevel.workshop: _l("Workshop"),
        DepartmentLevel.team: _l("Team"), DepartmentLevel.post: _l("Post"),
    },
}


def init_app(app: Flask) -> None:
    # Inside: app.access imports this package's models (this __init__ runs first), and the views,
    # API and demo import app.access: loaded only when the app is built, no import cycle.
    from app import access, cli, ui
    from app.api import register
    from app.organisations import api, demo, policy, views
    from app.organisations import cli as users_cli

    access.register(policy.SCOPES, policy.rules)
    labels.register_all(LABELS)
    ui.nav_item("organisations.enterprises", _l("Enterprises"))
    ui.nav_item("organisations.regions", _l("Regions"), lambda u: access.can(u, "organisation.browse"))
    ui.nav_item("organisations.authorities", _l("Authorities"), lambda u: access.can(u, "organisation.browse"))
    ui.nav_item("organisations.users", _l("Users"), lambda u: access.can(u, "user.browse"))
    cli.add_demo_step("organisations", demo.seed)
    app.register_blueprint(views.bp)
    register(api.blp)
    app.cli.add_command(users_cli.user_cli)  # users are administered here: pages, API and `shuangkong user`
