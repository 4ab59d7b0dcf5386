"""Users, roles and API tokens."""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import utcnow
from app.extensions import db
from app.organisations.models import Authority, Department, Enterprise, enum_column


class Role(enum.StrEnum):
    enterprise_staff = "enterprise_staff"
    enterprise_manager = "enterprise_manager"
    enterprise_principal = "enterprise_principal"
    inspector = "inspector"
    supervisor = "supervisor"
    # An authority's designated administrator: onboards the enterprises of its region and their first
    # accounts, manages the users of those enterprises and of its own authority (issue 15 item 1).
    authority_admin = "authority_admin"
    admin = "admin"

    @property
    def is_enterprise(self) -> bool:
        return self in ENTERPRISE_ROLES

    @property
    def is_government(self) -> bool:
        return self in GOVERNMENT_ROLES

    @property
    def needs_certificate(self) -> bool:
        """Signs enforcement documents as an officer, so must hold a law-enforcement certificate."""
        return self in CERTIFIED_ROLES


ENTERPRISE_ROLES = frozenset({Role.enterprise_staff, Role.enterprise_manager, Role.enterprise_principal})
GOVERNMENT_ROLES = frozenset({Role.inspector, Role.supervisor, Role.authority_admin})
# Inspection records and orders name two officers with their 执法证号: only inspectors act as officers.
CERTIFIED_ROLES = frozenset({Role.inspector})


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        # The role decides the tenancy anchor: enterprise roles have an enterprise, government
        # roles an authority, admin neither. The database keeps this true whatever the code does.
        CheckConstraint(
            "(role IN ('enterprise_staff','enterprise_manager','enterprise_principal')"
            " AND enterprise_id IS NOT NULL AND authority_id IS NULL)"
            " OR (role IN ('inspector','supervisor','authority_admin') AND authority_id IS NOT NULL AND enterprise_id IS NULL)"
            " OR (role = 'admin' AND enterprise_id IS NULL AND authority_id IS NULL)",
            name="role_anchor",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32), default="")
    email: Mapped[str] = mapped_column(String(128), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = enum_column(Role, index=True)
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprises.id"), index=True)
    authority_id: Mapped[int | None] = mapped_column(ForeignKey("authorities.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # The person's post (岗位): a unit of level "post" of his enterprise (department_id is where he works).
    post_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # Law-enforcement certificate number (执法证号) of inspectors, printed on documents.
    certificate_no: Mapped[str] = mapped_column(String(32), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when an administrator chose the password: every page leads to the change form until the
    # user has chosen his own (the API answers 403 ``password_change_required``).
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Signed into every session cookie (``get_id``) and compared on each request: moving it on logout,
    # password change and deactivation ends every session opened before, wherever its cookie went.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    enterprise: Mapped[Enterprise | None] = relationship()
    authority: Mapped[Authority | None] = relationship()
    department: Mapped[Department | None] = relationship(foreign_keys=[department_id])
    post: Mapped[Department | None] = relationship(foreign_keys=[post_id])

    def set_password(self, password: str) -> None:
        from flask import current_app

        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if current_app else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return bool(self.active)

    def get_id(self) -> str:
        """Flask-Login's id in the session cookie: "<id>:<session version>" (see ``app.auth.sessions``)."""
        return f"{self.id}:{self.session_version or 0}"

    def end_sessions(self) -> None:
        """Invalidate every session cookie issued so far (logout, password change, deactivation)."""
        self.session_version = (self.session_version or 0) + 1

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class ApiToken(db.Model):
    """Bearer tokens for /api/v1; only the SHA-256 of the token is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: User, hours: int) -> tuple[ApiToken, str]:
        token = secrets.token_urlsafe(32)
        row = cls(user=user, token_hash=cls.hash(token), expires_at=utcnow() + timedelta(hours=hours))
        db.session.add(row)
        return row, token
