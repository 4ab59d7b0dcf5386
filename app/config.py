"""Configuration: defaults, then SHUANGKONG_* environment variables, then the test config."""

from __future__ import annotations

import ipaddress
import logging
import os
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # refused in production
log = logging.getLogger(__name__)


def instance_path() -> str:
    default = Path(__file__).resolve().parent.parent / "instance"
    return str(Path(os.environ.get("SHUANGKONG_INSTANCE_PATH", default)).resolve())


class Defaults:
    ENV_NAME = "development"  # SHUANGKONG_ENV_NAME=production in production
    SECRET_KEY = DEV_SECRET_KEY
    DATABASE_URL: str | None = None
    UPLOAD_FOLDER: str | None = None  # content-addressed files; default <instance>/files
    MAX_UPLOAD_BYTES = 20 * 1024 * 1024
    MAX_CONTENT_LENGTH = 64 * 1024 * 1024  # whole request; per-file limit is MAX_UPLOAD_BYTES
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_FAILURE_LIMIT = "5 per 5 minutes"
    API_TOKEN_HOURS = 12
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # used in QR codes on printed documents
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_SENDER = "shuangkong@localhost"
    # flask-smorest / OpenAPI
    API_TITLE = "shuangkong API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/api/v1"
    OPENAPI_JSON_PATH = "openapi.json"
    API_SPEC_OPTIONS = {
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "security": [{"bearerAuth": []}],
    }


def is_loopback_url(url: str | None) -> bool:
    """A URL only this machine can open (localhost, 127.0.0.0/8, ::1, 0.0.0.0), or no host at all."""
    host = (urlsplit(url or "").hostname or "").rstrip(".").lower()
    if host in ("", "localhost") or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def load(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_prefixed_env("SHUANGKONG")
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config.get("DATABASE_URL") or (
            "sqlite:///" + str(Path(app.instance_path) / "shuangkong.sqlite3")
        )
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "files")
    if app.config["ENV_NAME"] == "production":
        if app.config["SECRET_KEY"] in (DEV_SECRET_KEY, "", None):
            raise RuntimeError(
                "Refusing to start in production with the development SECRET_KEY: "
                "set SHUANGKONG_SECRET_KEY to a long random value "
                '(python -c "import secrets; print(secrets.token_hex(32))").'
            )
        if is_loopback_url(app.config["PUBLIC_BASE_URL"]):
            # The QR code of every printed document leads there, frozen into its immutable PDF.
            raise RuntimeError(
                f"Refusing to start in production with PUBLIC_BASE_URL {app.config['PUBLIC_BASE_URL']!r}: "
                "the QR codes printed on documents would lead to this machine only. Set "
                "SHUANGKONG_PUBLIC_BASE_URL to the address the public reaches the site at "
                "(e.g. https://shuangkong.example.gov.cn)."
            )
        # Flask's defaults already hold these keys (False), so setdefault would do nothing: cookies
        # travel over HTTPS only unless the operator says otherwise explicitly.
        for key in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE"):
            if f"SHUANGKONG_{key}" not in os.environ and key not in (test_config or {}):
                app.config[key] = True
