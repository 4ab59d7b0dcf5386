"""Audit log of administrative actions (issue 15 item 7).

``from app.audit import record`` then, inside a use case, after the change::

    record(actor, "create", enterprise, after=snapshot(enterprise, "name", "credit_code"))
    record(actor, "import", "enterprise", summary="50 enterprises from 企业.xlsx", after={"ids": ids})

It never commits; the caller's single commit writes the change and its entry together.
"""

from __future__ import annotations

from flask import Flask

from app.audit.models import AppendOnly, AuditEntry
from app.audit.service import changed, record, snapshot

__all__ = ["AppendOnly", "AuditEntry", "changed", "init_app", "record", "snapshot"]


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from app import access
    from app.api import register
    from app.audit import (
        api,
        policy,  # noqa: F401  (registers the scope and the rule)
        views,
    )
    from app.ui import nav_item

    app.register_blueprint(views.bp)
    register(api.blp)
    nav_item("audit.log", _l("Audit log"), lambda u: access.can(u, "audit.browse"))
