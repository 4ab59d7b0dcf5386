"""The JSON API under /api/v1: bearer-token gate, shared schemas and helpers.

Feature packages define their own flask-smorest blueprints (``app/<feature>/api.py``) with
``api_blueprint``; every endpoint requires a token except those listed in PUBLIC_ENDPOINTS.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, request
from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint as _Blueprint
from marshmallow import Schema, fields, validate
from webargs.flaskparser import FlaskParser

from app import guards, idempotency  # noqa: F401  (idempotency: its table, for every API write)
from app.errors import Invalid, Unauthorized
from app.extensions import api, csrf

PUBLIC_ENDPOINTS = {"auth_api.issue_token", "api-docs.openapi_json"}


def rfc3339(ts: datetime | None) -> str | None:
    """A timestamp with its offset (RFC 3339). The database keeps naive UTC (app.clock.utcnow); without
    the ``Z`` a client in China reads it 8 hours off."""
    if ts is None:
        return None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Timestamp(fields.DateTime):
    """Every timestamp the API answers (``fields.DateTime`` would drop the zone of naive UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return rfc3339(value)


def _bad_values(value, path: str, out: dict) -> dict:
    if guards.int_out_of_range(value):
        out[path] = [_("The number is out of range.")]
    elif isinstance(value, dict):
        for key, item in value.items():
            _bad_values(item, f"{path}.{key}" if path else str(key), out)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _bad_values(item, f"{path}.{i}" if path else str(i), out)
    return out


class Parser(FlaskParser):
    """webargs, plus one rule for every schema: no integer beyond the database's range (an id, a
    version or a page number that large would overflow the driver: 422 naming the field)."""

    def parse(self, *args, **kwargs):
        parsed = super().parse(*args, **kwargs)
        problems = _bad_values(parsed, "", {})
        if problems:
            raise Invalid(fields=problems)
        return parsed


class Blueprint(_Blueprint):
    ARGUMENTS_PARSER = Parser()


def api_blueprint(name: str, import_name: str, url_prefix: str, description: str) -> Blueprint:
    blp = Blueprint(name, import_name, url_prefix="/api/v1" + url_prefix, description=description)
    csrf.exempt(blp)
    return blp


def register(blp: Blueprint) -> None:
    api.register_blueprint(blp)


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class PageMeta(Schema):
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


def _gate():
    if not request.path.startswith("/api/v1") or request.endpoint in PUBLIC_ENDPOINTS:
        return None
    if request.endpoint is None:
        return None  # 404/405 answered by the error handlers
    if not current_user.is_authenticated:
        raise Unauthorized()
    return None


def init_app(app: Flask) -> None:
    app.before_request(_gate)
