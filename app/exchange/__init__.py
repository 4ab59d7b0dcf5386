"""The national data exchange (issue 21): the seven datasets of the national dual-prevention model,
pushed incrementally to the provincial platform per the province's profile, and received from
enterprises running their own instance when this project serves a city or park platform (docs/exchange.md)."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service, views, API and job are loaded only when the app is built: no import cycle.
    from app import access, cli, jobs, storage, ui
    from app.api import register
    from app.exchange import api, policy, scan, service, views
    from app.exchange import cli as exchange_cli

    app.config.setdefault("EXCHANGE_PROFILES", {})
    app.config.setdefault("EXCHANGE_ENTERPRISES", {})
    app.config.setdefault("EXCHANGE_SENDERS", {})
    app.config.setdefault("EXCHANGE_KEY_FOLDER", None)
    app.config.setdefault("EXCHANGE_RETRY_BASE_SECONDS", 60)
    app.config.setdefault("EXCHANGE_RETRY_MAX_SECONDS", 6 * 3600)
    access.register(policy.SCOPES, policy.rules)
    ui.nav_item("exchange.index", _l("Data exchange"), lambda u: access.can(u, "exchange.status"))
    jobs.register(scan.push_job)
    storage.register_references("exchange_received_photos", service.received_photo_digests)
    cli.SCAN_STEPS.add("exchange.push", scan.ask_due_pushes)
    app.register_blueprint(views.bp)
    app.register_blueprint(views.receive_bp)
    register(api.blp)
    exchange_cli.init_app(app)
