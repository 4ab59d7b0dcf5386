"""Reminders of the periodic report (隐患排查治理情况统计分析表, app/dashboard/reports.py) through the tiered
reminder mechanism of app/handoffs/reminders.py: the tiers of subject ``report`` (``reminder_tiers``, per
region) before, on and after its due date (a quarter's by the 15th of the month after it, a year's by 31
January), until the report is submitted. Run by ``shuangkong scan`` (step ``report reminders``).

Set-based, as the hazards' reminders: for the period whose due date is near, SQL selects the enterprises
without a submitted report whose reminders have not reached today's offset (``reminders_sent``), a batch
at a time by id; each gets its region's highest tier now due and not yet sent, once, recorded in
``reminders_sent`` (who was told, when) and sent by one INSERT per batch; the offset reached is recorded
too, so a second scan the same day selects nothing.

Who is told at ``responsible``: the next in line of the report's own hand-off (no report yet or a draft:
the safety managers, who generate and review it; reviewed: the principal, who signs it; signed: the
managers, who submit it).
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.auth.models import Role
from app.cli import SCAN_BATCH, end_batch
from app.clock import today
from app.dashboard.models import PeriodicReport, ReportState
from app.dashboard.reports import due_date, previous_period
from app.extensions import db
from app.handoffs import people
from app.handoffs.models import ReminderSent
from app.handoffs.reminders import CATCH_UP_DAYS, STAFF_ROLES, Tiers, due_tier, nearest_authorities
from app.notifications import service as notifications
from app.organisations import staff as enterprise_staff
from app.organisations.models import Enterprise, Region

SUBJECT = "report"


def periods(on_day: date) -> list[str]:
    """The reports whose due date may be near: the quarter that ended last, and the year before."""
    return [previous_period(on_day), str(on_day.year - 1)]


def _step(state: ReportState | None) -> str:
    if state == ReportState.reviewed:
        return _("sign it")
    if state == ReportState.approved:
        return _("submit the signed report to the authority")
    return _("generate it from your data and review it")


def _text(period: str, due: date, reached: int, audience: str, state, enterprise: str) -> str:
    if audience == "authority":
        return _("%(enterprise)s has not submitted its periodic report for %(period)s, due %(due)s (%(days)s "
                 "day(s) overdue); please follow it up.", enterprise=enterprise, period=period, due=due.isoformat(),
                 days=reached)
    if reached < 0:
        return _("The periodic report for %(period)s is due on %(due)s, in %(days)s day(s): please %(step)s.",
                 period=period, due=due.isoformat(), days=-reached, step=_step(state))
    if reached == 0:
        return _("The periodic report for %(period)s is due today: please %(step)s.", period=period,
                 step=_step(state))
    return _("The periodic report for %(period)s is %(days)s day(s) overdue (due %(due)s): please %(step)s.",
             period=period, due=due.isoformat(), days=reached, step=_step(state))


def _recipients(audience: str, state, staff: dict, authority_people: list[int]) -> list[int]:
    managers, principals = staff.get(Role.enterprise_manager, []), staff.get(Role.enterprise_principal, [])
    if audience == "responsible":
        return principals if state == ReportState.reviewed else managers
    if audience == "manager":
        return managers
    if audience == "principal":
        return principals
    if audience == "enterprise":
        return managers + principals
    if audience == "authority":
        return authority_people
    return []


def scan_period(period: str, tiers: Tiers, on_day: date, batch: int) -> dict:
    due = due_date(period)
    reached = (on_day - due).days
    # The furthest offset any region uses that today reached, within the catch-up days (a scan stopped
    # for longer does not chase a report long past).
    offset = next((o for o in tiers.offsets(SUBJECT) if o <= reached), None)
    counts = {"reports_reminded": 0, "report_reminders": 0}
    if offset is None or reached > offset + CATCH_UP_DAYS:
        return counts
    submitted = select(PeriodicReport.id).where(PeriodicReport.enterprise_id == Enterprise.id,
                                                PeriodicReport.period == period,
                                                PeriodicReport.state == ReportState.submitted).exists()
    reached_done = select(ReminderSent.id).where(
        ReminderSent.subject == SUBJECT, ReminderSent.object_id == Enterprise.id, ReminderSent.period == period,
        ReminderSent.offset_days >= offset).exists()
    state_of = select(PeriodicReport.state).where(PeriodicReport.enterprise_id == Enterprise.id,
                                                  PeriodicReport.period == period).scalar_subquery()
    authorities: dict[int | None, list[int]] = {}
    after = 0
    while True:
        rows = db.session.execute(
            select(Enterprise.id, Enterprise.name, Region.path, state_of.label("state"))
            .join(Region, Region.id == Enterprise.region_id)
            .where(Enterprise.id > after, ~submitted, ~reached_done).order_by(Enterprise.id).limit(batch)).all()
        if not rows:
            break
        after = rows[-1][0]
        ids = {r[0] for r in rows}
        done = dict(db.session.execute(
            select(ReminderSent.object_id, func.max(ReminderSent.offset_days)).where(
                ReminderSent.subject == SUBJECT, ReminderSent.period == period, ReminderSent.object_id.in_(ids))
            .group_by(ReminderSent.object_id)).all())
        staff = enterprise_staff.by_role(ids, STAFF_ROLES)
        nearest = nearest_authorities({r[0]: r[2] for r in rows})
        records, messages = [], []
        for enterprise_id, name, path, state in rows:
            state = ReportState(state) if state else None
            tier = due_tier(tiers.for_region(path, SUBJECT), reached, done.get(enterprise_id))
            if tier is not None:
                tier_offset, audience = tier
                authority_id = nearest.get(enterprise_id)
                if audience == "authority" and authority_id not in authorities:
                    authorities[authority_id] = people.of_authority(authority_id, *people.GOVERNMENT)
                recipients = list(dict.fromkeys(_recipients(audience, state, staff.get(enterprise_id, {}),
                                                            authorities.get(authority_id, []))))
                records.append({"offset_days": tier_offset, "audience": audience, "recipients": recipients,
                                "object_id": enterprise_id})
                text = _text(period, due, reached, audience, state, name)
                messages += [{"user_id": u, "kind": "report_due", "text": text, "hazard_id": None,
                              "dedupe_key": f"report:{enterprise_id}:{period}:{tier_offset}"} for u in recipients]
                counts["reports_reminded"] += 1
            if tier is None or tier[0] < offset:  # the offset reached is done too: tomorrow starts from it
                records.append({"offset_days": offset, "audience": None, "recipients": [], "object_id": enterprise_id})
        db.session.execute(ReminderSent.__table__.insert(), [
            {"subject": SUBJECT, "period": period, "due_on": due, **r} for r in records])
        counts["report_reminders"] += len(notifications.notify_many(messages))
        end_batch()
        if len(rows) < batch:
            break
    return counts


def scan_step(batch: int | None = None, on_day: date | None = None) -> dict:
    on_day = on_day or today()
    tiers = Tiers()
    counts = {"reports_reminded": 0, "report_reminders": 0}
    for period in periods(on_day):
        for key, n in scan_period(period, tiers, on_day, batch or SCAN_BATCH).items():
            counts[key] += n
    return counts


def sent_for(enterprise_id: int, period: str) -> list[ReminderSent]:
    """The reminders sent for an enterprise's report of ``period`` (the report page shows them)."""
    return list(db.session.scalars(select(ReminderSent).where(
        ReminderSent.subject == SUBJECT, ReminderSent.object_id == enterprise_id, ReminderSent.period == period,
        ReminderSent.audience.is_not(None)).order_by(ReminderSent.sent_at, ReminderSent.offset_days)))

