"""Apps with one protection switched on (throttling, CSRF), each on its own rolled-back connection.

The session ``app`` runs with those protections off; these build a second app and put the shared
extension objects back afterwards (Flask-Limiter's ``enabled`` flag lives on the extension object).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from app.extensions import api, db, limiter
from tests.conftest import _sqlite_savepoint_fix, make_app


@contextmanager
def isolated_app(extra: dict):
    saved = {ext: dict(vars(ext)) for ext in (limiter, api)}
    application = make_app(extra)
    try:
        with application.app_context():
            engine = db.engine
            if engine.dialect.name == "sqlite":
                _sqlite_savepoint_fix(engine)
            db.create_all()  # in-memory SQLite: a new database; PostgreSQL: the tables exist already
            conn = engine.connect()
            outer = conn.begin()
            db.engines[None] = conn
            db.session.remove()
            kw = db.session.session_factory.kw
            kw["join_transaction_mode"] = "create_savepoint"
            try:
                yield application
            finally:
                db.session.remove()
                kw.pop("join_transaction_mode", None)
                db.engines[None] = engine
                outer.rollback()
                conn.close()
                engine.dispose()
    finally:
        for ext, state in saved.items():
            vars(ext).clear()
            vars(ext).update(state)


@pytest.fixture
def throttled_app(app):
    with isolated_app({"RATELIMIT_ENABLED": True}) as application:
        limiter.reset()
        yield application


@pytest.fixture
def csrf_app(app):
    with isolated_app({"WTF_CSRF_ENABLED": True}) as application:
        yield application
