"""Flask extensions, created unbound and initialised by the factory."""

from __future__ import annotations

import enum
import threading
from pathlib import Path

from flask import Flask, has_request_context, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_smorest import Api as _Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import Enum, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from app.errors import Conflict, ErrorEnvelope

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Api(_Api):
    """flask-smorest, with errors left to ``app.errors`` (one format for UI and API), documented as
    they really are; each blueprint's part of the OpenAPI document written when the document is first
    read, not when the app is built.

    Writing it costs about half a second per process start (every path and schema deep-copied into
    apispec), paid by each gunicorn worker and by every command, ``shuangkong scan`` from cron
    included, for a document only ``/api/openapi.json`` and the API docs page read. The routes are
    registered at once as before; only the document waits."""

    ERROR_SCHEMA = ErrorEnvelope

    def __init__(self, *args, **kwargs):
        self._doc_lock = threading.Lock()
        self._doc_pending: list[tuple] = []
        self._doc_writer: int | None = None  # the thread writing the document (it reads it meanwhile)
        self._spec = None
        super().__init__(*args, **kwargs)

    @property
    def spec(self):
        # Another thread asking while the document is written waits for it whole; the writing thread
        # itself (flask-smorest reads ``spec`` as it writes) gets it as it stands.
        if self._doc_pending and self._doc_writer != threading.get_ident():
            with self._doc_lock:
                if self._doc_pending:
                    self._doc_writer = threading.get_ident()
                    try:
                        for blp, name, parameters in self._doc_pending:
                            blp.register_views_in_doc(self, self._app, self._spec, name=name,
                                                      parameters=parameters)
                            self._spec.tag({"name": name, "description": blp.description})
                        self._doc_pending = []
                    finally:
                        self._doc_writer = None
        return self._spec

    @spec.setter
    def spec(self, value) -> None:  # a new app's document (init_app): the old one's blueprints are not its
        self._spec, self._doc_pending = value, []

    def register_blueprint(self, blp, *, parameters=None, **options):
        name = options.get("name", blp.name)
        self._app.extensions["flask-smorest"]["blp_name_to_api"][name] = self
        self._app.register_blueprint(blp, **options)
        self._doc_pending.append((blp, name, parameters))

    def _register_error_handlers(self):
        pass


db = SQLAlchemy(model_class=Base)


def on_postgres() -> bool:
    """Does the session's database speak PostgreSQL? (Row locks, arrays and plan shapes differ from
    SQLite's, the embedded default.)"""
    return db.session.get_bind().dialect.name == "postgresql"
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
api = Api()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


def select_locale() -> str:

    if not has_request_context():  # commands (shuangkong user create, scan...): the default language
        return "zh_CN"
    # Chinese is the default whatever the browser says; English only when chosen (?lang=en).
    lang = request.args.get("lang") or session.get("lang")
    return lang if lang in ("zh_CN", "en") else "zh_CN"


def init_app(app: Flask) -> None:

    db.init_app(app)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    login_manager.init_app(app)
    csrf.init_app(app)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(app.root_path) / "translations")  # app/i18n.py
    babel.init_app(app, locale_selector=select_locale)
    limiter.init_app(app)
    api.init_app(app)


def enum_column(enum_cls: type[enum.Enum], **kw):
    """Enums are stored as their value strings (portable, readable in SQL)."""
    return mapped_column(
        Enum(enum_cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]), **kw
    )


def flush_or_conflict(*lost_races: type[Exception]) -> None:
    """Flush the session. A versioned row another transaction changed first (``StaleDataError``), or
    one of ``lost_races`` (e.g. ``IntegrityError``: a number taken meanwhile), is a lost race: roll
    back and answer Conflict (409, "reload"). The one statement of that rule for every service."""
    try:
        db.session.flush()
    except (StaleDataError, *lost_races):
        db.session.rollback()
        raise Conflict() from None
