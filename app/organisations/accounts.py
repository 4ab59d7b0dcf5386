"""Use cases of user accounts: organisations administers users end to end (no commit inside).

Who a user is in the organisations (his role, enterprise or authority, department and post, name,
phone, law-enforcement certificate) is kept here, with the pages (``views``), the API (``api``), the
spreadsheet import (app/imports) and ``shuangkong user`` calling these functions. auth authenticates
users: it owns the password rules (``check_new_password``) and ends sessions and tokens
(``end_sessions``), which these use cases call when a password is set or an account retired.

The use cases take ``(actor, user_or_id, **fields)`` and check scope and permission themselves
(``actor`` None: a command run on the server, e.g. ``shuangkong user create``). Who may make which
accounts is ``app.access.may_keep_account``; every change goes to the audit log.
"""

from __future__ import annotations

import re
import secrets

from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash

from app import access
from app.admin_log import changed, record, snapshot
from app.auth.models import Role, User
from app.auth.service import check_new_password, end_sessions
from app.errors import Forbidden, Invalid
from app.extensions import db
from app.organisations.models import Authority, Department, DepartmentLevel, Enterprise
from app.organisations.service import resolve

USER_TEXT = {"display_name": 64, "phone": 32, "email": 128, "certificate_no": 32}
USER_FIELDS = ("username", "display_name", "role", "enterprise_id", "authority_id", "department_id", "post_id",
               "phone", "email", "certificate_no", "active")
# A mainland mobile number (11 digits, 1 then 3–9): text messages go to it (notifications).
MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A user's anchors in the organisations (``<key>`` an object, or ``<key>_id``), and what they are.
# Accounts made by an import get a one-time password: random (``ONE_TIME_PASSWORD_LENGTH`` characters of
# a 55-letter alphabet, over 69 bits), so hashed with a light PBKDF2 (``ONE_TIME_PASSWORD_HASH``): key
# stretching protects the passwords people choose, not random ones, and 1 000 accounts then take a
# second, not minutes of scrypt.
ONE_TIME_PASSWORD_LENGTH = 12
ONE_TIME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
ONE_TIME_PASSWORD_HASH = "pbkdf2:sha256:1000"
ANCHORS = {"enterprise": Enterprise, "authority": Authority, "department": Department, "post": Department}


def _check_anchor(errors: dict, role, enterprise, authority, department, post=None) -> None:
    """The role decides the tenancy anchor: enterprise roles an enterprise, government roles an authority."""
    if isinstance(role, Role):
        if role.is_enterprise and enterprise is None:
            errors.setdefault("enterprise_id", _("This role needs an enterprise."))
        if role.is_government and authority is None:
            errors.setdefault("authority_id", _("This role needs an authority."))
        if not role.is_enterprise and enterprise is not None:
            errors.setdefault("enterprise_id", _("Only enterprise roles belong to an enterprise."))
        if not role.is_government and authority is not None:
            errors.setdefault("authority_id", _("Only government roles (inspector, supervisor, authority "
                                                "administrator) belong to an authority."))
    _check_units(errors, enterprise=enterprise, department=department, post=post)


def _check_units(errors: dict, *, enterprise, department, post) -> None:
    """The department and post of an account must be units of its enterprise in use, the post a unit
    of level "post" under the department."""
    if department is not None and (enterprise is None or department.enterprise_id != enterprise.id):
        errors.setdefault("department_id", _("The department is not part of this enterprise."))
    if post is not None:
        if enterprise is None or post.enterprise_id != enterprise.id:
            errors.setdefault("post_id", _("The post is not part of this enterprise."))
        elif post.level != DepartmentLevel.post:
            errors.setdefault("post_id", _("Choose a unit of level “post”."))
        elif department is not None and not post.path.startswith(department.path):
            errors.setdefault("post_id", _("The post is not under the chosen department."))
    for field, unit in (("department_id", department), ("post_id", post)):
        if unit is not None and unit.retired_at is not None:
            errors.setdefault(field, _("This unit is retired."))


def _check_certificate(errors: dict, role, certificate_no: str) -> None:
    """Refused where the user is made, not later when he has filled in a whole inspection."""
    if isinstance(role, Role) and role.needs_certificate and not certificate_no:
        errors.setdefault("certificate_no", _("An inspector needs his law-enforcement certificate number."))


