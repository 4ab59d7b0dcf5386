"""Use cases of authentication and user provisioning (no commit inside: callers commit)."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ApiToken, Role, User
from app.clock import utcnow
from app.errors import Invalid
from app.extensions import db

if TYPE_CHECKING:  # a user's anchors (mapped by organisations, which administers users)
    from app.organisations.models import Authority, Department, Enterprise

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
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not user.check_password(password) or not user.active:
        return None
    return user


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


def _end_everything(user: User) -> None:
    """Every session cookie and API token issued to ``user`` so far stops working."""
    user.end_sessions()
    db.session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))


USER_TEXT = {"display_name": 64, "phone": 32, "email": 128, "certificate_no": 32}


def _check_anchor(errors: dict, role, enterprise, authority, department) -> None:
    """The role decides the tenancy anchor: enterprise roles an enterprise, government roles an authority."""
    if isinstance(role, Role):
        if role.is_enterprise and enterprise is None:
            errors.setdefault("enterprise_id", _("This role needs an enterprise."))
        if role.is_government and authority is None:
            errors.setdefault("authority_id", _("This role needs an authority."))
        if not role.is_enterprise and enterprise is not None:
            errors.setdefault("enterprise_id", _("Only enterprise roles belong to an enterprise."))
        if not role.is_government and authority is not None:
            errors.setdefault("authority_id", _("Only inspectors and supervisors belong to an authority."))
    if department is not None and (enterprise is None or department.enterprise_id != enterprise.id):
        errors.setdefault("department_id", _("The department is not part of this enterprise."))


def _check_certificate(errors: dict, role, certificate_no: str) -> None:
    """Refused where the user is made, not later when he has filled in a whole inspection."""
    if isinstance(role, Role) and role.needs_certificate and not certificate_no:
        errors.setdefault("certificate_no", _("An inspector needs his law-enforcement certificate number."))


def _check_texts(errors: dict, data: dict) -> dict:
    clean = {}
    for field, max_len in USER_TEXT.items():
        value = (data.get(field) or "").strip()
        if field == "display_name" and not value:
            errors[field] = _("A name of 1 to 64 characters is required.")
        elif len(value) > max_len:
            errors[field] = _("At most %(n)s characters.", n=max_len)
        clean[field] = value
    return clean


def _check_password(errors: dict, password: str | None) -> None:
    if len(password or "") < 8:
        errors["password"] = _("The password needs at least 8 characters.")
    elif len(password) > 128:
        errors["password"] = _("At most %(n)s characters.", n=128)


def create_user(*, username: str, display_name: str, role: Role | str, password: str,
                enterprise: Enterprise | None = None, authority: Authority | None = None,
                department: Department | None = None, phone: str = "", email: str = "",
                certificate_no: str = "") -> User:
    """Create a user; refuses a role without its enterprise / authority (422 with fields)."""
    errors: dict[str, str] = {}
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = _("Unknown role.")
    username = (username or "").strip()
    if not username:
        errors["username"] = _("This field is required.")
    elif len(username) > 64:
        errors["username"] = _("At most %(n)s characters.", n=64)
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = _("This username is taken.")
    clean = _check_texts(errors, dict(display_name=display_name, phone=phone, email=email,
                                      certificate_no=certificate_no))
    _check_password(errors, password)
    _check_anchor(errors, role, enterprise, authority, department)
    _check_certificate(errors, role, clean["certificate_no"])
    if errors:
        raise Invalid(fields=errors)
    user = User(username=username, role=role, enterprise=enterprise, authority=authority,
                department=department, active=True, **clean)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, **data) -> User:
    """Change a user's details, role and anchor; fields left out keep their value.

    ``data`` may hold display_name, phone, email, certificate_no, role, enterprise, authority,
    department (objects, already loaded by the caller).
    """
    errors: dict[str, str] = {}
    merged = {field: getattr(user, field) for field in USER_TEXT}
    merged.update(role=user.role, enterprise=user.enterprise, authority=user.authority,
                  department=user.department)
    merged.update(data)
    role = merged["role"]
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = _("Unknown role.")
    clean = _check_texts(errors, merged)
    _check_anchor(errors, role, merged["enterprise"], merged["authority"], merged["department"])
    _check_certificate(errors, role, clean["certificate_no"])
    if errors:
        raise Invalid(fields=errors)
    for key, value in clean.items():
        setattr(user, key, value)
    user.role = role
    user.enterprise, user.authority = merged["enterprise"], merged["authority"]
    user.department = merged["department"]
    db.session.flush()
    return user


def set_active(user: User, active: bool, *, actor: User) -> User:
    if not active and user.id == actor.id:
        raise Invalid(fields={"active": _("You cannot deactivate your own account.")})
    user.active = active
    if not active:  # a deactivated user's sessions and API tokens die with the account
        _end_everything(user)
    db.session.flush()
    return user


def reset_password(user: User, password: str) -> User:
    errors: dict[str, str] = {}
    _check_password(errors, password)
    if errors:
        raise Invalid(fields=errors)
    user.set_password(password)
    _end_everything(user)  # a captured cookie or token must not outlive the password it came from
    db.session.flush()
    return user
