from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import ui
from app.auth import service, sessions, throttle
from app.auth.forms import ChangePasswordForm, LoginForm
from app.errors import Unauthorized
from app.extensions import db

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("ui.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("ui.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            attempt = throttle.attempt(form.username.data)
        except throttle.TooManyAttempts as locked:
            # Locked for a while: said on the login page, not on a bare error page.
            form.password.errors.append(locked.message + " " + _(
                "This account (or this network address) is locked for a few minutes after too many failed "
                "logins. If you forgot your password, ask your administrator to reset it."))
            return render_template("auth/login.html", form=form), 429
        try:
            user = service.log_in(form.username.data, form.password.data)
        except Unauthorized as refused:  # a wrong password, or (to its holder) a retired account
            form.password.errors.append(refused.message)
            return render_template("auth/login.html", form=form), 200
        attempt.succeeded()
        sessions.begin(user)
        if user.must_change_password:
            flash(_("Your administrator set your password: choose your own now."), "warning")
            return redirect(url_for("auth.change_password"))
        return redirect(_safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    sessions.end(current_user._get_current_object())
    db.session.commit()
    flash(_("You have logged out."), "info")
    response = redirect(url_for("auth.login"))
    # The browser forgets what this origin stored for the user: the service worker's caches, the
    # offline queue (IndexedDB), local storage, the HTTP cache (docs/frontend.md, logout).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Every user changes his own password (the current one is asked again); a password an
    administrator set must be changed here before any other page opens."""
    form = ChangePasswordForm()
    user = current_user._get_current_object()
    status = 200
    if form.validate_on_submit():
        done = ui.attempt(lambda: service.change_own_password(user, form.current.data, form.password.data), form)
        if done.ok:  # every session and token ended ...
            sessions.begin(user)  # ... except this one, which goes on under the new version
            flash(_("The password is changed."), "success")
            return redirect(url_for("ui.home"))
        status = done.status
    elif form.errors:
        status = 422
    return render_template("auth/password.html", form=form, rules=service.password_rules(),
                           forced=user.must_change_password), status


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    # GET too, so that a plain link (/lang/en) works; it only changes the reader's own display language.
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.values.get("next") or (request.referrer and urlsplit(request.referrer).path)
    return redirect(_safe_next(target))
