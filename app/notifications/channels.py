"""Outside channels, each a small adapter behind one interface (docs/notifications.md).

``send(config, message)`` returns when the receiver accepted the message and raises DeliveryError
otherwise; ``ready(config, user)`` says whether the channel is configured and can reach this user.
Addresses, keys and secrets come from the configuration (environment), never from the database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import smtplib
import threading
import time
import urllib.parse
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol


class DeliveryError(Exception):
    pass


@dataclass(frozen=True)
class Message:
    notification_id: int
    kind: str
    text: str
    username: str
    email: str
    phone: str
    created_at: str


class Channel(Protocol):
    name: str

    def ready(self, config, message: Message) -> bool: ...

    def send(self, config, message: Message) -> None: ...


# Connections kept open while a delivery job sends (``keep_alive``): a POST on an open connection costs a
# tenth of one that connects first (measured, bench/bench_jobs.py). Each sending thread has its own per
# origin; all are closed when the job's sending ends. Outside ``keep_alive`` every POST connects and closes.
_pool_lock = threading.Lock()
_pool_generation = 0
_pool_users = 0
_pool_open: list[http.client.HTTPConnection] = []
_local = threading.local()


@contextmanager
def keep_alive():
    """Within it, POSTs reuse one connection per thread and origin; they are all closed on leaving."""
    global _pool_users, _pool_generation
    with _pool_lock:
        _pool_users += 1
    try:
        yield
    finally:
        with _pool_lock:
            _pool_users -= 1
            closing = list(_pool_open) if _pool_users == 0 else []
            if _pool_users == 0:
                _pool_open.clear()
                _pool_generation += 1
        for conn in closing:
            conn.close()


def _connection(parts, timeout: float, reuse: bool) -> tuple[http.client.HTTPConnection, bool]:
    """(connection, whether it was already open)."""
    key = (parts.scheme, parts.hostname, parts.port, timeout)
    if reuse:
        conns = getattr(_local, "conns", None)
        if conns is None or conns[0] != _pool_generation:
            conns = _local.conns = (_pool_generation, {})
        conn = conns[1].get(key)
        if conn is not None:
            return conn, True
    cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    conn = cls(parts.hostname, parts.port, timeout=timeout)
    if reuse:
        with _pool_lock:
            _pool_open.append(conn)
        _local.conns[1][key] = conn
    return conn, False


def post_json(url: str, body: bytes, timeout: float, headers: dict | None = None) -> bytes:
    """POST ``body`` as JSON; the response body when the status is 2xx, else DeliveryError."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError(f"ValueError: not an http(s) URL: {url!r}")
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    sent_headers = {"Content-Type": "application/json; charset=utf-8", **(headers or {})}
    with _pool_lock:
        reuse = _pool_users > 0
    for retry in (False, True):
        conn, was_open = _connection(parts, timeout, reuse and not retry)
        try:
            conn.request("POST", target, body=body, headers=sent_headers)
            response = conn.getresponse()
            raw = response.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as exc:
            conn.close()
            if was_open and not retry:
                continue  # the receiver had closed the kept connection: once more on a new one
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:  # refused, timed out
            conn.close()
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
        finally:
            if not reuse or retry:
                conn.close()
        if not 200 <= response.status < 300:
            raise DeliveryError(f"HTTP {response.status}")
        return raw
    raise AssertionError("unreachable")


def _robot_result(raw: bytes) -> None:
    """Both robots answer HTTP 200 with {"errcode": 0, "errmsg": "ok"}; any other errcode is a failure."""
    try:
        answer = json.loads(raw or b"{}")
    except ValueError as exc:
        raise DeliveryError("answer is not JSON") from exc
    if answer.get("errcode", 0) != 0:
        raise DeliveryError(f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}")


class Email:
    name = "email"

    def ready(self, config, message):
        return bool(config.get("SMTP_HOST") and message.email)

    def send(self, config, message):
        msg = EmailMessage()
        msg["Subject"] = "双控系统提醒"
        msg["From"] = config["SMTP_SENDER"]
        msg["To"] = message.email
        msg.set_content(message.text)
        try:
            with smtplib.SMTP(config["SMTP_HOST"], int(config.get("SMTP_PORT") or 25),
                              timeout=config["NOTIFY_HTTP_TIMEOUT"]) as smtp:
                if config.get("SMTP_STARTTLS"):
                    smtp.starttls()
                if config.get("SMTP_USERNAME"):
                    smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc


class SmsGateway(Protocol):
    """What an SMS provider must do; commercial APIs differ, so each gets its own small adapter."""

    def send(self, phone: str, text: str) -> None: ...


