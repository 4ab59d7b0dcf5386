"""shuangkong (双控): the Flask application factory.

Each feature package under ``app/`` exposes ``init_app(app)``; the factory wires them in the
order of FEATURES so that a feature may rely on those before it (hazards on organisations, ...).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask

from app import config, extensions, guards, resilience

ROOT = Path(__file__).resolve().parent.parent

# Order matters: models and policies of earlier features are used by later ones.
FEATURES = (
    "auth",
    "jobs",
    "organisations",
    "risks",
    "hazards",
    "supervision",
    "documents",
    "handoffs",  # to-do list, hand-off notifications, reminders (after the features whose sources it reads)
    "dashboard",
    "public",
    "api",
    "frontend",  # charts and the installable app shell (manifest, service worker, offline page)
)


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
    for name in FEATURES:
        try:
            module = importlib.import_module(f"app.{name}")
        except ModuleNotFoundError as exc:  # a feature not built yet
            if exc.name != f"app.{name}":
                raise
            continue
        module.init_app(app)
    from app import cli, errors, feature_domains, security_headers, ui
    from reports.render import check_fonts

    check_fonts(app.logger)

    errors.init_app(app)
    guards.init_app(app)
    feature_domains.init_app(app)
    ui.init_app(app)
    cli.init_app(app)
    security_headers.init_app(app)  # CSP, framing, no-store for logged-in answers (issue 11 item 8)
    return app
