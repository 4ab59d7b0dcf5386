"""On-site inspections (现场检查): problems found become government-found hazards, listed in the
rectification order (责令限期整改指令书); reviewing them produces the review opinion (整改复查意见书).

No commit here. Everything of one inspection (hazards, items, the order and its number) is created
in the caller's transaction, so a refusal at any step leaves nothing and consumes no number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from flask_babel import gettext as _
from sqlalchemy import select

from app import access, signals, storage
from app.auth.models import Role, User
from app.clock import today
from app.documents import service as documents
from app.errors import Invalid
from app.extensions import db
from app.hazards import service as hazards
from app.organisations.models import Enterprise
from app.supervision.models import Inspection, InspectionItem, MajorHazardCriterion, Provision
from workflows.hazard_states import HazardSource, HazardState

MAX_ITEMS = 50
ORDER_MEASURES = "按责令限期整改指令书的要求限期整改完毕"


@dataclass
class Problem:
    title: str
    description: str = ""
    deadline: date | None = None
    location: str = ""
    measures: str = ""
    provision: str = ""  # 依据条款 as typed; or ``provision_id`` from the provisions table
    provision_id: int | None = None
    major: bool = False  # judged a major accident hazard against ``criterion_id`` (required then)
    criterion_id: int | None = None
    photos: list[tuple[str, bytes]] = field(default_factory=list)  # (filename, bytes) taken on site


MAX_PHOTOS = 6  # per problem: the record prints them as thumbnails


def _check_photos(problems: list[Problem], errors: dict) -> None:
    """Photos are photos (checked by content, the storage's rules), named by their problem's number."""
    for i, problem in enumerate(problems, start=1):
        if len(problem.photos) > MAX_PHOTOS:
            errors["problems"] = _("Problem %(n)d: at most %(max)d photos.", n=i, max=MAX_PHOTOS)
            return
        for filename, data in problem.photos:
            try:
                storage.check_upload(data or b"", filename, allow_pdf=False, field_name="problems")
            except Invalid as exc:
                errors["problems"] = _("Problem %(n)d: %(message)s", n=i, message="".join(exc.fields["problems"]))
                return


def _references(problems: list[Problem], errors: dict) -> dict:
    """position -> (provision text, provision row, criterion row) of each problem; an unknown or
    withdrawn provision or criterion, or a major problem without the clause it was judged against, is
    named in ``errors["problems"]``."""
    found: dict[int, tuple] = {}
    for i, problem in enumerate(problems, start=1):
        provision = db.session.get(Provision, problem.provision_id) if problem.provision_id else None
        criterion = db.session.get(MajorHazardCriterion, problem.criterion_id) if problem.criterion_id else None
        text = (problem.provision or "").strip() or (provision.citation if provision else "")
        if problem.provision_id and (provision is None or not provision.active):
            errors["problems"] = _("Problem %(n)d: choose a provision of the table.", n=i)
        elif problem.criterion_id and (criterion is None or not criterion.active):
            errors["problems"] = _("Problem %(n)d: choose a clause of the criteria.", n=i)
        elif problem.major and criterion is None:
            errors["problems"] = _("Problem %(n)d: a major accident hazard is judged against a clause of the "
                                   "criteria; choose it.", n=i)
        elif criterion is not None and not problem.major:
            errors["problems"] = _("Problem %(n)d: a clause of the criteria is only for a major accident hazard.",
                                   n=i)
        elif len(text) > 500 or len((problem.location or "").strip()) > 200:
            errors["problems"] = _("Problem %(n)d: at most 200 characters.", n=i)
        if "problems" in errors:
            break
        found[i] = (text, provision, criterion)
    return found


def _validate(actor: User, *, inspected_on, start_time, end_time, second_officer, problems) -> dict:
    errors: dict[str, str] = {}
    if not isinstance(inspected_on, date):
        errors["inspected_on"] = _("Enter the date of the inspection.")
    elif inspected_on > today():
        errors["inspected_on"] = _("The inspection cannot be in the future.")
    if not isinstance(start_time, time):
        errors["start_time"] = _("Enter the start time.")
    if not isinstance(end_time, time):
        errors["end_time"] = _("Enter the end time.")
    elif isinstance(start_time, time) and end_time <= start_time:
        errors["end_time"] = _("The end time must be after the start time.")
    if not actor.certificate_no:
        errors["officer"] = _("Your law-enforcement certificate number is missing; ask the administrator.")
    if second_officer is None:
        errors["second_officer_id"] = _("Choose the second officer (two officers are required).")
    elif second_officer.id == actor.id:
        errors["second_officer_id"] = _("The second officer must be another person.")
    elif (second_officer.role != Role.inspector or second_officer.authority_id != actor.authority_id
          or not second_officer.active):
        errors["second_officer_id"] = _("The second officer must be an inspector of your authority.")
    elif not second_officer.certificate_no:
        errors["second_officer_id"] = _("The second officer has no certificate number.")
    if not problems:
        errors["problems"] = _("List at least one problem found.")
    elif len(problems) > MAX_ITEMS:
        errors["problems"] = _("At most %(n)d problems per order.", n=MAX_ITEMS)
    else:
        for i, problem in enumerate(problems, start=1):
            if not (problem.title or "").strip():
                errors["problems"] = _("Problem %(n)d has no description.", n=i)
                break
            if len(problem.title) > 200:
                errors["problems"] = _("Problem %(n)d: at most 200 characters.", n=i)
                break
            if problem.deadline is None:
                errors["problems"] = _("Problem %(n)d has no deadline.", n=i)
                break
            if problem.deadline <= today():
                errors["problems"] = _("Problem %(n)d: the deadline must be in the future.", n=i)
                break
    return errors


def record(actor: User, *, enterprise_id: int, inspected_on: date, start_time: time, end_time: time,
           second_officer_id: int | None, problems: list[Problem], place: str = "",
           findings: str = "", enterprise_person: str = "", origin: str = "") -> Inspection:
    """Record the inspection, one government-found hazard per problem (a major one regraded major
    with the clause it was judged against, so its treatment-plan and listing rules apply), and issue
    the order and the printed record (现场检查记录). ``origin``: what it was started from (a token the
    feature that issued it understands, see ``signals.inspection_recorded``)."""
    # Outside his region the enterprise does not exist for him (404 before anything is created).
    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    access.require(actor, "inspection.create", enterprise)
    second = db.session.get(User, second_officer_id) if second_officer_id else None
    errors = _validate(actor, inspected_on=inspected_on, start_time=start_time, end_time=end_time,
                       second_officer=second, problems=problems)
    references = _references(problems, errors) if "problems" not in errors else {}
    if "problems" not in errors:
        _check_photos(problems, errors)
    if len((enterprise_person or "").strip()) > 64:
        errors["enterprise_person"] = _("At most 64 characters.")
    if errors:
        raise Invalid(fields=errors)
    inspection = Inspection(
        authority_id=actor.authority_id, enterprise_id=enterprise.id, inspected_on=inspected_on,
        start_time=start_time, end_time=end_time, place=(place or "").strip()[:255],
        officer_id=actor.id, second_officer_id=second.id, findings=(findings or "").strip(),
        enterprise_person=(enterprise_person or "").strip(), created_by_id=actor.id)
    db.session.add(inspection)
    responsible = responsible_at(enterprise)
    for position, problem in enumerate(problems, start=1):
        hazard = hazards.create_hazard(
            actor, enterprise=enterprise, title=problem.title.strip(), description=problem.description.strip(),
            location=problem.location.strip(), source=HazardSource.government_inspection,
            found_by_authority=actor.authority,
            attachments=[("before", filename, data) for filename, data in problem.photos],
            # Recorded with the report when nobody can confirm yet (the history must set it).
            deadline=problem.deadline if responsible is None else None)
        if responsible is not None:
            # The order is the confirmation: level, deadline and measures are the inspector's.
            hazard = hazards.fire(hazard.id, "confirm", actor, level="general", deadline=problem.deadline,
                                  responsible_user_id=responsible.id,
                                  measures=problem.measures.strip() or ORDER_MEASURES)
        provision_text, provision, criterion = references[position]
        if problem.major:
            # Judged major on site: the hazard becomes major through the regrade trigger (with its
            # event), which brings the treatment-plan rule and the listing proposals.
            hazard = hazards.fire(hazard.id, "regrade", actor, level="major",
                                  reason=f"现场检查判定为重大事故隐患：{criterion.citation}")
        inspection.items.append(InspectionItem(
            position=position, hazard=hazard, deadline=problem.deadline, provision=provision_text,
            provision_id=provision.id if provision else None, major=bool(problem.major),
            criterion_id=criterion.id if criterion else None,
            criterion_text=f"{criterion.citation}：{criterion.text}" if criterion else ""))
    db.session.flush()
    # Built from this record by the documents service (officers, items, deadlines, date); it links
    # the order and the record to the inspection.
    documents.issue("rectification_order", actor=actor, context={}, inspection=inspection)
    documents.issue("inspection_record", actor=actor, context={}, inspection=inspection)
    signals.inspection_recorded.send(inspection, actor=actor, origin=(origin or "").strip())
    return inspection


@dataclass
class Verdict:
    item_id: int
    action: str  # "accept" | "reject" | "" (not reviewed now: counted as not rectified)
    reason: str = ""
    new_deadline: date | None = None


def review(actor: User, inspection_id: int, verdicts: list[Verdict], opinion: str = "") -> Inspection:
    """Accept or reject the inspection's hazards that wait for review, then issue the opinion."""
    inspection = access.get_visible(Inspection, inspection_id, actor)
    access.require(actor, "inspection.review", inspection)
    items = {item.id: item for item in inspection.items}
    errors: dict[str, str] = {}
    acted = [v for v in verdicts if v.action]
    for verdict in acted:
        item = items.get(verdict.item_id)
        if item is None or verdict.action not in ("accept", "reject"):
            errors["verdicts"] = _("Unknown item or action.")
        elif item.hazard.state != HazardState.pending_review:
            errors["verdicts"] = _("Item %(n)d is not waiting for review.", n=item.position)
        elif verdict.action == "reject" and not verdict.reason.strip():
            errors["verdicts"] = _("Item %(n)d: give the reason for rejecting.", n=item.position)
    if not acted:
        errors["verdicts"] = _("Review at least one item.")
    if errors:
        raise Invalid(fields=errors)
    for verdict in acted:
        item = items[verdict.item_id]
        data = {}
        if verdict.action == "reject":
            data["reason"] = verdict.reason.strip()
            if verdict.new_deadline is not None:
                data["deadline"] = verdict.new_deadline
        hazards.fire(item.hazard_id, verdict.action, actor, **data)
    db.session.flush()
    # The opinion states, per item, the decision just recorded on its hazard; it supersedes the
    # inspection's previous opinion. Only the officer's own words (``opinion``) are passed.
    documents.issue("review_opinion", actor=actor, context={"opinion": (opinion or "").strip()},
                    inspection=inspection)
    return inspection


def responsible_at(enterprise: Enterprise) -> User | None:
    """Who answers for the ordered rectification at the enterprise: its safety manager (else its
    principal)."""
    for role in (Role.enterprise_manager, Role.enterprise_principal):
        user = db.session.scalar(select(User).where(User.enterprise_id == enterprise.id, User.role == role,
                                                    User.active.is_(True)).order_by(User.id).limit(1))
        if user is not None:
            return user
    return None


def inspections_for(actor: User):
    """The inspections ``actor`` may see, newest first (Forbidden to who lists none)."""
    access.require(actor, "inspection.list")
    return access.visible(Inspection, actor).order_by(Inspection.inspected_on.desc(), Inspection.id.desc())


def officers_for(actor: User) -> list[User]:
    """Inspectors of the actor's authority who can sign with him."""
    return list(db.session.scalars(
        select(User).where(User.authority_id == actor.authority_id, User.role == Role.inspector,
                           User.active.is_(True), User.id != actor.id).order_by(User.display_name)))


def criteria() -> list[MajorHazardCriterion]:
    """The active clauses of the criteria library, for the inspector to tick."""
    return list(db.session.scalars(select(MajorHazardCriterion).where(MajorHazardCriterion.active.is_(True))
                                   .order_by(MajorHazardCriterion.industry, MajorHazardCriterion.id)))


def provisions() -> list[Provision]:
    """The provisions in use, for the inspector to pick from (he may still type one)."""
    return list(db.session.scalars(select(Provision).where(Provision.active.is_(True))
                                   .order_by(Provision.law, Provision.id)))
