"""When the database goes away (a PostgreSQL restart, a failover), no write is reported wrongly.

- pooled connections are pinged before use (``pool_pre_ping``, set in app.config), so the first request
  after a restart gets a fresh connection instead of a dead one;
- a database lost during a request answers 503 with ``Retry-After`` (Chinese page or API envelope):
  nothing was committed, retrying is safe (and idempotent with an ``Idempotency-Key``);
- the end-of-request clean-up never raises: a committed write answered as a failure is what made
  retrying clients write twice.
"""

from __future__ import annotations

import logging

from flask import Flask, g, render_template
from flask_babel import gettext as _
from sqlalchemy.exc import DBAPIError, OperationalError

from app.errors import api_error, is_api_request
from app.extensions import db, login_manager

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


def _discard_session() -> None:
    """Close the request's session; on a dead connection, forget it (SQLAlchemy invalidates it)."""
    try:
        db.session.remove()
    except Exception as exc:  # the connection died after the answer was settled
        log.warning("closing the database session failed (%s); connection discarded", exc)
        db.session.registry.clear()


def handle_database_lost(exc: DBAPIError):
    if not isinstance(exc, OperationalError) and not exc.connection_invalidated:
        raise exc  # another database error: not ours to answer
    log.warning("database unavailable: %s", exc.orig)
    try:
        db.session.rollback()
    except Exception:
        _discard_session()
    message = _("The database is unavailable for a moment. Nothing was saved; please try again in a few seconds.")
    if is_api_request():
        response, status = api_error(503, "service_unavailable", message)
    else:
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is in
        response, status = render_template("errors/error.html", status=503, message=message), 503
    return response, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def init_app(app: Flask) -> None:
    # Registered after Flask-SQLAlchemy's own, so it runs first (teardowns run in reverse order) and
    # leaves that one nothing to fail on.
    app.teardown_appcontext(lambda _exc: _discard_session())
    app.register_error_handler(DBAPIError, handle_database_lost)