def check_texts(errors: dict, data: dict, current: User | None = None) -> dict:
    clean = {}
    for field, max_len in USER_TEXT.items():
        value = (data.get(field) or "").strip()
        if field == "display_name" and not value:
            errors[field] = _("A name of 1 to 64 characters is required.")
        elif len(value) > max_len:
            errors[field] = _("At most %(n)s characters.", n=max_len)
        elif field == "phone" and value and (current is None or value != current.phone):
            value = value.replace(" ", "").replace("-", "")
            if value.startswith("+86"):
                value = value[3:]
            if not MOBILE.match(value):
                errors[field] = _("A mainland mobile number has 11 digits and begins with 13 to 19 "
                                  "(e.g. 13912345678).")
        clean[field] = value
    return clean


def _resolve_anchors(actor, errors: dict, data: dict, current: User | None = None) -> dict:
    """enterprise / authority / department / post (objects or ``*_id``) as objects the actor may see."""
    anchors = {}
    for key in ANCHORS:
        if key in data:
            value = data.pop(key)
        elif f"{key}_id" in data:
            value = data.pop(f"{key}_id")
        else:
            anchors[key] = getattr(current, key) if current is not None else None
            continue
        if actor is not None and actor.role == Role.enterprise_manager and key == "enterprise" \
                and value not in (None, "") and str(getattr(value, "id", value)) != str(actor.enterprise_id):
            raise Forbidden(_refusal(actor))  # another enterprise: not his to staff
        anchors[key] = resolve(actor, errors, f"{key}_id", ANCHORS[key], value)
    return anchors


def _refusal(actor: User) -> str:
    if actor.role == Role.enterprise_manager:
        return _("A safety manager creates and keeps the accounts of his own enterprise's staff and safety "
                 "managers only (never an administrator, a government role or another enterprise's).")
    if actor.role == Role.authority_admin:
        return _("An authority's administrator creates and keeps the accounts of the enterprises of its "
                 "region and of its own authority only (never an administrator).")
    return pgettext("auth", "You are not allowed to do this.")


def _may_keep(actor, role, anchors: dict, errors: dict) -> None:
    """403 when the account (role and anchor) is not one ``actor`` may keep. An anchor left out is
    not a refusal but a missing field (``_check_anchor``: 422); one named but not his to see is."""
    if actor is None or not isinstance(role, Role):
        return
    if role not in access.roles_made_by(actor):
        raise Forbidden(_refusal(actor))
    key = "enterprise" if role.is_enterprise else "authority" if role.is_government else None
    if key is not None and anchors[key] is None and f"{key}_id" not in errors:
        return
    if not access.may_keep_account(actor, role, anchors["enterprise"], anchors["authority"]):
        raise Forbidden(_refusal(actor))


def _for_edit(actor, user: User | int) -> User:
    user = access.load(actor, User, user)
    if actor is not None:
        access.require(actor, "user.edit", user)
    return user


def create_user(actor, *, username: str, display_name: str, role: Role | str, password: str, **data) -> User:
    """Create an account; ``data``: enterprise / authority / department / post (objects or ``*_id``),
    phone, email, certificate_no. Refuses a role without its enterprise / authority (422 naming the
    fields) and an account the actor may not keep (403, saying which he may). A password an
    administrator chose must be changed at first login."""
    if actor is not None:
        access.require(actor, "user.edit")
    errors: dict[str, str] = {}
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = _("Unknown role.")
    if actor is not None and actor.role == Role.enterprise_manager and not data.get("enterprise") \
            and not data.get("enterprise_id") and isinstance(role, Role) and role.is_enterprise:
        data["enterprise"] = actor.enterprise  # a manager staffs his own enterprise
    anchors = _resolve_anchors(actor, errors, data)
    _may_keep(actor, role, anchors, errors)
    username = (username or "").strip()
    if not username:
        errors["username"] = _("This field is required.")
    elif len(username) > 64:
        errors["username"] = _("At most %(n)s characters.", n=64)
    elif db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower())):
        errors["username"] = _("This username is taken.")
    clean = check_texts(errors, dict(data, display_name=display_name))
    check_new_password(errors, password, username)
    _check_anchor(errors, role, **anchors)
    _check_certificate(errors, role, clean["certificate_no"])
    if errors:
        raise Invalid(fields=errors)
    user = User(username=username, role=role, active=True, must_change_password=actor is not None,
                **anchors, **clean)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "create", user, after=snapshot(user, *USER_FIELDS),
           summary=f"{user.display_name}（{user.username}）")
    return user


