"""Organisations: regions, authorities, industries, enterprises, departments, users (admin pages)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import labels
from app.organisations.models import DepartmentLevel, EnterpriseScale, RegionLevel, StandardisationLevel

labels.register(RegionLevel, {
    RegionLevel.province: _l("Province"), RegionLevel.city: _l("City"),
    RegionLevel.county: _l("County"), RegionLevel.town: _l("Town"),
})
labels.register(StandardisationLevel, {
    StandardisationLevel.level_1: _l("Level 1"), StandardisationLevel.level_2: _l("Level 2"),
    StandardisationLevel.level_3: _l("Level 3"), StandardisationLevel.none: _l("None"),
})
labels.register(EnterpriseScale, {
    EnterpriseScale.large: _l("Large"), EnterpriseScale.medium: _l("Medium"),
    EnterpriseScale.small: _l("Small"), EnterpriseScale.micro: _l("Micro"),
})
labels.register(DepartmentLevel, {
    DepartmentLevel.department: _l("Department"), DepartmentLevel.workshop: _l("Workshop"),
    DepartmentLevel.team: _l("Team"), DepartmentLevel.post: _l("Post"),
})


def init_app(app: Flask) -> None:
    # Imported here, not at module level: app.access imports this package's models.
    from app import access
    from app.api import register
    from app.organisations import api, demo, views  # noqa: F401  (demo registers its step)
    from app.organisations import policy as _rules  # noqa: F401  (registers rules and scopes)
    from app.ui import nav_item

    app.register_blueprint(views.bp)
    register(api.blp)

    @app.context_processor
    def _day_one():
        """Day one without the demo: until a region tree, an authority and its administrator exist,
        the administrator's home page walks him through the setup steps (views.setup_steps)."""
        from flask import request
        from flask_login import current_user

        if request.endpoint == "ui.home" and getattr(current_user, "is_authenticated", False) \
                and access.can(current_user, "admin"):
            steps = views.setup_steps()
            if not all(step["done"] for step in steps):
                return {"day_one": steps}
        return {}

    nav_item("organisations.enterprises", _l("Enterprises"))
    nav_item("organisations.regions", _l("Regions"), lambda u: access.can(u, "organisation.browse"))
    nav_item("organisations.authorities", _l("Authorities"), lambda u: access.can(u, "organisation.browse"))
    nav_item("organisations.users", _l("Users"), lambda u: access.can(u, "user.browse"))
    nav_item("organisations.setup", _l("Setting up"), lambda u: access.can(u, "admin"))
