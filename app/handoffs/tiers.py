"""The reminder tiers kept in the UI (issue 16 item 3: "the tiers are configurable per region"): the admin
keeps the default set of each subject and any region's own set; an authority's administrator keeps the
sets of the regions of his authority's subtree. A region's own set replaces its parent's (nearest region
first, ``reminders.Tiers.for_region``); saving it empty returns the region to its parent's.

Use cases ``(actor, region_id, **fields)``: check permission inside, never commit; each change is
recorded in the audit log (before → after).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_pgettext
from sqlalchemy import delete, select

from app import access, admin_log
from app.auth.models import Role, User
from app.errors import Forbidden, Invalid, NotFound
from app.extensions import db
from app.handoffs.models import AUDIENCES, DEFAULT_TIERS, SUBJECTS, ReminderTier
from app.organisations.models import Region

# Days from the deadline a tier may sit at: two months before it to a year after it.
MIN_OFFSET, MAX_OFFSET = -60, 365

SUBJECT_LABELS = {
    "hazard": lazy_pgettext("reminders", "Rectification deadline of a hazard"),
    "progress": lazy_pgettext("reminders", "Monthly progress report of a listed hazard"),
    "report": lazy_pgettext("reminders", "Periodic report (quarterly and annual)"),
}
AUDIENCE_LABELS = {
    "responsible": lazy_pgettext("reminders", "The person in charge (next in line)"),
    "manager": lazy_pgettext("reminders", "The enterprise's safety managers"),
    "principal": lazy_pgettext("reminders", "The enterprise's principal"),
    "enterprise": lazy_pgettext("reminders", "The enterprise's safety managers and principal"),
    "authority": lazy_pgettext("reminders", "The supervising authority"),
}



def offset_label(offset: int) -> str:
    if offset < 0:
        return _("%(n)s day(s) before", n=-offset)
    if offset == 0:
        return _("on the day")
    return _("%(n)s day(s) overdue", n=offset)


rules = access.Rules()


@rules("reminder_tiers.edit")
def _edit(user: User, region: Region | None) -> bool:
    if user.role == Role.admin:
        return True
    if user.role != Role.authority_admin or region is None:
        return False  # the default sets are the admin's
    path = access.authority_region_path(user)
    return bool(path) and region.path.startswith(path)


def may_edit_any(user: User) -> bool:
    return user.role in (Role.admin, Role.authority_admin)


def region_for(actor: User, region_id) -> Region | None:
    """The region of a set (None: the default set). One outside an authority admin's subtree is absent."""
    if region_id in (None, ""):
        if not access.can(actor, "reminder_tiers.edit", None):
            raise Forbidden()
        return None
    try:
        region = db.session.get(Region, int(region_id))
    except (TypeError, ValueError, OverflowError):
        region = None
    if region is None:
        raise NotFound()
    if not access.can(actor, "reminder_tiers.edit", region):
        if actor.role == Role.authority_admin:
            raise NotFound()
        raise Forbidden()
    return region


def _subject(subject) -> str:
    if subject not in SUBJECTS:
        raise Invalid(fields={"subject": _("Choose what is reminded.")})
    return subject


def rows_of(region_id: int | None, subject: str) -> list[tuple[int, str]]:
    """The set's own tiers (offset, audience) in order; the defaults in a database built without them."""
    rows = [(o, a) for o, a in db.session.execute(
        select(ReminderTier.offset_days, ReminderTier.audience).where(
            ReminderTier.region_id.is_(None) if region_id is None else ReminderTier.region_id == region_id,
            ReminderTier.subject == subject).order_by(ReminderTier.offset_days))]
    if not rows and region_id is None and not db.session.scalar(select(ReminderTier.id).limit(1)):
        rows = [(o, a) for s, o, a in DEFAULT_TIERS if s == subject]
    return rows


def effective(region: Region | None, subject: str) -> tuple[Region | None, list[tuple[int, str]]]:
    """The set in force for a region: its own, else the nearest region's above it, else the default."""
    if region is not None:
        ids = [int(i) for i in (region.path or "").strip("/").split("/") if i]
        for region_id in reversed(ids):
            own = rows_of(region_id, subject)
            if own:
                return db.session.get(Region, region_id), own
    return None, rows_of(None, subject)


