"""Bulk import from Excel (enterprises; departments and staff), the region tree from the official
division list, and merges of regions, industries and risk areas entered twice."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l


def init_app(app: Flask) -> None:
    from app import access, storage
    from app.api import register
    from app.imports import api, views
    from app.imports import policy as _rules  # noqa: F401  (registers the rules)
    from app.imports.models import ImportUpload
    from app.ui import nav_item

    def _uploads():
        from sqlalchemy import select

        from app.extensions import db

        return db.session.scalars(select(ImportUpload.sha256))

    storage.register_references("import_uploads", _uploads)
    _hide_merged_regions(access)
    app.register_blueprint(views.bp)
    register(api.blp)
    nav_item("imports.index", _l("Import"), lambda u: access.can(u, "import.any"))


def _hide_merged_regions(access) -> None:
    """A merged region stays as a row (the audit log names it) but nobody sees it any more."""
    from sqlalchemy import and_, select

    from app.imports.models import RegionMerge
    from app.organisations.models import Region

    base = access._SCOPES[Region]
    if getattr(base, "hides_merged", False):  # the factory may run more than once in a process
        return

    def scope(user):
        return and_(base(user), Region.id.not_in(select(RegionMerge.source_id)))

    scope.hides_merged = True
    access.register_scope(Region, scope)
