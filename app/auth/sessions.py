"""Browser sessions that end: a per-user version checked on every request, an idle and an absolute limit.

Flask keeps the session in a signed cookie, so nothing server-side forgets a cookie by itself: a copy
captured before logout would keep working. Three checks make it end:

* the user's ``session_version`` is part of the id signed into the cookie (``User.get_id``) and must
  match the database on every request; logout, a password change and deactivation move it;
* ``SESSION_IDLE_MINUTES`` without a request ends the session (the last-seen time lives in the
  signed cookie, refreshed at most once a minute so that not every answer re-sends the cookie);
* ``SESSION_MAX_HOURS`` after login the session ends however busy it was (also the cookie's signature
  age limit, ``PERMANENT_SESSION_LIFETIME``).
"""

from __future__ import annotations

import time

from flask import current_app, flash, g, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from app.auth.models import User
from app.extensions import db

LOGIN_AT = "_login_at"  # epoch seconds of the login (absolute lifetime)
SEEN_AT = "_seen_at"  # epoch seconds of the last request (idle timeout)
SEEN_REFRESH_SECONDS = 60


def cookie_fields(user: User, now: float | None = None) -> dict:
    """What a fresh login puts into the session besides Flask-Login's keys."""
    now = int(now if now is not None else time.time())
    return {"_user_id": user.get_id(), LOGIN_AT: now, SEEN_AT: now}


def begin(user: User) -> None:
    """Log ``user`` in on a fresh session (no fixation: the old session's content is dropped)."""
    lang = session.get("lang")
    session.clear()
    login_user(user)
    session.update(cookie_fields(user))
    if lang:
        session["lang"] = lang


def end(user: User) -> None:
    """Logout: this and every other session of the user stop working (the caller commits)."""
    user.end_sessions()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def _expired(message: str) -> None:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    g.session_expired = True
    flash(message, "warning")


def load(user_id: str) -> User | None:
    """Flask-Login's user loader for cookie sessions."""
    uid, _sep, version = (user_id or "").partition(":")
    if not (uid.isdigit() and version.isdigit()):
        _expired(_("Your session has expired. Please log in again."))
        return None
    user = db.session.get(User, int(uid))
    if user is None or not user.active or user.session_version != int(version):
        _expired(_("Your session has ended (logged out, password changed or account deactivated). "
                   "Please log in again."))
        return None
    now = time.time()
    login_at, seen_at = session.get(LOGIN_AT), session.get(SEEN_AT)
    cfg = current_app.config
    if (not isinstance(login_at, int) or not isinstance(seen_at, int)
            or now - seen_at > cfg["SESSION_IDLE_MINUTES"] * 60
            or now - login_at > cfg["SESSION_MAX_HOURS"] * 3600):
        _expired(_("Your session has expired. Please log in again."))
        return None
    if now - seen_at >= SEEN_REFRESH_SECONDS:
        session[SEEN_AT] = int(now)
    return user
