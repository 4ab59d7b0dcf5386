"""The UI shell: home page, template globals and filters shared by every feature."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, render_template, send_from_directory, url_for
from flask_babel import get_locale
from flask_login import current_user

from app import clock, labels, policy

bp = Blueprint("ui", __name__)

# Features add their entries: (endpoint, label, predicate(user) -> bool); shown in this order.
NAV: list[tuple[str, object, object]] = []


def nav_item(endpoint: str, text, visible=lambda user: True) -> None:
    # Idempotent: the factory may run more than once in a process (tests build several apps).
    NAV[:] = [entry for entry in NAV if entry[0] != endpoint]
    NAV.append((endpoint, text, visible))


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    return render_template("home.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links (PDFs, JSON): our own mark, not a 404."""
    return send_from_directory(current_app.static_folder, "img/icon.svg", mimetype="image/svg+xml",
                               max_age=7 * 24 * 3600)


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


def _as_grade(value):
    from workflows.grades import Grade

    if value is None or value == "" or isinstance(value, Grade):
        return value or None
    try:
        return Grade(value)
    except ValueError:
        return None


def _nav_for(user):
    from app.feature_domains import text_in_feature

    return [(endpoint, text_in_feature(endpoint, text)) for endpoint, text, visible in NAV if visible(user)]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(as_grade=_as_grade, can=policy.can, get_locale=get_locale, nav_for=_nav_for, today=clock.today)
    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.filters["localtime"] = lambda ts, fmt="%Y-%m-%d %H:%M": (
        clock.to_local(ts).strftime(fmt) if ts else ""
    )
