"""Summons (约谈): an authority summons an enterprise's principal — for instance over an overdue
listed hazard — with a numbered 约谈通知书, then records the summons (约谈记录) with its outcome.
Both are on the enterprise's history (``summonses_of``). No commit here.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _

from app import access, clock
from app.auth.models import Role, User
from app.documents import builders
from app.documents import service as documents
from app.documents.models import Document
from app.errors import Conflict, Invalid
from app.extensions import db
from app.hazards.models import Hazard
from app.organisations.models import Enterprise
from app.supervision.models import Summons

MAX_HAZARDS = 50


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _words(ts: datetime) -> str:
    local = clock.to_local(ts)
    return f"{local.year}年{local.month}月{local.day}日{local.hour}时{local.minute:02d}分"


def _text(value: str, name: str, errors: dict, *, required: bool = False, max_len: int = 4000) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_len:
        errors[name] = _("This text is too long.")
    return value


def summon(actor: User, *, enterprise_id: int, reason: str, scheduled_at: datetime | None, place: str = "",
           hazard_ids: list[int] | None = None) -> Summons:
    """Schedule the summons and issue its 约谈通知书 (to the enterprise's principal)."""
    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    access.require(actor, "summons.create", enterprise)
    errors: dict[str, str] = {}
    reason = _text(reason, "reason", errors, required=True, max_len=2000)
    place = _text(place, "place", errors, max_len=255)
    scheduled = _utc(scheduled_at)
    if scheduled is None:
        errors["scheduled_at"] = _("Enter when the summons takes place.")
    elif scheduled <= clock.utcnow():
        errors["scheduled_at"] = _("The summons must be scheduled in the future.")
    ids = list(dict.fromkeys(hazard_ids or []))
    if len(ids) > MAX_HAZARDS:
        errors["hazard_ids"] = _("At most %(n)d hazards.", n=MAX_HAZARDS)
    if errors:
        raise Invalid(fields=errors)
    hazards = [access.get_visible(Hazard, hid, actor) for hid in ids]
    if any(h.enterprise_id != enterprise.id for h in hazards):
        raise Invalid(fields={"hazard_ids": _("All hazards of one document must belong to one enterprise.")})
    principal = enterprise.principal_name or enterprise.legal_representative or ""
    summons = Summons(authority_id=actor.authority_id, enterprise_id=enterprise.id, reason=reason,
                      scheduled_at=scheduled, place=place, addressee=principal, created_by_id=actor.id)
    summons.hazards = hazards
    db.session.add(summons)
    db.session.flush()
    context = {
        "addressee": enterprise.name, "principal_name": principal or "主要负责人", "reason": reason,
        "scheduled": _words(scheduled), "place": place, "hazards": builders.hazard_items(hazards),
        "contact_person": actor.display_name, "contact_phone": actor.authority.phone or "",
    }
    document = documents.issue("summons_notice", actor=actor, context=context, hazards=hazards,
                               authority=actor.authority, enterprise=enterprise)
    summons.notice_document_id = document.id
    db.session.flush()
    return summons


def record(actor: User, summons_id: int, *, held_at: datetime | None, second_officer_id: int | None,
           attendees: str = "", content: str = "", outcome: str = "") -> Summons:
    """Record the summons as held (约谈记录 with its outcome), signed by two officers of the authority."""
    summons = access.get_visible(Summons, summons_id, actor)
    access.require(actor, "summons.record", summons)
    errors: dict[str, str] = {}
    attendees = _text(attendees, "attendees", errors, max_len=2000)
    content = _text(content, "content", errors, required=True)
    outcome = _text(outcome, "outcome", errors, required=True)
    held = _utc(held_at)
    if held is None:
        errors["held_at"] = _("Enter when the summons was held.")
    elif held > clock.utcnow():
        errors["held_at"] = _("The summons cannot be recorded before it is held.")
    second = db.session.get(User, second_officer_id) if second_officer_id else None
    if second is None or second.id == actor.id or second.authority_id != actor.authority_id or not second.active \
            or second.role not in (Role.inspector, Role.supervisor):
        errors["second_officer_id"] = _("Choose the second officer (two officers are required).")
    elif not (second.certificate_no or "").strip():
        errors["second_officer_id"] = _("The second officer has no certificate number.")
    if not (actor.certificate_no or "").strip():
        errors["officer"] = _("Your law-enforcement certificate number is missing; ask the administrator.")
    if errors:
        raise Invalid(fields=errors)
    if summons.held:
        raise Conflict(_("This summons is recorded already."), code="already_recorded")
    summons.held_at, summons.attendees, summons.content, summons.outcome = held, attendees, content, outcome
    summons.recorded_by_id = actor.id
    notice = db.session.get(Document, summons.notice_document_id) if summons.notice_document_id else None
    context = {
        "subject_unit": summons.enterprise.name, "principal_name": summons.addressee or "主要负责人",
        "held": _words(held), "reason": summons.reason, "notice_number": notice.number if notice else "",
        "place": summons.place, "attendees": attendees, "content": content, "outcome": outcome,
        "officers": [builders.officer(actor), builders.officer(second)],
    }
    document = documents.issue("summons_record", actor=actor, context=context, hazards=list(summons.hazards),
                               authority=summons.authority, enterprise=summons.enterprise)
    summons.record_document_id = document.id
    db.session.flush()
    return summons


def summonses_of(actor: User, enterprise_id: int | None = None):
    """The summonses ``actor`` may see (an enterprise's history when ``enterprise_id``), newest first."""
    stmt = access.visible(Summons, actor)
    if enterprise_id is not None:
        stmt = stmt.where(Summons.enterprise_id == enterprise_id)
    return stmt.order_by(Summons.scheduled_at.desc(), Summons.id.desc())
