"""shuangkong (双控): the Flask application factory.

Each feature package under ``app/`` exposes ``init_app(app)``, the one place where it plugs itself in
(scopes and rules, labels, navigation, scan and demo steps, jobs, receivers, blueprints and API; see
docs/architecture.md); the factory calls them in the order of FEATURES, so that a feature may rely on
those before it (hazards on organisations, ...) and their steps and receivers run in that order.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask

from app import (
    access,
    cli,
    config,
    errors,
    extensions,
    guards,
    resilience,
    security_headers,
    ui,
)
from reports.render import check_fonts

ROOT = Path(__file__).resolve().parent.parent

# Order matters: models and policies of earlier features are used by later ones, and scan steps,
# demo steps, navigation entries and signal receivers run in this order.
FEATURES = (
    "auth",
    "jobs",
    "organisations",
    "audit",  # the audit log's pages (its rules name roles, its filter users); the log is app.admin_log
    "risks",
    "notifications",
    "exports",  # Excel exports, large ones built in the background (after notifications: it tells when ready)
    "hazards",
    "checks",  # scheduled checks of control measures (on risks and hazards)
    "supervision",
    "documents",
    "rulesets",  # versions of grading and listing rules (risks and supervision select through it)
    "credit",  # credit records, the serious-dishonesty list, publication (after documents and rulesets)
    "imports",  # bulk import from Excel, the region tree, merges of reference data
    "handoffs",  # to-do list, hand-off notifications, reminders (after the features whose sources it reads)
    "exchange",  # the national data exchange: reads risks, checks and hazards, pushes and receives
    "public_reports",  # public reports (举报) and rewards: after hazards and handoffs, whose services it uses
    "dashboard",  # the figures: 工作台 by role, regional drill-down, weekly scores, periodic reports
    "api",
    "frontend",  # charts and the installable app shell (manifest, service worker, offline page)
)


class UnknownFeature(RuntimeError):
    pass


def load_features(names) -> list:
    """The feature packages ``app.<name>``; an unknown name is refused (never skipped)."""
    modules = []
    for name in names:
        try:
            module = importlib.import_module(f"app.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"app.{name}":
                raise
            raise UnknownFeature(f"FEATURES names {name!r}, but there is no package app/{name}") from None
        if not callable(getattr(module, "init_app", None)):
            raise UnknownFeature(f"app/{name} has no init_app(app): it is not a feature")
        modules.append(module)
    return modules


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=config.instance_path(),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder="static",
    )
    config.load(app, test_config)
    guards.init_url_map(app)
    extensions.init_app(app)
    resilience.init_app(app)
    access.init_app(app)  # the core's scopes and rules (tenants and users)
    for module in load_features(FEATURES):
        module.init_app(app)

    check_fonts(app.logger)

    errors.init_app(app)
    guards.init_app(app)
    ui.init_app(app)
    cli.init_app(app)
    security_headers.init_app(app)  # CSP, framing, no-store for logged-in answers (issue 11 item 8)
    return app
