"""The hazards' to-do sources (app/todos.py): to confirm, to rectify, to review, extension requests to
decide, treatment plans to approve. Each is one SELECT of (hazard id, "code title", deadline) whose rows
are exactly the hazards waiting for the user, by the same rules as ``policy.py``."""

from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import and_, false, func, literal, not_, or_, select

from app import access, signals, todos
from app.auth.models import Role
from app.hazards.models import PLAN_SECTIONS, Hazard, TreatmentPlan
from workflows.hazard_states import OPEN_STATES, HazardLevel, HazardSource, HazardState


def _listed(authority_id: int | None = None):
    """Hazards with an active listing (by that authority), as supervision answers; none without it."""
    condition = signals.listed_condition.first(authority_id)
    return condition if condition is not None else false()

def _columns():
    return select(Hazard.id, Hazard.code + literal(" ") + Hazard.title, Hazard.deadline)


def _link(hazard_id: int) -> str:
    return url_for("hazards.show", hazard_id=hazard_id)


def _major():
    return func.coalesce(Hazard.level, HazardLevel.general) == HazardLevel.major


def reviewer_condition(user):
    """SQL twin of ``policy.may_review``: the hazards whose rectification ``user`` reviews (or whose
    deadline he extends). None: his role reviews none."""
    government = or_(Hazard.source == HazardSource.government_inspection, _major(), _listed())
    if user.role == Role.enterprise_manager and user.enterprise_id:
        return and_(Hazard.enterprise_id == user.enterprise_id, not_(government))
    if user.role == Role.inspector and user.authority_id:
        return or_(_listed(user.authority_id), and_(
            government, not_(_listed()), or_(
                Hazard.found_by_authority_id == user.authority_id,
                and_(Hazard.found_by_authority_id.is_(None),
                     access.enterprise_condition(Hazard.enterprise_id, user)))))
    return None


def _to_confirm(user):
    if user.role == Role.enterprise_manager and user.enterprise_id:
        mine = Hazard.enterprise_id == user.enterprise_id
    elif user.role == Role.inspector and user.authority_id:
        mine = Hazard.found_by_authority_id == user.authority_id
    else:
        return None
    return _columns().where(Hazard.state == HazardState.reported, mine)


def _to_rectify(user):
    if not user.role.is_enterprise:
        return None
    return _columns().where(Hazard.state == HazardState.rectifying, Hazard.responsible_user_id == user.id)


def _to_review(user):
    condition = reviewer_condition(user)
    if condition is None:
        return None
    not_mine = or_(Hazard.submitted_by_id.is_(None), Hazard.submitted_by_id != user.id)
    return _columns().where(Hazard.state == HazardState.pending_review, not_mine, condition)


def _extensions_to_decide(user):
    condition = reviewer_condition(user)
    if condition is None:
        return None
    return (select(Hazard.id, Hazard.code + literal(" ") + Hazard.title, Hazard.extension_requested)
            .where(Hazard.state == HazardState.rectifying, Hazard.extension_requested.is_not(None), condition))


def _plans_to_approve(user):
    if user.role != Role.enterprise_principal or not user.enterprise_id:
        return None
    complete = [func.length(func.trim(func.coalesce(getattr(TreatmentPlan, name), ""))) > 0
                for name in PLAN_SECTIONS]
    return (_columns().join(TreatmentPlan, TreatmentPlan.hazard_id == Hazard.id)
            .where(Hazard.enterprise_id == user.enterprise_id, Hazard.state.in_(list(OPEN_STATES)),
                   TreatmentPlan.approved_at.is_(None), TreatmentPlan.workers_congress_reported_on.is_not(None),
                   *complete))


def register() -> None:
    todos.register("hazard_confirm", label=lazy_pgettext("hazards", "Hazards to confirm"), object_type="hazard", query=_to_confirm,
                   link=_link)
    todos.register("hazard_rectify", label=_l("Hazards to rectify"), object_type="hazard", query=_to_rectify,
                   link=_link)
    todos.register("hazard_review", label=lazy_pgettext("hazards", "Rectifications to review"), object_type="hazard",
                   query=_to_review, link=_link)
    todos.register("extension_decide", label=_l("Extension requests to decide"), object_type="hazard",
                   query=_extensions_to_decide, link=_link)
    todos.register("plan_approve", label=_l("Treatment plans to approve"), object_type="hazard",
                   query=_plans_to_approve, link=lambda hazard_id: url_for("hazards.plan", hazard_id=hazard_id))
