from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.auth import service, sessions, throttle
from app.auth.forms import ChangePasswordForm, LoginForm
from app.errors import Invalid
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
        attempt = throttle.attempt(form.username.data)
        user = service.authenticate(form.username.data, form.password.data)
        if user is not None:
            attempt.succeeded()
            sessions.begin(user)
            return redirect(_safe_next(form.next.data))
        form.password.errors.append(_("Wrong username or password."))
        return render_template("auth/login.html", form=form), 200
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
    """Every user changes his own password (the current one is asked again)."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        if not user.check_password(form.current.data):
            form.current.errors.append(_("Wrong password."))
        else:
            try:
                service.reset_password(user, form.password.data)  # ends every session and token
                db.session.commit()
                sessions.begin(user)  # ... except this one, which goes on under the new version
                flash(_("The password is changed."), "success")
                return redirect(url_for("ui.home"))
            except Invalid as exc:
                db.session.rollback()
                form.password.errors.extend(exc.fields.get("password", [exc.message]))
    status = 422 if form.errors else 200
    return render_template("auth/password.html", form=form), status


@bp.route("/lang/<code>", methods=["GET", "POST"])
def set_language(code: str):
    # GET too, so that a plain link (/lang/en) works; it only changes the reader's own display language.
    if code in current_app.config["LANGUAGES"]:
        session["lang"] = code
    target = request.values.get("next") or (request.referrer and urlsplit(request.referrer).path)
    return redirect(_safe_next(target))
