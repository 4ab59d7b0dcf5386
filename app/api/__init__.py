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
from app.paging import MAX_PER_PAGE

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


class Value(fields.String):
    """An enum member answered as its value (``state``, ``level``...)."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(getattr(value, "value", value), attr, obj, **kwargs)


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
    """The query of every list: ``page`` (from 1) and ``per_page`` (1 to 200, 50 by default)."""

    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=MAX_PER_PAGE))


_PAGE_SCHEMAS: dict[tuple, type[Schema]] = {}


def page_schema(item_schema: type[Schema], name: str | None = None, **extra: fields.Field) -> type[Schema]:
    """The one list envelope, ``{items, page, per_page, total, has_next}``, for ``item_schema``: what
    every list endpoint answers (``@blp.response(200, page_schema(ItemSchema))``, the view returning
    ``app.paging.paginate(...)``'s Page). Named ``<Item>Page`` in the OpenAPI document (or ``name``,
    where two features' item schemas share a name); ``extra`` adds fields of one list (the hazard
    register's keyset cursor) after the five shared ones."""
    key = (item_schema, tuple(sorted(extra)))
    if key not in _PAGE_SCHEMAS:
        base = item_schema.__name__.removesuffix("Schema").removesuffix("Out")
        _PAGE_SCHEMAS[key] = Schema.from_dict({
            "items": fields.List(fields.Nested(item_schema), required=True),
            "page": fields.Integer(required=True, metadata={"description": "This page's number, from 1."}),
            "per_page": fields.Integer(required=True, metadata={"description": "Items per page (1 to 200)."}),
            "total": fields.Integer(required=True, metadata={"description": "Items in the whole list."}),
            "has_next": fields.Boolean(required=True, metadata={"description": "Whether a next page exists."}),
            **extra,
        }, name=name or f"{base}Page")
    return _PAGE_SCHEMAS[key]


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
