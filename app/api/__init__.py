"""The JSON API under /api/v1: bearer-token gate, shared schemas and helpers.

Feature packages define their own flask-smorest blueprints (``app/<feature>/api.py``) with
``api_blueprint``; every endpoint requires a token except those listed in PUBLIC_ENDPOINTS.
"""

from __future__ import annotations

from flask import Flask, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from app.errors import Unauthorized
from app.extensions import api, csrf

PUBLIC_ENDPOINTS = {"auth_api.issue_token", "api-docs.openapi_json"}


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
