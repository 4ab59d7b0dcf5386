"""Public reports (举报, issue 19 items 1-3): a phone-first form without login reached from an
authority's printable QR code, ticket and secret to follow it, screening / verification / closure by the
authority, the hazard a report becomes, rewards (proposal by the rules, approval, payment), statistics.
docs/public-reports.md."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import access

NAV = (
    ("public_reports.index", _l("Public reports"), "report.browse"),
    ("public_reports.statistics", _l("Report statistics"), "report.browse"),
)

# Defaults an operator overrides with SHUANGKONG_<KEY> (docs/public-reports.md "Operation").
DEFAULTS = {
    "PUBLIC_REPORT_LIMIT": "5 per hour;20 per day",  # reports filed per client address
    "PUBLIC_REPORT_SECRET_FAILURE_LIMIT": "10 per hour",  # wrong secrets per address and per ticket
    "PUBLIC_REPORT_CHALLENGE_REQUIRED": True,
    "PUBLIC_REPORT_CHALLENGE_MAX_NUMBER": 100_000,  # a phone solves it in about a second
    "PUBLIC_REPORT_CHALLENGE_MINUTES": 30,
    # Days for each step (screen, verify, close): no national period is encoded (docs), none by default.
    "PUBLIC_REPORT_STEP_DAYS": {},
    "REPORT_KEY": None,
    "REPORT_KEY_FILE": None,
}


def init_app(app: Flask) -> None:
    # Inside: the service, views and API are loaded only when the app is built (no import cycle).
    from app import api as api_base
    from app import cli, signals, storage, ui
    from app.api import register
    from app.public_reports import api, demo, policy, queries, service, views

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    access.register(policy.SCOPES, policy.rules)
    for endpoint, text, action in NAV:
        ui.nav_item(endpoint, text, lambda u, action=action: access.can(u, action))
    api_base.PUBLIC_ENDPOINTS.update(api.PUBLIC_ENDPOINTS)
    cli.SCAN_STEPS.add("public reports.reminders", service.remind)
    cli.add_demo_step("public_reports", demo.seed, phase="story")
    signals.hazard_origin.connect(service.origin_of)
    signals.inspection_recorded.connect(service.on_inspection_recorded)
    signals.inspection_origin.connect(service.inspection_origin_of)
    storage.register_references("public report photos", views.photo_digests)
    queries.register_todos()
    app.register_blueprint(views.public_bp)
    app.register_blueprint(views.bp)
    register(api.public_blp)
    register(api.blp)
