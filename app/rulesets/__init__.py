"""Rule sets editable in the UI: grading thresholds and listing rules, versioned, previewed, audited.

Configuration:

* ``RULE_SETS_BY_CITY_AUTHORITY`` (default False): the administrators of a city authority may also
  write and activate versions for their city (the system administrator always may).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    # Inside: loaded when the app is built, not when another feature imports this package's models.
    from app import access, signals
    from app.api import register
    from app.rulesets import api, policy, service, views
    from app.ui import nav_item

    access.register(rules=policy.rules)
    # The features before it ask for the rules in force (risks grades, supervision lists).
    signals.grading_rules.connect(service.grading_for)
    signals.listing_rules.connect(service.listing_for)
    signals.listing_rule_versions.connect(service.all_listing_rules)
    app.config.setdefault("RULE_SETS_BY_CITY_AUTHORITY", False)
    app.register_blueprint(views.bp)
    register(api.blp)
    nav_item("rulesets.index", _l("Rule sets"), lambda u: access.can(u, "rule_set.view"))
