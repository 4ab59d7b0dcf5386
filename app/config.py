"""Configuration: defaults, then SHUANGKONG_* environment variables, then the test config."""

from __future__ import annotations

import ipaddress
import logging
import os
from datetime import timedelta
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
    MAX_JSON_BYTES = 1024 * 1024  # a JSON body (app/guards.py)
    IDEMPOTENCY_KEY_HOURS = 24  # how long a retry with the same Idempotency-Key replays the first answer
    # Images: checked from the header before any decoding (a 13 000 × 13 000 PNG of 674 KB would take
    # 635 MB to decode); at most this many decodes at once per worker process, others wait, then 503.
    MAX_IMAGE_PIXELS = 40_000_000
    IMAGE_DECODE_CONCURRENCY = 2
    IMAGE_DECODE_WAIT_SECONDS = 10
    UPLOAD_RATE_LIMIT = "60 per 10 minutes"  # uploads per user (Flask-Limiter syntax)
    # The hazard history's HMAC keys (app.integrity): "<id>:<secret>[,<id>:<secret>...]", the first signs.
    # Unset: read from CHAIN_KEY_FILE (default <instance>/chain.key), created on first use.
    CHAIN_KEY: str | None = None
    CHAIN_KEY_FILE: str | None = None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # PostgreSQL's JIT compiler off for this application's connections (docs/operations.md): ours are
    # short queries, and JIT compiled the scan's listing query for 1.7 s to run it in 0.8 s. True leaves
    # the server's setting alone (behind a pooler that refuses startup options: set it on the database).
    DATABASE_JIT = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True  # Redis down: limits fall back to process memory, never a 500
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # --- sessions, tokens, throttling (issue 11 items 2 and 3; README "Production") ---
    SESSION_IDLE_MINUTES = 30  # a session unused this long ends
    SESSION_MAX_HOURS = 12  # a session ends this long after login, however busy (one office day)
    LOGIN_FAILURE_LIMIT = "5 per 5 minutes"  # failed logins per account, from any address
    LOGIN_ADDRESS_FAILURE_LIMIT = "30 per 5 minutes"  # failed logins per client address, any account
    # Redis, when several processes run: the limiter's shared counters (sets RATELIMIT_STORAGE_URI) and the job
    # queue (app/jobs). Unset: counters in memory and jobs run in-process (embedded default).
    REDIS_URL: str | None = None
    TRUSTED_PROXY_COUNT = 0  # reverse proxies in front whose X-Forwarded-For/-Proto is believed
    API_TOKEN_HOURS = 12
    API_TOKENS_PER_USER = 5  # issuing one more revokes the oldest
    PUBLIC_BASE_URL = "http://127.0.0.1:5000"  # used in QR codes on printed documents
    SMTP_HOST: str | None = None
    SMTP_PORT = 25
    SMTP_SENDER = "shuangkong@localhost"
    # Background jobs and notification channels (docs/jobs.md, docs/notifications.md). Secrets (SMTP
    # password, robot keys and secrets) come from the environment only, never from the database.
    JOB_TIMEOUT_SECONDS = 1800
    # Excel exports (app/exports, docs/exports.md): above this many rows an export is built by a job and
    # its page downloads it when ready; its file is kept this long, then deleted by the scan. 500 rows
    # is what a page may cost (100 ms, issue 18): openpyxl writes a row of 13 columns in ~190 µs on the
    # 2-core reference machine.
    EXPORT_SYNC_MAX_ROWS = 500
    EXPORT_KEEP_HOURS = 72
    SMTP_USERNAME: str | None = None
    SMTP_PASSWORD: str | None = None
    SMTP_STARTTLS = False
    SMS_GATEWAY_URL: str | None = None
    SMS_GATEWAY_BODY = '{"phone": "{phone}", "text": "{text}"}'  # JSON template; values JSON-escaped
    SMS_GATEWAY_TOKEN: str | None = None  # sent as "Authorization: Bearer ..." when set
    WECOM_WEBHOOK_URL: str | None = None  # https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=...
    DINGTALK_WEBHOOK_URL: str | None = None  # https://oapi.dingtalk.com/robot/send?access_token=...
    DINGTALK_SECRET: str | None = None  # the robot's 加签 secret (SEC...)
    WEBHOOK_URL: str | None = None
    WEBHOOK_SECRET: str | None = None
    NOTIFY_HTTP_TIMEOUT = 5.0  # seconds per channel attempt
    NOTIFY_MAX_ATTEMPTS = 4
    NOTIFY_SEND_CONCURRENCY = 4  # sends in flight at once inside one delivery job
    NOTIFY_RETRY_BASE_SECONDS = 30.0  # attempt n+1 waits base * 2**(n-1): 30 s, 1 min, 2 min
    # 整改复查: working days the ordering authority has to review a rectification (from the application or
    # the deadline's end). The statutory number was not verified (docs/enforcement.md): no default;
    # unset, no review date is shown and no review is a to-do.
    RECTIFICATION_REVIEW_WORKING_DAYS: int | None = None
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


def _without_jit(options: dict) -> None:
    """Ask PostgreSQL for ``jit=off`` when connecting (libpq's ``options``), keeping any options given."""
    connect_args = options["connect_args"] = dict(options.get("connect_args") or {})
    given = connect_args.get("options") or ""
    if "jit" not in given:
        connect_args["options"] = f"{given} -c jit=off".strip()


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
    if app.config.get("REDIS_URL") and "RATELIMIT_STORAGE_URI" not in (test_config or {}) \
            and "SHUANGKONG_RATELIMIT_STORAGE_URI" not in os.environ:
        app.config["RATELIMIT_STORAGE_URI"] = app.config["REDIS_URL"]
    # The signed cookie itself is refused past the absolute lifetime (Flask checks its signature's age).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    # A pooled connection is checked before use: after a database restart the first request gets a
    # fresh connection instead of failing on a dead one (app/resilience.py).
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {"pool_pre_ping": True, **app.config["SQLALCHEMY_ENGINE_OPTIONS"]}
    if str(app.config["SQLALCHEMY_DATABASE_URI"]).startswith("postgresql") and not app.config["DATABASE_JIT"]:
        _without_jit(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if not app.config.get("UPLOAD_FOLDER"):
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "files")
    if app.config.get("CHAIN_KEY"):  # a malformed key stops the start, not the first hazard reported
        from app.integrity import parse_keys

        parse_keys(str(app.config["CHAIN_KEY"]), "SHUANGKONG_CHAIN_KEY")
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
