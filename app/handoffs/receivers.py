"""Hand-offs: whoever is next in line is told, in words that say what to do ("请验收 YH-2026-0018 …").

Connected to the signals of app/signals.py (sent inside the transaction that caused them), so no service
knows about notifications: each reminder is a row of ``notifications`` (and its deliveries are jobs that
start after the commit). Dedupe keys name the event, so a receiver that runs twice tells nobody twice.
"""

from __future__ import annotations

from flask_babel import gettext as _

from app import signals
from app.auth.models import Role
from app.extensions import db
from app.handoffs import people
from app.notifications import service as notifications
from app.supervision.models import Listing
from app.supervision.service import rule_text


def _tell(user_ids, *, kind: str, text: str, key: str, hazard_id: int | None = None, actor=None) -> int:
    """One reminder per person (not the actor himself); how many were new."""
    actor_id = getattr(actor, "id", None)
    sent = 0
    for user_id in dict.fromkeys(user_ids):
        if user_id is None or user_id == actor_id:
            continue
        sent += notifications.notify(user_id, kind=kind, text=text, dedupe_key=f"{key}:{user_id}"[:128],
                                     hazard_id=hazard_id) is not None
    return sent


def _name(hazard) -> str:
    return f"{hazard.code} {hazard.title}"


def _date(value) -> str:
    return value.isoformat() if value else "-"


# --- hazards -------------------------------------------------------------------------------------

def on_hazard_created(hazard, actor=None, **_kw) -> None:
    """A new report → the enterprise's managers confirm it. (A government-found hazard comes with its
    rectification order, which tells them instead.)"""
    if hazard.found_by_authority_id is not None:
        return
    _tell(people.of_enterprise(hazard.enterprise_id, Role.enterprise_manager), kind="todo_confirm",
          text=_("Please confirm %(hazard)s: newly reported by %(name)s; set the level, the responsible "
                 "person and the deadline.", hazard=_name(hazard), name=getattr(actor, "display_name", "")),
          key=f"reported:{hazard.id}", hazard_id=hazard.id, actor=actor)


def on_hazard_transitioned(hazard, trigger=None, actor=None, event=None, data=None, **_kw) -> None:
    handler = _TRANSITIONS.get(trigger)
    if handler is not None:
        handler(hazard, actor, event, data or {})


def _submitted(hazard, actor, event, _data) -> None:
    _tell(people.reviewers(hazard), kind="todo_review",
          text=_("Please review %(hazard)s: %(name)s submitted the rectification; accept it or send it back.",
                 hazard=_name(hazard), name=getattr(actor, "display_name", "")),
          key=f"submitted:{hazard.id}:{event.seq}", hazard_id=hazard.id, actor=actor)


def _reassigned(hazard, actor, event, data) -> None:
    _tell([hazard.responsible_user_id], kind="hazard_reassign",
          text=_("Please rectify %(hazard)s by %(deadline)s: you are now the person responsible (reason: "
                 "%(reason)s).", hazard=_name(hazard), deadline=_date(hazard.deadline),
                 reason=(data.get("reason") or "").strip()),
          key=f"reassigned:{hazard.id}:{event.seq}", hazard_id=hazard.id, actor=actor)


def _extension_requested(hazard, actor, event, data) -> None:
    _tell(people.reviewers(hazard), kind="todo_extension",
          text=_("Please decide the extension request of %(hazard)s: %(name)s asks for %(deadline)s instead of "
                 "%(current)s (reason: %(reason)s).", hazard=_name(hazard),
                 name=getattr(actor, "display_name", ""), deadline=_date(hazard.extension_requested),
                 current=_date(hazard.deadline), reason=(data.get("reason") or "").strip()),
          key=f"extension-asked:{hazard.id}:{event.seq}", hazard_id=hazard.id, actor=actor)


