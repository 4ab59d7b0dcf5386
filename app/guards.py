"""Malformed input stops at the door, the same on SQLite and PostgreSQL, never as a 500.

- ids in URLs: every ``<int:...>`` route converter is bounded to the database's integer range (a larger
  id cannot exist: 404, instead of an overflow in the driver); a ``<name>`` segment with a NUL is 404;
- text: NUL characters (PostgreSQL refuses them, SQLite would store them) and lone surrogates (which no
  database can encode) in query strings, forms, file names and JSON answer 422 naming the field;
- JSON: a body nested deeper than ``MAX_JSON_DEPTH`` or larger than ``MAX_JSON_BYTES`` answers 422/413
  before anything parses it recursively;
- last line: a value the database still refuses (out of range, too long) answers 422, not 500.
"""

from __future__ import annotations

import json
import logging

from flask import Flask, current_app, request
from flask_babel import gettext as _
from sqlalchemy.exc import DataError
from werkzeug.exceptions import NotFound as HTTPNotFound
from werkzeug.routing import IntegerConverter, UnicodeConverter, ValidationError

from app.errors import Invalid, handle_service_error

log = logging.getLogger(__name__)

MAX_INT = 2**31 - 1  # PostgreSQL INTEGER; SQLite's is wider, so both answer alike at this bound
MIN_INT = -(2**31)
MAX_JSON_DEPTH = 32
MAX_PAGE = 100_000  # as app.api.PageArgs


class IdConverter(IntegerConverter):
    """``<int:...>`` bounded to the id column's range; flask-smorest documents the bound."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 0, max: int | None = MAX_INT,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str) -> int:
        if len(value) > 10:  # also spares int() a 5 000-digit string
            raise ValidationError()
        return super().to_python(value)


class TextConverter(UnicodeConverter):
    """``<name>`` segments: a NUL cannot name anything (``<path:...>`` views check their own)."""

    def to_python(self, value: str) -> str:
        if "\x00" in value:
            raise ValidationError()
        return value


def bad_text(value: str) -> str | None:
    """Why ``value`` cannot be stored, or None."""
    if "\x00" in value:
        return _("Contains a NUL character, which is not allowed.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("Contains an invalid character (a lone surrogate).")
    return None


def int_out_of_range(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and not MIN_INT <= value <= MAX_INT


def _json_problems(value, path: str = "", depth: int = 0, out: dict | None = None) -> dict:
    """Field path -> message for every string (keys included) the database could not store."""
    out = {} if out is None else out
    if depth > MAX_JSON_DEPTH:
        out[path or "_body"] = [_("The JSON document is nested too deeply.")]
        return out
    if isinstance(value, str):
        problem = bad_text(value)
        if problem:
            out[path or "_body"] = [problem]
    elif isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{key}" if path else str(key)
            problem = bad_text(key)
            if problem:
                out[path or "_body"] = [problem]
                continue
            _json_problems(item, sub, depth + 1, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _json_problems(item, f"{path}.{i}" if path else str(i), depth + 1, out)
    return out


def _screen_json() -> None:
    raw = request.get_data(cache=True)  # 413 past the bound (the error handlers answer it)
    try:
        data = json.loads(raw)
    except RecursionError:
        raise Invalid(_("The JSON document is nested too deeply."),
                      fields={"_body": _("The JSON document is nested too deeply.")}) from None
    except ValueError:
        return  # not JSON at all: the parser of the endpoint answers it (400)
    problems = _json_problems(data)
    if problems:
        raise Invalid(fields=problems)


def screen_request() -> None:
    """``before_request``: refuse text no database can store, in every part of the request."""
    if request.is_json:  # before anything opens the body's stream (request.form does)
        request.max_content_length = min(current_app.config["MAX_JSON_BYTES"],
                                         current_app.config["MAX_CONTENT_LENGTH"] or 2**62)
    page = request.args.get("page", "")
    if not request.path.startswith("/api/") and page.isdigit() and (len(page) > 7 or int(page) > MAX_PAGE):
        raise HTTPNotFound()  # the UI's lists read ?page= themselves; none has that many pages
    problems: dict[str, list[str]] = {}
    for name, value in request.args.items(multi=True):
        # Ids in a UI query string (the API's parser checks its own): no row has an id past the column's
        # range, and PostgreSQL would refuse it where SQLite silently finds nothing; answer alike on both.
        if (name == "id" or name.endswith("_id")) and value.isdigit() and (len(value) > 10 or int(value) > MAX_INT):
            problems[name] = [_("Not a valid number.")]
    sources = [request.args] if request.method == "GET" else [request.args, request.form]
    for source in sources:
        for name, value in source.items(multi=True):
            name, value = name or "", value or ""  # a multipart part whose name did not parse comes as None
            problem = bad_text(name) or bad_text(value)
            if problem:
                problems[name if name and not bad_text(name) else "_name"] = [problem]
    if request.method != "GET":
        for name, upload in request.files.items(multi=True):
            problem = bad_text(upload.filename or "")
            if problem:
                problems[name] = [problem]
    if problems:
        raise Invalid(next(iter(problems.values()))[0], fields=problems)
    if request.method != "GET" and request.is_json:
        _screen_json()


def handle_data_error(exc: Exception):
    """The database refused a value the checks let through (a number out of range, a text too long):
    the request is wrong, not the server. Logged so the missing check gets written."""

    log.warning("database refused a value: %s", exc)
    return handle_service_error(Invalid(_("A value is out of range or too long.")))


def init_url_map(app: Flask) -> None:
    """Before any route exists: every ``<int:...>`` of every blueprint (UI and API) is bounded."""
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = TextConverter


def init_app(app: Flask) -> None:
    app.config.setdefault("MAX_JSON_BYTES", 1024 * 1024)
    # First of the before_request functions (auth, CSRF...), so nothing reads a bad value before it.
    app.before_request_funcs.setdefault(None, []).insert(0, screen_request)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(OverflowError, handle_data_error)
