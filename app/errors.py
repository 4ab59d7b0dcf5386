"""Errors: service exceptions and one renderer for UI (HTML, Chinese) and API (structured JSON).

API errors look like ``{"error": {"code": ..., "message": ..., "fields": {...}}}``.
"""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException


class ServiceError(Exception):
    status = 400
    code = "bad_request"
    default_message = _l("The request could not be processed.")

    def __init__(self, message: str | None = None, fields: dict[str, list[str] | str] | None = None,
                 code: str | None = None):
        super().__init__(message or str(self.default_message))
        self.message = message or str(self.default_message)
        self.fields = {k: v if isinstance(v, list) else [v] for k, v in (fields or {}).items()}
        if code:
            self.code = code


class Unauthorized(ServiceError):
    status = 401
    code = "unauthorized"
    default_message = _l("Please log in.")


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    default_message = _l("You are not allowed to do this.")


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    default_message = _l("Not found.")


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    default_message = _l("Someone else changed this item first; reload and try again.")


class Invalid(ServiceError):
    status = 422
    code = "validation_failed"
    default_message = _l("Some fields are invalid.")


HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "validation_failed",
    429: "too_many_requests", 500: "server_error",
}


class ErrorDetail(Schema):
    code = fields.String(required=True, metadata={"description": "machine-readable, e.g. not_found"})
    message = fields.String(required=True, metadata={"description": "for people (Chinese by default)"})
    fields_ = fields.Dict(keys=fields.String(), required=True, data_key="fields",
                         metadata={"description": "field name (dotted path) -> list of messages"})


class ErrorEnvelope(Schema):
    """The body of every API error, as ``api_error`` writes it; the OpenAPI document's error schema."""

    error = fields.Nested(ErrorDetail, required=True)


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, code: str, message: str, fields: dict | None = None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status


def _fields_from_webargs(data: dict) -> dict:
    messages = data.get("messages") or {}
    fields: dict = {}
    for _location, value in messages.items():
        if isinstance(value, dict):
            fields.update(value)
    return fields


def handle_http_exception(exc: HTTPException):
    status = exc.code or 500
    if is_api_request():
        data = getattr(exc, "data", None) or {}
        fields = _fields_from_webargs(data) if "messages" in data else data.get("fields", {})
        message = data.get("message") or exc.description or HTTP_CODES.get(status, "error")
        code = data.get("code") or HTTP_CODES.get(status, "error")
        return api_error(status, code, str(message), fields)
    return render_template("errors/error.html", status=status, message=None), status


def handle_service_error(exc: ServiceError):
    from app.extensions import db  # app.extensions imports this module (a cycle at load time)

    db.session.rollback()  # a refused use case leaves nothing half-done behind (even flushed rows)
    if is_api_request():
        return api_error(exc.status, exc.code, exc.message, exc.fields)
    return render_template("errors/error.html", status=exc.status, message=exc.message), exc.status


def handle_integrity_error(_exc: IntegrityError):
    """A unique or foreign-key constraint refused a write that passed the checks: someone else did
    the same thing at the same moment. One wins; the other gets 409 and a message, never a 500."""
    return handle_service_error(Conflict())


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ServiceError, handle_service_error)
    app.register_error_handler(IntegrityError, handle_integrity_error)
