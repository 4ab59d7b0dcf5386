"""The audit log's pages: ``/audit-log`` and ``GET /api/v1/audit-log`` (issue 15 item 7).

The log itself (the append-only table, ``record``) is the core module ``app.admin_log``, which every
feature writes into; this feature only reads it, for the admin and authority administrators, and so
comes after auth in ``app.FEATURES`` (its rules and its actor filter name users).
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    # Inside: loaded when the app is built, not when another feature imports this package's models.
    from flask_babel import lazy_gettext as _l

    from app import access
    from app.api import register
    from app.audit import api, policy, views
    from app.ui import nav_item

    access.register(policy.SCOPES, policy.rules)
    app.register_blueprint(views.bp)
    register(api.blp)
    nav_item("audit.log", _l("Audit log"), lambda u: access.can(u, "audit.browse"))