class HttpSmsGateway:
    """A generic HTTP gateway: POST SMS_GATEWAY_BODY (JSON with "{phone}" and "{text}" placeholders)
    to SMS_GATEWAY_URL, with a bearer token when SMS_GATEWAY_TOKEN is set; 2xx means accepted."""

    def __init__(self, url: str, template: str, token: str | None, timeout: float):
        self.url, self.template, self.token, self.timeout = url, template, token, timeout

    def send(self, phone: str, text: str) -> None:
        def esc(value: str) -> str:
            return json.dumps(value, ensure_ascii=False)[1:-1]

        body = self.template.replace("{phone}", esc(phone)).replace("{text}", esc(text))
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        post_json(self.url, body.encode(), self.timeout, headers)


class Sms:
    name = "sms"

    def ready(self, config, message):
        return bool(config.get("SMS_GATEWAY_URL") and message.phone)

    def gateway(self, config) -> SmsGateway:
        return HttpSmsGateway(config["SMS_GATEWAY_URL"], config["SMS_GATEWAY_BODY"],
                              config.get("SMS_GATEWAY_TOKEN"), config["NOTIFY_HTTP_TIMEOUT"])

    def send(self, config, message):
        self.gateway(config).send(message.phone, message.text)


class WeCom:
    """企业微信群机器人: POST {"msgtype": "text", "text": {"content", "mentioned_mobile_list"}} to the
    robot's webhook URL (its key is the secret)."""

    name = "wecom"

    def ready(self, config, message):
        return bool(config.get("WECOM_WEBHOOK_URL"))

    def send(self, config, message):
        text = {"content": message.text}
        if message.phone:
            text["mentioned_mobile_list"] = [message.phone]
        body = json.dumps({"msgtype": "text", "text": text}, ensure_ascii=False).encode()
        _robot_result(post_json(config["WECOM_WEBHOOK_URL"], body, config["NOTIFY_HTTP_TIMEOUT"]))


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """钉钉 加签: Base64(HmacSHA256(key=secret, "{timestamp}\\n{secret}")), URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


class DingTalk:
    """钉钉自定义机器人: POST {"msgtype": "text", "text": {"content"}, "at": {...}} to the webhook URL
    with ``&timestamp=<ms>&sign=<dingtalk_sign>`` appended when a secret (加签) is configured."""

    name = "dingtalk"

    def ready(self, config, message):
        return bool(config.get("DINGTALK_WEBHOOK_URL"))

    def send(self, config, message):
        url = config["DINGTALK_WEBHOOK_URL"]
        if config.get("DINGTALK_SECRET"):
            ts = int(time.time() * 1000)
            url += f"{'&' if '?' in url else '?'}timestamp={ts}&sign={dingtalk_sign(config['DINGTALK_SECRET'], ts)}"
        payload = {"msgtype": "text", "text": {"content": message.text},
                   "at": {"atMobiles": [message.phone] if message.phone else [], "isAtAll": False}}
        body = json.dumps(payload, ensure_ascii=False).encode()
        _robot_result(post_json(url, body, config["NOTIFY_HTTP_TIMEOUT"]))


SIGNATURE_HEADER = "X-Shuangkong-Signature"
TIMESTAMP_HEADER = "X-Shuangkong-Timestamp"
WEBHOOK_TOLERANCE_SECONDS = 300


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256(secret, "<timestamp>." + body): the timestamp is signed with the body,
    so a receiver that refuses old timestamps refuses replays."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_webhook(secret: str, body: bytes, timestamp: str, signature: str, now: float | None = None,
                   tolerance: int = WEBHOOK_TOLERANCE_SECONDS) -> bool:
    """What a receiver does (documented for integrators, used by the tests' receiver)."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((now if now is not None else time.time()) - ts) > tolerance:
        return False
    return hmac.compare_digest(webhook_signature(secret, ts, body), signature or "")


class Webhook:
    name = "webhook"

    def ready(self, config, message):
        return bool(config.get("WEBHOOK_URL") and config.get("WEBHOOK_SECRET"))

    def send(self, config, message):
        body = json.dumps({"id": message.notification_id, "kind": message.kind, "text": message.text,
                           "username": message.username, "created_at": message.created_at},
                          ensure_ascii=False, sort_keys=True).encode()
        ts = int(time.time())
        post_json(config["WEBHOOK_URL"], body, config["NOTIFY_HTTP_TIMEOUT"], {
            TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: webhook_signature(config["WEBHOOK_SECRET"], ts, body)})


CHANNELS: dict[str, Channel] = {c.name: c for c in (Email(), Sms(), WeCom(), DingTalk(), Webhook())}
