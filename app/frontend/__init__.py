"""Front-end foundations: charts (spec helpers + the ``chart`` macro in templates/_charts.html) and the
installable web app shell (manifest, icons, service worker, offline page). See docs/frontend.md.

The service worker caches only what any visitor may see: the shell (our CSS and scripts, the vendor
files, icons, the offline page fetched without cookies). Pages and API answers go to the network and
are never cached; a navigation that fails offline gets the offline page. Logging out clears the
browser's caches and storage (``Clear-Site-Data`` on the logout answer, app/auth/views.py).
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.frontend import charts

bp = Blueprint("frontend", __name__)
HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "static"
SERVICE_WORKER = HERE / "service_worker.js"
THEME_COLOUR = "#004e8c"  # app.css --brand
BACKGROUND_COLOUR = "#f5f7f9"  # app.css --bg
ICONS = (("icons/icon-192.png", "192x192", "image/png", "any"),
         ("icons/icon-512.png", "512x512", "image/png", "any"),
         ("icons/icon-maskable-512.png", "512x512", "image/png", "maskable"),
         ("icons/icon.svg", "any", "image/svg+xml", "any"))
# Static files the service worker stores at install time (the rest of /static/ on first use).
SHELL_STATIC = ("css/app.css", "css/frontend.css", "css/phone.css", "js/pwa.js", "icons/icon-192.png", "icons/icon.svg",
                # the offline queue, which the offline page shows (issue 20)
                "vendor/idb/umd.js", "js/offline_queue.js")

# Extension point (issue 20, the offline queue): scripts under static/ that the service worker loads
# with importScripts(); they may call self.shk.route(match, handle) (see service_worker.js).
SW_SCRIPTS: list[str] = []


def add_service_worker_script(static_filename: str) -> None:
    """Have the service worker load ``static/<static_filename>`` (idempotent: factories run often)."""
    if static_filename not in SW_SCRIPTS:
        SW_SCRIPTS.append(static_filename)


def _version() -> str:
    try:
        return metadata.version("shuangkong")
    except metadata.PackageNotFoundError:
        return "0"


@lru_cache(maxsize=1)
def _static_digest() -> str:
    """A hash of every file under static/ (ours and the vendor's) and of the worker itself: any change
    gives the worker new bytes, so browsers install it and drop the caches of the old one."""
    digest = hashlib.sha256(SERVICE_WORKER.read_bytes())
    for path in sorted(p for p in STATIC.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(STATIC)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def cache_version() -> str:
    if current_app.debug:  # files change under a running development server: hash again (a few ms)
        _static_digest.cache_clear()
    return f"{_version()}-{_static_digest()}"


@bp.route("/manifest.webmanifest")
def manifest():
    body = {
        "id": url_for("ui.home"),
        "name": _("shuangkong"),
        "short_name": _("shuangkong"),
        "description": _("Dual prevention: risk grading and hidden-hazard governance"),
        "lang": "zh-CN",
        "dir": "ltr",
        "start_url": url_for("ui.home"),
        "scope": url_for("ui.home"),
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "categories": ["business", "productivity"],
        "icons": [{"src": url_for("static", filename=f), "sizes": s, "type": t, "purpose": p}
                  for f, s, t, p in ICONS],
    }
    return Response(json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/manifest+json")


@bp.route("/sw.js")
def service_worker():
    config = {
        "cache": f"shk-shell-{cache_version()}",
        "offline": url_for("frontend.offline"),
        "shell": [url_for("frontend.offline"), url_for("frontend.manifest"),
                  *(url_for("static", filename=f) for f in SHELL_STATIC)],
        "static": url_for("static", filename=""),
        "scripts": [url_for("static", filename=f) for f in SW_SCRIPTS],
    }
    body = f"self.SHK_CONFIG = {json.dumps(config)};\n" + SERVICE_WORKER.read_text(encoding="utf-8")
    response = Response(body, mimetype="text/javascript")
    # Served from the root so that its scope is the whole app; a browser revalidates it on every
    # navigation anyway, no-cache makes proxies do the same.
    response.headers["Service-Worker-Allowed"] = url_for("ui.home")
    response.cache_control.no_cache = True
    return response


@bp.route("/offline")
def offline():
    """The page the service worker shows for a navigation that fails without a network. It is stored
    once for everybody (fetched without cookies), so it says nothing about the user."""
    return render_template("frontend/offline.html")


@bp.route("/csrf-token")
@login_required
def csrf_token():
    """A fresh form token for the offline queue (static/js/offline_queue.js): the token stored with a
    queued form, or on a page kept by the service worker, may be older than its time limit (an hour)
    when the network returns. Only for a logged-in user (the token is bound to the session; without
    one the queue gets the login page, not JSON, and waits)."""
    from flask_wtf.csrf import generate_csrf  # only here: the rest of the module serves anybody

    response = jsonify({"token": generate_csrf()})
    response.cache_control.no_store = True
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    # the user's check pages kept for a plant without signal (issue 20; static/js/offline_pages_sw.js)
    add_service_worker_script("js/offline_pages_sw.js")
    app.jinja_env.globals.update(chart_spec=charts.spec, grade_chart=charts.grade_distribution,
                                 chart_table=charts.table_of)
