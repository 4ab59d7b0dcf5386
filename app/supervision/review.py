"""整改复查: when the authority that ordered a rectification must review it (issue 17 items 3/6).

The review period runs from the enterprise's application for review (its rectification submitted) or
the deadline's end, whichever comes first, and is counted in working days of the one calendar
(``app.workdays``). Its length could not be verified against the rules here (docs/enforcement.md), so
it is the deployment's ``RECTIFICATION_REVIEW_WORKING_DAYS``, with no default: unset, no review date is
shown and no review is a to-do.
"""

from __future__ import annotations

from datetime import date

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, literal, or_, select

from app import todos, workdays
from app.auth.models import Role
from app.clock import to_local, today
from app.extensions import db
from app.hazards.models import Hazard
from workflows import periods
from workflows.hazard_states import HazardSource, HazardState

CONFIG = "RECTIFICATION_REVIEW_WORKING_DAYS"
REVIEWED_STATES = (HazardState.rectifying, HazardState.pending_review)


def check_config(value) -> None:
    """Refused at start, not at the first page: a positive whole number of working days, or unset."""
    if value in (None, ""):
        return
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RuntimeError(f"SHUANGKONG_{CONFIG}={value!r}: a positive whole number of working days, or unset")


def period() -> periods.Period | None:
    amount = current_app.config.get(CONFIG)
    return periods.rectification_review(int(amount)) if amount else None


def _due(deadline: date | None, submitted_at, state, length: periods.Period) -> date | None:
    if deadline is None or state not in REVIEWED_STATES:
        return None
    applied_on = to_local(submitted_at).date() if state == HazardState.pending_review and submitted_at else None
    return workdays.period_end(length, periods.review_start(deadline, applied_on))


def review_due(hazard: Hazard) -> date | None:
    """The last day of the authority's review of a rectification it ordered (None: not such a hazard,
    not waiting for a review, or no period configured)."""
    length = period()
    if length is None or hazard.source != HazardSource.government_inspection or not hazard.found_by_authority_id:
        return None
    return _due(hazard.deadline, hazard.submitted_at, hazard.state, length)


def _to_review(user):
    """The ordering authority's inspectors: its hazards submitted for review, or past their deadline
    unsubmitted (the review falls due from the deadline's end), each due by the period's last day."""
    length = period()
    if user.role != Role.inspector or not user.authority_id or length is None:
        return None
    on = today()
    stmt = (select(Hazard.id, Hazard.code + literal(" ") + Hazard.title, Hazard.deadline, Hazard.submitted_at,
                   Hazard.state)
            .where(Hazard.source == HazardSource.government_inspection,
                   Hazard.found_by_authority_id == user.authority_id, Hazard.deadline.is_not(None),
                   or_(Hazard.state == HazardState.pending_review,
                       and_(Hazard.state == HazardState.rectifying, Hazard.deadline < on)))
            .order_by(Hazard.deadline, Hazard.id).limit(todos.CAP + 1))
    return [(hazard_id, title, _due(deadline, submitted_at, state, length))
            for hazard_id, title, deadline, submitted_at, state in db.session.execute(stmt)]


def register() -> None:
    todos.register("rectification_review", label=_l("Rectification reviews due"), object_type="hazard",
                   rows=_to_review, link=lambda hazard_id: url_for("hazards.show", hazard_id=hazard_id))