def sets(actor: User) -> list[dict]:
    """The sets the actor may see and edit: the defaults (admin), then each region's own set."""
    out = []
    if access.can(actor, "reminder_tiers.edit", None):
        for subject in SUBJECTS:
            out.append({"region": None, "subject": subject, "tiers": rows_of(None, subject)})
    regions = db.session.scalars(select(Region).where(Region.id.in_(
        select(ReminderTier.region_id).where(ReminderTier.region_id.is_not(None)))).order_by(Region.path)).all()
    for region in regions:
        if not access.can(actor, "reminder_tiers.edit", region):
            continue
        for subject in SUBJECTS:
            own = rows_of(region.id, subject)
            if own:
                out.append({"region": region, "subject": subject, "tiers": own})
    return out


def regions(actor: User) -> list[Region]:
    """The regions whose sets the actor may edit (to start a region's own set)."""
    stmt = select(Region).order_by(Region.path)
    if actor.role != Role.admin:
        path = access.authority_region_path(actor)
        if not path:
            return []
        stmt = stmt.where(Region.id.in_(access.region_subtree(path)))
    return list(db.session.scalars(stmt))


def _clean(tiers: list[dict], default_set: bool) -> list[tuple[int, str]]:
    """Rows ``{offset_days, audience}`` as typed (empty rows skipped) → (offset, audience), or Invalid
    naming each bad row's field (``offset_days-3``)."""
    errors: dict[str, str] = {}
    out: list[tuple[int, str]] = []
    seen: dict[int, int] = {}
    for i, row in enumerate(tiers):
        raw, audience = str(row.get("offset_days") or "").strip(), str(row.get("audience") or "").strip()
        if not raw and not audience:
            continue
        try:
            offset = int(raw)
        except ValueError:
            errors[f"offset_days-{i}"] = _("Enter a whole number of days: negative before the deadline, 0 on "
                                           "the day, positive when overdue.")
            continue
        if not MIN_OFFSET <= offset <= MAX_OFFSET:
            errors[f"offset_days-{i}"] = _("Between %(a)s and %(b)s days.", a=MIN_OFFSET, b=MAX_OFFSET)
            continue
        if audience not in AUDIENCES:
            errors[f"audience-{i}"] = _("Choose who is reminded.")
            continue
        if audience == "authority" and offset <= 0:
            errors[f"audience-{i}"] = _("The authority is told only once the deadline has passed.")
            continue
        if offset in seen:
            errors[f"offset_days-{i}"] = _("Another tier already falls on this day.")
            continue
        seen[offset] = i
        out.append((offset, audience))
    if not errors and default_set and not out:
        errors["tiers"] = _("The default set keeps at least one tier.")
    if errors:
        raise Invalid(fields=errors)
    return sorted(out)


def set_tiers(actor: User, region_id, *, subject, tiers: list[dict]) -> list[ReminderTier]:
    """Replace a set: the default set of ``subject`` (region None) or a region's own."""
    region = region_for(actor, region_id)
    subject = _subject(subject)
    clean = _clean(tiers, region is None)
    rid = region.id if region is not None else None
    before = rows_of(rid, subject)
    if not db.session.scalar(select(ReminderTier.id).limit(1)):  # a database built without the migration
        db.session.add_all([ReminderTier(region_id=None, subject=s, offset_days=o, audience=a)
                            for s, o, a in DEFAULT_TIERS])
        db.session.flush()
    db.session.execute(delete(ReminderTier).where(
        ReminderTier.region_id.is_(None) if rid is None else ReminderTier.region_id == rid,
        ReminderTier.subject == subject))
    made = [ReminderTier(region_id=rid, subject=subject, offset_days=o, audience=a) for o, a in clean]
    db.session.add_all(made)
    admin_log.record(actor, "reconfigure", "reminder_tiers", object_id=rid,
                     before={"subject": subject, "tiers": before}, after={"subject": subject, "tiers": clean},
                     summary=f"{subject}: {region.name if region else 'default'}", region_id=rid)
    db.session.flush()
    return made
