"""Documents: numbered, immutable PDF notices and orders, their public verification by QR code."""

from __future__ import annotations

import importlib

from flask import Flask
from flask_babel import lazy_gettext as _l

from app import access, storage
from app.ui import nav_item


def _may_list(user) -> bool:
    return access.can(user, "document.list")


def _stored_pdfs():
    from sqlalchemy import select

    from app.documents.models import Document
    from app.extensions import db

    return db.session.scalars(select(Document.pdf_sha256))


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so it
    # loads the service, views and API only when the app is built or the receiver runs: no cycle.
    from app.api import register
    from app.documents import api, views
    importlib.import_module("app.documents.policy")  # registers the scope and rules
    importlib.import_module("app.documents.demo")  # registers the demo step

    app.register_blueprint(views.bp)
    register(api.blp)
    storage.register_references("documents", _stored_pdfs)
    nav_item("documents.index", _l("Documents"), _may_list)
    app.jinja_env.globals["hazard_documents"] = views.hazard_documents
