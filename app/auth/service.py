"""Use cases of authentication and user provisioning (no commit inside: callers commit)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import ApiToken, Role, User
from app.errors import Invalid
from app.extensions import db
from app.organisations.models import Authority, Department, Enterprise


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(func.lower(User.username) == username.strip().lower()))
    if user is None or not user.active or not user.check_password(password):
        return None
    return user


def issue_token(user: User) -> tuple[ApiToken, str]:
    return ApiToken.issue(user, current_app.config["API_TOKEN_HOURS"])


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
    if not display_name or len(display_name) > 64:
        errors["display_name"] = _("A name of 1 to 64 characters is required.")
    if len(password or "") < 8:
        errors["password"] = _("The password needs at least 8 characters.")
    if isinstance(role, Role):
        if role.is_enterprise and enterprise is None:
            errors["enterprise"] = _("This role needs an enterprise.")
        if role.is_government and authority is None:
            errors["authority"] = _("This role needs an authority.")
        if not role.is_enterprise and enterprise is not None:
            errors["enterprise"] = _("Only enterprise roles belong to an enterprise.")
        if not role.is_government and authority is not None:
            errors["authority"] = _("Only inspectors and supervisors belong to an authority.")
    if department is not None and (enterprise is None or department.enterprise_id != enterprise.id):
        errors["department"] = _("The department is not part of this enterprise.")
    if errors:
        raise Invalid(fields=errors)
    user = User(username=username, display_name=display_name, role=role, enterprise=enterprise,
                authority=authority, department=department, phone=phone, email=email,
                certificate_no=certificate_no, active=True)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user
