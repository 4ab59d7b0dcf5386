"""Documents: numbered, immutable PDF notices and orders, their public verification by QR code."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import access
from app.documents.models import Document
from app.extensions import db


def _may_list(user) -> bool:
    return access.can(user, "document.list")


def _stored_pdfs():
    return db.session.scalars(select(Document.pdf_sha256))


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service, views and API are loaded only when the app is built: no import cycle.
    from app import cli, storage, ui
    from app.api import register
    from app.documents import api, demo, policy, views

    access.register(policy.SCOPES, policy.rules)
    ui.nav_item("documents.index", _l("Documents"), _may_list)
    cli.add_demo_step("documents", demo.seed, phase="after")
    storage.register_references("documents", _stored_pdfs)
    app.register_blueprint(views.bp)
    register(api.blp)
    app.jinja_env.globals["hazard_documents"] = views.hazard_documents
