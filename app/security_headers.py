"""Security headers on every answer (issue 11 item 8).

A small ``after_request`` rather than flask-talisman: the policy is one static string (the templates
carry no inline script: page scripts are files under static/js, page data travels in
``<script type="application/json">`` blocks, which a CSP does not execute), HTTPS is terminated by the
proxy, and the one dynamic rule we need — ``no-store`` for whatever a logged-in user or an API client
receives — depends on our own login state, which talisman does not know about.

Inline ``style`` attributes stay allowed (``style-src-attr``): a few templates size and colour
elements from data (tree indentation, risk colours); ``<style>`` elements and foreign style sheets do
not. Scripts: only our own files.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_login import current_user

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",  # the 验收通过 / 作废 buttons cannot be framed and clickjacked
])
# geolocation for our own pages only: a check record and a hazard report take the position when the
# user allows it (issue 20); the camera is reached through <input type=file capture>, not getUserMedia.
PERMISSIONS = "camera=(), microphone=(), geolocation=(self), payment=(), usb=(), interest-cohort=()"
HSTS = "max-age=31536000; includeSubDomains"


def _set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", PERMISSIONS)
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config["ENV_NAME"] == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if request.endpoint != "static" and (request.path.startswith("/api/") or current_user.is_authenticated):
        # What a logged-in user sees (hazards, enforcement documents) must not stay in a shared
        # computer's or a proxy's cache after logout.
        response.cache_control.no_store = True
        response.cache_control.max_age = None
        response.cache_control.public = False
        headers["Pragma"] = "no-cache"
    headers.pop("Server", None)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_set_headers)