def update_user(actor, user: User | int, **data) -> User:
    """Change a user's details, role and anchor; fields left out keep their value.

    ``data`` may hold display_name, phone, email, certificate_no, role, and enterprise, authority,
    department, post (objects or ``*_id``). The account after the change must still be one the actor
    may keep (a manager cannot make his staff a principal, nor move them to another enterprise).
    """
    user = _for_edit(actor, user)
    before = snapshot(user, *USER_FIELDS)
    errors: dict[str, str] = {}
    anchors = _resolve_anchors(actor, errors, data, current=user)
    merged = {field: getattr(user, field) for field in USER_TEXT}
    merged.update(data)
    role = data.get("role", user.role)
    try:
        role = Role(role)
    except ValueError:
        errors["role"] = _("Unknown role.")
    _may_keep(actor, role, anchors, errors)
    if actor is not None and user.id == actor.id and role != user.role:
        errors["role"] = _("You cannot change your own role.")
    clean = check_texts(errors, merged, current=user)
    _check_anchor(errors, role, **anchors)
    _check_certificate(errors, role, clean["certificate_no"])
    if errors:
        raise Invalid(fields=errors)
    for key, value in clean.items():
        setattr(user, key, value)
    user.role = role
    for key, value in anchors.items():
        setattr(user, key, value)
    db.session.flush()
    old, new = changed(before, snapshot(user, *USER_FIELDS))
    if new:
        record(actor, "update", user, before=old, after=new, summary=f"{user.display_name}（{user.username}）")
    return user


def set_active(actor, user: User | int, active: bool) -> User:
    """Retire (deactivate) or reactivate an account. An account is never deleted: what the person
    did (hazards, checks, signatures) keeps naming him."""
    user = _for_edit(actor, user)
    if not active and actor is not None and user.id == actor.id:
        raise Invalid(fields={"active": _("You cannot deactivate your own account.")})
    if bool(user.active) == bool(active):
        return user
    user.active = active
    if not active:  # a deactivated user's sessions and API tokens die with the account
        end_sessions(user)
    db.session.flush()
    record(actor, "reactivate" if active else "retire", user, before={"active": not active},
           after={"active": active}, summary=f"{user.display_name}（{user.username}）")
    return user


def reset_password(actor, user: User | int, password: str) -> User:
    """An administrator sets a new password: the person must change it at his next login."""
    user = _for_edit(actor, user)
    errors: dict[str, str] = {}
    check_new_password(errors, password, user.username)
    if errors:
        raise Invalid(fields=errors)
    user.set_password(password)
    user.must_change_password = actor is not None and actor.id != user.id
    end_sessions(user)  # a captured cookie or token must not outlive the password it came from
    db.session.flush()
    record(actor, "reset_password", user, summary=f"{user.display_name}（{user.username}）")
    return user


def one_time_password() -> str:
    return "".join(secrets.choice(ONE_TIME_ALPHABET) for _i in range(ONE_TIME_PASSWORD_LENGTH))


def new_imported_account(*, username, display_name, role, enterprise, department=None, phone="",
                         email="") -> tuple[User, str]:
    """An account of a spreadsheet import (app/imports, which has checked the whole file with
    ``check_texts`` and the importer's rights and writes the audit log per import) and its one-time
    password, to be changed at the first login."""
    password = one_time_password()
    user = User(username=username, display_name=display_name, role=role, enterprise=enterprise,
                department=department, phone=phone, email=email, active=True,
                password_hash=generate_password_hash(password, method=ONE_TIME_PASSWORD_HASH))
    user.must_change_password = True  # chosen by the system: changed at the first login
    db.session.add(user)
    return user, password
