"""Authentication: login, logout, API tokens; Flask-Login wiring."""

from __future__ import annotations

from flask import Flask, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app import labels
from app.auth import sessions
from app.auth.models import ApiToken, Role, User
from app.clock import utcnow
from app.errors import Forbidden, Unauthorized
from app.extensions import db, login_manager

labels.register(Role, {
    Role.enterprise_staff: _l("Enterprise staff"),
    Role.enterprise_manager: _l("Safety manager"),
    Role.enterprise_principal: _l("Principal"),
    Role.inspector: _l("Inspector"),
    Role.supervisor: _l("Supervisor"),
    Role.authority_admin: _l("Authority administrator"),
    Role.admin: _l("Administrator"),
})


def _is_api() -> bool:
    return request.path.startswith("/api/")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if _is_api():  # the API authenticates by bearer token only: no cookie, so no CSRF exposure
        return None
    return sessions.load(user_id)


@login_manager.request_loader
def load_user_from_token(req) -> User | None:
    header = req.headers.get("Authorization", "")
    if not _is_api() or not header.startswith("Bearer "):
        return None
    token = db.session.scalar(
        db.select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(header[7:].strip()))
    )
    if token is None or token.expires_at <= utcnow() or not token.user.active:
        return None
    g.api_token_id = token.id  # DELETE /api/v1/auth/token revokes the token the caller used
    return token.user


@login_manager.unauthorized_handler
def unauthorized():
    if _is_api():
        raise Unauthorized()
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


# What a user whose password an administrator set may still open: the change form and what it needs.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset({
    "auth.change_password", "auth.logout", "auth.login", "auth.set_language", "static", "ui.favicon",
    "ui.healthz", "frontend.manifest", "frontend.service_worker", "frontend.offline",
    "auth_api.issue_token", "auth_api.revoke_token", "auth_api.change_password",
})


def _password_change_first():
    """A password an administrator set is changed before anything else: pages lead to the form,
    the API answers 403 ``password_change_required`` (POST /api/v1/auth/password changes it)."""
    if request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE or request.endpoint is None:
        return None
    user = current_user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "must_change_password", False):
        return None
    if _is_api():
        raise Forbidden(_("Your password was set by an administrator: change it first "
                          "(POST /api/v1/auth/password, or the web page)."), code="password_change_required")
    flash(_("Your administrator set your password: choose your own now."), "warning")
    return redirect(url_for("auth.change_password"))


def init_app(app: Flask) -> None:
    from app.auth import api as auth_api
    from app.auth import cli, views

    @app.before_request
    def _forget_cached_user_and_locale():
        # Flask-Login and Flask-Babel cache the user and the locale on g, which lives as long as the
        # app context. A request normally has its own context, but one pushed around several requests
        # (tests, scripts) would keep serving the first request's user and language to the next ones.
        g.pop("_login_user", None)
        g.pop("_flask_babel", None)  # locale, translations and feature catalog of Flask-Babel

    app.before_request(_password_change_first)

    proxies = int(app.config["TRUSTED_PROXY_COUNT"] or 0)
    if proxies > 0:
        # The client address (throttling, logs) and scheme come from the last ``proxies`` hops of
        # X-Forwarded-For/-Proto; with 0 (no proxy) those headers are ignored, so they cannot be forged.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)

    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    app.register_blueprint(views.bp)
    from app.api import register

    register(auth_api.blp)
    app.cli.add_command(cli.user_cli)
