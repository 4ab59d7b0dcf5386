"""Who sees and does what with credit records and the dishonesty list.

Records and entries: the enterprise's own users see them (an entry once decided), the authorities of
its region subtree and the authority that made them keep them. Inspectors and supervisors of an
authority whose jurisdiction holds the enterprise record facts and propose entries; supervisors decide
objections, entries and removals (a person other than the proposer: the machine's guard). The
enterprise's manager and principal object to a record and apply for credit repair.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, or_, true

from app import access
from app.auth.models import Role, User
from app.credit.models import CreditRecord, DishonestyEntry, ListingState

ENTERPRISE_VISIBLE = (ListingState.listed, ListingState.removed_early, ListingState.expired)
OFFICERS = (Role.inspector, Role.supervisor)


def _signed_in(user: User | None) -> bool:
    return user is not None and getattr(user, "is_authenticated", False) and user.active


def _record_scope(user: User) -> ColumnElement[bool]:
    if not _signed_in(user):
        return false()
    if user.role == Role.admin:
        return true()
    return or_(access.enterprise_condition(CreditRecord.enterprise_id, user),
               access.authority_records(CreditRecord.authority_id, user))


def _entry_scope(user: User) -> ColumnElement[bool]:
    if not _signed_in(user):
        return false()
    if user.role == Role.admin:
        return true()
    condition = access.enterprise_condition(DishonestyEntry.enterprise_id, user)
    if user.role.is_enterprise:  # proposals and refusals are the authority's internal work
        return and_(condition, DishonestyEntry.state.in_(ENTERPRISE_VISIBLE))
    return or_(condition, access.authority_records(DishonestyEntry.authority_id, user))


SCOPES = {CreditRecord: _record_scope, DishonestyEntry: _entry_scope}
rules = access.Rules()


def _officer_in_charge(user: User, enterprise) -> bool:
    return user.role in OFFICERS and enterprise is not None and access.in_jurisdiction(user, enterprise)


def _own_enterprise(user: User, enterprise_id: int | None) -> bool:
    return user.role in (Role.enterprise_manager, Role.enterprise_principal) and user.enterprise_id == enterprise_id


@rules("credit.view")
def _view(user: User, _obj) -> bool:
    return True  # every signed-in user; the scopes choose the rows


@rules("credit.record")
def _record(user: User, enterprise) -> bool:
    """obj: the enterprise the fact is about."""
    return _officer_in_charge(user, enterprise)


@rules("credit.object")
def _object(user: User, record: CreditRecord) -> bool:
    return _own_enterprise(user, record.enterprise_id)


@rules("credit.decide_objection")
def _decide_objection(user: User, record: CreditRecord) -> bool:
    return user.role == Role.supervisor and (
        record.authority_id == user.authority_id or access.in_jurisdiction(user, record.enterprise))


@rules("dishonesty.propose")
def _propose(user: User, enterprise) -> bool:
    return _officer_in_charge(user, enterprise)


@rules("dishonesty.decide")
def _decide(user: User, entry: DishonestyEntry) -> bool:
    """谁处罚、谁决定: the supervisors of the authority that proposed (it imposed the penalty)."""
    return user.role == Role.supervisor and user.authority_id == entry.authority_id


@rules("dishonesty.apply_repair")
def _apply_repair(user: User, entry: DishonestyEntry) -> bool:
    return _own_enterprise(user, entry.enterprise_id) or (
        user.role in OFFICERS and user.authority_id == entry.authority_id)  # filed on paper, typed in


@rules("dishonesty.decide_repair")
def _decide_repair(user: User, entry: DishonestyEntry) -> bool:
    return user.role == Role.supervisor and user.authority_id == entry.authority_id
