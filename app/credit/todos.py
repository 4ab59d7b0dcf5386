"""Credit's to-do sources (app/todos.py): entries proposed and repair applications waiting for a
supervisor of the deciding authority; objections waiting for the authority that made the record."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, literal, or_, select

from app import todos
from app.auth.models import Role
from app.credit.models import CreditRecord, DishonestyEntry, ListingState, RecordState
from app.extensions import db
from app.organisations.models import Enterprise


def _entries_to_decide(user):
    if user.role != Role.supervisor or not user.authority_id:
        return None
    title = Enterprise.name + literal(" ") + DishonestyEntry.condition_text
    return (select(DishonestyEntry.id, title, literal(None, Date))
            .join(Enterprise, Enterprise.id == DishonestyEntry.enterprise_id)
            .where(DishonestyEntry.authority_id == user.authority_id,
                   or_(DishonestyEntry.state == ListingState.proposed,
                       (DishonestyEntry.state == ListingState.listed) & DishonestyEntry.repair_applied_on.is_not(None)
                       & (DishonestyEntry.repair_decision == ""))))


def _objections(user):
    if user.role != Role.supervisor or not user.authority_id:
        return None
    title = Enterprise.name + literal(" ") + CreditRecord.objection
    return (select(CreditRecord.id, title, literal(None, Date))
            .join(Enterprise, Enterprise.id == CreditRecord.enterprise_id)
            .where(CreditRecord.authority_id == user.authority_id, CreditRecord.state == RecordState.objected))


def register() -> None:
    todos.register("dishonesty_decide", label=_l("Serious-dishonesty list: decisions waiting"),
                   object_type="dishonesty_entry", query=_entries_to_decide,
                   link=lambda entry_id: url_for("credit.entry", entry_id=entry_id))
    todos.register("credit_objections", label=_l("Credit records objected to"), object_type="credit_record",
                   query=_objections, link=_record_link)


def _record_link(record_id: int) -> str:
    record = db.session.get(CreditRecord, record_id)
    return url_for("credit.enterprise", enterprise_id=record.enterprise_id) + f"#record-{record_id}"
