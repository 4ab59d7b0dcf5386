"""Bulk import from Excel (enterprises; departments and staff), the region tree from the official
division list, and merges of regions, industries and risk areas entered twice."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_pgettext


def init_app(app: Flask) -> None:
    # Inside: loaded when the app is built, not when another feature imports this package's models.
    from app import access, storage
    from app.api import register
    from app.imports import api, policy, views
    from app.imports.models import ImportUpload
    from app.ui import nav_item

    def _uploads():
        # Inside: loaded when called, not when another feature imports this package's models.
        from sqlalchemy import select

        from app.extensions import db

        return db.session.scalars(select(ImportUpload.sha256))

    access.register(rules=policy.rules)
    storage.register_references("import_uploads", _uploads)
    access.REGION_FILTERS.connect(_not_merged)
    app.register_blueprint(views.bp)
    register(api.blp)
    nav_item("imports.index", lazy_pgettext("imports", "Import"), lambda u: access.can(u, "import.any"))


def _not_merged():
    """A merged region stays as a row (the audit log names it) but nobody sees it any more."""
    # Inside: loaded when called, not when another feature imports this package's models.
    from sqlalchemy import select

    from app.imports.models import RegionMerge
    from app.organisations.models import Region

    return Region.id.not_in(select(RegionMerge.source_id))
