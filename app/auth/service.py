"""Use cases of authentication (no commit inside: callers commit): logging in, API tokens, the
password rules, a user changing his own password, and ending a user's sessions.

Accounts are administered (created, edited, retired, their passwords reset) by organisations, end to
end (``app/organisations/accounts.py``, its pages, API and ``shuangkong user``): it calls
``check_new_password`` and ``end_sessions`` here for what is about credentials.
"""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ApiToken, User
from app.clock import utcnow
from app.errors import Invalid, Unauthorized
from app.extensions import db

_DUMMY_HASHES: dict[str, str] = {}


def _dummy_hash() -> str:
    """A hash made like the real ones, so an unknown username costs the same time as a wrong password."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash(secrets.token_hex(16), method=method)
    return _DUMMY_HASHES[method]


def authenticate(username: str, password: str) -> User | None:
    """The user whose password this is, else None. Always hashes once (known user or not, active or
    not), so the answer time does not tell which usernames exist."""
    try:
        return log_in(username, password)
    except Unauthorized:
        return None


def log_in(username: str, password: str) -> User:
    """The user whose password this is, or Unauthorized saying why: a wrong username or password
    (which one is not told), or, to the holder of the right password only, a retired account."""
    user = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(), password)
    elif user.check_password(password):
        if user.active:
            return user
        raise Unauthorized(_("This account has been retired (deactivated) by its administrator and can no "
                             "longer log in. If you still need it, ask your enterprise's safety manager or "
                             "your authority's administrator to reactivate it."), code="account_retired")
    raise Unauthorized(_("Wrong username or password."), code="invalid_credentials")


def issue_token(user: User) -> tuple[ApiToken, str]:
    """A new bearer token; beyond API_TOKENS_PER_USER live tokens the oldest are revoked."""
    now = utcnow()
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id, ApiToken.expires_at <= now))
    keep = current_app.config["API_TOKENS_PER_USER"] - 1
    older = db.session.scalars(
        select(ApiToken.id).where(ApiToken.user_id == user.id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()).offset(max(keep, 0))
    ).all()
    if older:
        db.session.execute(delete(ApiToken).where(ApiToken.id.in_(older)))
    return ApiToken.issue(user, current_app.config["API_TOKEN_HOURS"])


def revoke_token(token_id: int) -> None:
    db.session.execute(delete(ApiToken).where(ApiToken.id == token_id))


def end_sessions(user: User) -> None:
    """Every session cookie and API token issued to ``user`` so far stops working (his password
    changed, or his account was retired)."""
    user.end_sessions()
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


PASSWORD_MIN, PASSWORD_MAX = 8, 128


def password_rules() -> str:
    """The rules, as the forms state them."""
    return _("%(min)s to %(max)s characters, not the username; a passphrase of several words is best.",
             min=PASSWORD_MIN, max=PASSWORD_MAX)


def check_new_password(errors: dict, password: str | None, username: str | None = None) -> None:
    """Adds to ``errors["password"]`` what is wrong with a new password (the rules of ``password_rules``)."""
    password = password or ""
    if len(password) < PASSWORD_MIN:
        errors["password"] = _("The password needs at least 8 characters.")
    elif len(password) > PASSWORD_MAX:
        errors["password"] = _("At most %(n)s characters.", n=PASSWORD_MAX)
    elif username and password.strip().lower() == username.strip().lower():
        errors["password"] = _("The password must not be the username.")


def change_own_password(user: User, current: str, password: str) -> User:
    """A user chooses his own password (the current one asked again); clears the first-login demand."""
    if not user.check_password(current or ""):
        raise Invalid(fields={"current": _("Wrong password.")})
    errors: dict[str, str] = {}
    check_new_password(errors, password, user.username)
    if not errors and user.check_password(password):
        errors["password"] = _("Choose a password different from the current one.")
    if errors:
        raise Invalid(fields=errors)
    user.set_password(password)
    user.must_change_password = False
    end_sessions(user)
    db.session.flush()
    return user

