"""The UI shell: home page, template globals and filters shared by every feature."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import (
    Blueprint,
    Flask,
    current_app,
    flash,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale
from flask_login import current_user

from app import access, clock, forms, labels, signals
from app.errors import Conflict, Forbidden, NotFound, ServiceError
from app.extensions import db
from app.registry import point
from workflows.grades import Grade

bp = Blueprint("ui", __name__)

# Features add their entries in init_app: endpoint -> (label, predicate(user) -> bool); shown in order.
NAV = point("nav", "endpoint -> (label, visible(user) -> bool)")


def _everyone(user) -> bool:
    return True


def nav_item(endpoint: str, text, visible=_everyone) -> None:
    NAV.add(endpoint, (text, visible))


@dataclass
class Attempt:
    """What ``attempt`` did: ``value`` is the use case's result; ``status`` None when it succeeded."""

    value: Any = None
    status: int | None = None
    error: ServiceError | None = None

    @property
    def ok(self) -> bool:
        return self.status is None


def public_url(endpoint: str, **values) -> str:
    """The address printed on paper (QR codes, verification links): ``PUBLIC_BASE_URL`` plus the endpoint's
    path. Built from the URL map, not the request, so services rendering a PDF in the scan, a job or the
    CLI print the same address as a page would."""
    path = current_app.url_map.bind("public", script_name="/").build(endpoint, values)
    return current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + path


def refusal_status(exc: ServiceError) -> int:
    """The status of a page that shows a refusal next to its form: 409 for a lost race, the server's
    own status when it is the server's trouble (a full disk 507, a busy server 503), else 422."""
    if isinstance(exc, Conflict):
        return 409
    return exc.status if exc.status >= 500 else 422


def attempt(action: Callable[[], Any], form=None, *, aliases: Mapping[str, str] | None = None,
            place: Callable[[Any, ServiceError], None] | None = None) -> Attempt:
    """The one way a view runs a use case: call ``action``, commit once on success.

    On a refusal roll back, then put the messages next to ``form``'s fields (``aliases``: service field
    → form field; ``place``: a view's own placement) or, without a form, flash them; the view
    re-renders or redirects with ``Attempt.status``. Forbidden and NotFound are not refusals to
    explain: they propagate, so every page answers a foreign object 404 and a missing right 403."""
    try:
        value = action()
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        if isinstance(exc, Forbidden | NotFound):
            raise
        if place is not None:
            place(form, exc)
        elif form is not None:
            forms.apply_errors(form, exc, aliases)
        else:
            flash("；".join(messages(exc)), "error")
        return Attempt(status=refusal_status(exc), error=exc)
    return Attempt(value=value)


def messages(exc: ServiceError) -> list[str]:
    """Every message of a refusal, field by field (its general message when it names no field)."""
    return [m for ms in exc.fields.values() for m in ms] or [exc.message]


@bp.route("/")
def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    # A feature may provide the home page (the dashboard's 工作台, issue 14); else the grid of tiles.
    view = current_app.extensions.get("home_view")
    return view() if view is not None else render_template("home.html")


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page links (PDFs, JSON): our own mark, not a 404."""
    return send_from_directory(current_app.static_folder, "img/icon.svg", mimetype="image/svg+xml",
                               max_age=7 * 24 * 3600)


@bp.route("/healthz")
def healthz():
    return {"status": "ok"}


def _as_grade(value):

    if value is None or value == "" or isinstance(value, Grade):
        return value or None
    try:
        return Grade(value)
    except ValueError:
        return None


def _nav_for(user):
    return [(endpoint, str(text)) for endpoint, (text, visible) in NAV.items() if visible(user)]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.jinja_env.globals.update(as_grade=_as_grade, can=access.can, get_locale=get_locale, nav_for=_nav_for, today=clock.today,
                                 enterprise_flags=signals.flags_of)
    app.jinja_env.filters["label"] = labels.label
    app.jinja_env.filters["localtime"] = lambda ts, fmt="%Y-%m-%d %H:%M": (
        clock.to_local(ts).strftime(fmt) if ts else ""
    )
