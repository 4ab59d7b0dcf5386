"""The ``scan`` step for deadlines: one overdue event per hazard and deadline, plus reminders."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app import signals
from app.auth.models import Role, User
from app.cli import scan_step
from app.clock import today
from app.extensions import db
from app.hazards import history
from app.hazards.models import Hazard
from app.notifications import service as notify
from workflows.hazard_states import OPEN_STATES


def overdue_candidates(on_day=None):
    on_day = on_day or today()
    return select(Hazard).where(
        Hazard.state.in_(list(OPEN_STATES)), Hazard.deadline < on_day,
        or_(Hazard.overdue_recorded_for.is_(None), Hazard.overdue_recorded_for != Hazard.deadline),
    ).order_by(Hazard.id).execution_options(populate_existing=True)  # fresh deadlines, not cached ones


@scan_step("hazards.overdue")
def scan_overdue() -> dict:
    """Idempotent: a hazard gets one overdue event per deadline; a second run adds nothing."""
    found = reminders = 0
    for hazard in db.session.scalars(overdue_candidates()).all():
        # A plain UPDATE (no version bump): the scan must not make a user's open form stale.
        done = db.session.execute(update(Hazard).where(
            Hazard.id == hazard.id, Hazard.deadline == hazard.deadline,
            or_(Hazard.overdue_recorded_for.is_(None), Hazard.overdue_recorded_for != hazard.deadline),
        ).values(overdue_recorded_for=hazard.deadline).execution_options(synchronize_session=False))
        if done.rowcount != 1:
            continue  # another scan got there first
        db.session.refresh(hazard)  # the row is ours now: read its chain head as it is, not as it was
        days = (today() - hazard.deadline).days
        event = history.append(hazard, "overdue", from_state=hazard.state, to_state=hazard.state,
                               data={"deadline": hazard.deadline, "days_overdue": days})
        found += 1
        text = _("%(code)s %(title)s is overdue: the deadline was %(deadline)s (%(days)s days ago).",
                 code=hazard.code, title=hazard.title, deadline=hazard.deadline.isoformat(), days=days)
        recipients = set(db.session.scalars(select(User.id).where(
            User.enterprise_id == hazard.enterprise_id, User.role == Role.enterprise_manager,
            User.active.is_(True))).all())
        if hazard.responsible_user_id:
            recipients.add(hazard.responsible_user_id)
        for user_id in sorted(recipients):
            if notify.notify(user_id, kind="hazard_overdue", text=text, hazard_id=hazard.id,
                             dedupe_key=f"overdue:{hazard.id}:{hazard.deadline.isoformat()}"):
                reminders += 1
        signals.hazard_overdue.send(hazard, event=event)
    db.session.flush()
    return {"overdue": found, "reminders": reminders}
