"""Who sees and does what in the exchange: an enterprise sees its own push status, its authorities those
of their region; managers ask for a push; authorities and the admin read what this platform received."""

from __future__ import annotations

from sqlalchemy import ColumnElement

from app import access
from app.auth.models import Role, User
from app.exchange.models import ExchangeStatus, ReceivedRow


def _status_scope(user: User) -> ColumnElement[bool]:
    return access.enterprise_condition(ExchangeStatus.enterprise_id, user)


def _received_scope(user: User) -> ColumnElement[bool]:
    return access.enterprise_condition(ReceivedRow.enterprise_id, user)


SCOPES = {ExchangeStatus: _status_scope, ReceivedRow: _received_scope}
rules = access.Rules()


@rules("exchange.status")
def _status(user: User, _obj) -> bool:
    return user.role.is_enterprise or user.role.is_government or user.role == Role.admin


@rules("exchange.push")
def _push(user: User, _enterprise) -> bool:
    return user.role in (Role.enterprise_manager, Role.enterprise_principal, Role.admin)


@rules("exchange.received")
def _received(user: User, _obj) -> bool:
    return user.role.is_government or user.role == Role.admin