def _extension_decided(hazard, actor, event, data) -> None:
    if (event.data or {}).get("granted"):
        text = _("Your extension request for %(hazard)s is granted: rectify by %(deadline)s.",
                 hazard=_name(hazard), deadline=_date(hazard.deadline))
    else:
        text = _("Your extension request for %(hazard)s is refused (%(reason)s): rectify by %(deadline)s.",
                 hazard=_name(hazard), reason=(data.get("reason") or "").strip(), deadline=_date(hazard.deadline))
    _tell([hazard.responsible_user_id], kind="hazard_extension_decided", text=text,
          key=f"extension-decided:{hazard.id}:{event.seq}", hazard_id=hazard.id, actor=actor)


_TRANSITIONS = {
    "submit": _submitted, "reassign": _reassigned, "request_extension": _extension_requested,
    "decide_extension": _extension_decided,
}


def on_plan_saved(plan, actor=None, hazard=None, **_kw) -> None:
    """A complete plan waiting for approval → the principal approves it (told once per version of it)."""
    if hazard is None or not plan.is_complete or plan.approved_at is not None:
        return
    _tell(people.of_enterprise(hazard.enterprise_id, Role.enterprise_principal), kind="todo_plan",
          text=_("Please approve the treatment plan of %(hazard)s: it is complete and waits for your approval.",
                 hazard=_name(hazard)),
          key=f"plan:{hazard.id}:{hazard.chain_seq}", hazard_id=hazard.id, actor=actor)


# --- supervision and documents ---------------------------------------------------------------------

def on_listing_proposed(listing, **_kw) -> None:
    """A proposal → the supervisors of the authority it was routed to decide it."""
    hazard = listing.hazard
    _tell(people.of_authority(listing.authority_id, Role.supervisor), kind="todo_listing",
          text=_("Please decide whether to list %(hazard)s of %(enterprise)s for supervision (rule: %(rule)s).",
                 hazard=_name(hazard), enterprise=listing.enterprise.name, rule=rule_text(listing.rule)),
          key=f"proposal:{listing.id}", hazard_id=hazard.id)


def on_document_issued(document, actor=None, **_kw) -> None:
    """A notice, order or opinion issued to an enterprise → its managers and principal, told what to do."""
    kind = getattr(document.kind, "value", document.kind)
    hazards = list(document.hazards or [])
    first = hazards[0] if hazards else None
    if kind == "supervision_notice" and first is not None:
        text = _("%(hazard)s is listed for supervision (notice %(number)s): rectify it by %(deadline)s and "
                 "file a progress report every month from its page.", hazard=_name(first), number=document.number,
                 deadline=_date(getattr(_listing(document), "deadline", None) or first.deadline))
    elif kind == "delisting_notice" and first is not None:
        text = _("%(hazard)s is delisted (notice %(number)s): keep the notice with the hazard's records.",
                 hazard=_name(first), number=document.number)
    elif kind == "rectification_order":
        text = _("Rectification order %(number)s: rectify its %(n)s item(s) by the deadlines it sets and submit "
                 "each for review.", number=document.number, n=len(hazards))
    elif kind == "review_opinion":
        text = _("Review opinion %(number)s: read the result of the review; items not accepted must be "
                 "rectified again.", number=document.number)
    else:
        return
    _tell(people.of_enterprise(document.enterprise_id, Role.enterprise_manager, Role.enterprise_principal),
          kind=f"document_{kind}", text=text, key=f"document:{document.id}",
          hazard_id=first.id if first is not None else None, actor=actor)


def _listing(document):
    if not document.listing_id:
        return None

    return db.session.get(Listing, document.listing_id)


def connect() -> None:
    """From handoffs' init_app (keyed entries: building the app again replaces them)."""

    signals.hazard_created.connect(on_hazard_created)
    signals.hazard_transitioned.connect(on_hazard_transitioned)
    signals.plan_saved.connect(on_plan_saved)
    signals.listing_proposed.connect(on_listing_proposed)
    signals.document_issued.connect(on_document_issued)
