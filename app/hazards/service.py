"""Use cases of the hazard lifecycle: the only code that changes a hazard's state. No commit inside.

Every state change runs one trigger function (``confirm``, ``void``, ``submit``, ``accept``, ``reject``,
``extend``, ``regrade``; ``fire(name, ...)`` dispatches to them for the generic routes), each parsing its
own fields and calling the shared core ``_transition``: scoped load (NotFound 404) → policy (Forbidden 403) → row lock on
PostgreSQL / version check (Conflict 409) → machine (trigger invalid in this state: Conflict 409) →
guards (Invalid 422 naming the missing field) → state change → event appended to the hash chain →
``hazard_transitioned`` signal. The caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import access, labels, signals, storage
from app.auth.models import Role, User
from app.clock import today, utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db, flush_or_conflict, on_postgres
from app.hazards import history
from app.hazards import policy as hazard_policy
from app.hazards.models import (
    PLAN_SECTIONS,
    AttachmentKind,
    Hazard,
    HazardAttachment,
    HazardCodeCounter,
    HazardEvent,
    ProductionSuspension,
    TreatmentPlan,
)
from app.organisations import lookups
from app.organisations.models import Authority, Enterprise
from workflows import codes
from workflows import hazard as machine
from workflows.hazard_states import HazardLevel, HazardNature, HazardSource
from workflows.limits import TEXT_MAX  # description, measures, rectification, reasons, plan sections
from workflows.national_codes import SOURCE_TO_DANGER_SOURCE, DangerSource, HazardType, ManageType

TITLE_MAX = 200
LOCATION_MAX = 200


# --- small validators (each raises Invalid naming its field) ---------------------------------

def _text(fields: dict, errors: dict, name: str, *, required: bool = False, max_len: int = TEXT_MAX) -> str:
    value = fields.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_len:
        errors[name] = _("At most %(n)s characters (you entered %(m)s).", n=max_len, m=len(value))
    return value


def _enum(enum_cls, value, errors: dict, name: str, *, required: bool = False):
    if value in (None, ""):
        if required:
            errors[name] = _("This field is required.")
        return None
    try:
        return enum_cls(value)
    except ValueError:
        errors[name] = _("Not a valid choice.")
        return None


def _date(value, errors: dict, name: str):
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = _("Enter a date as YYYY-MM-DD.")
        return None


def _raise(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)


def _load_for_change(hazard_id: int, actor: User, trigger: str | None = None) -> Hazard:
    """The hazard, scoped to the actor (404), locked on PostgreSQL until the transaction ends; with
    what ``trigger``'s checks read loaded alongside (``signals.load_options``)."""
    return access.get_visible(Hazard, hazard_id, actor, for_update=on_postgres(),
                              options=signals.load_options(trigger) if trigger else ())


def _flush() -> None:
    flush_or_conflict(IntegrityError)  # IntegrityError: e.g. the same event number written by a concurrent request


# --- codes ------------------------------------------------------------------------------------

def next_code(enterprise_id: int, year: int) -> str:
    """YH-YYYY-NNNN, gap-free per enterprise and year; an atomic upsert (safe across processes)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert  # the dialect's own upsert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(HazardCodeCounter).values(enterprise_id=enterprise_id, year=year, last=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=["enterprise_id", "year"], set_={"last": HazardCodeCounter.last + 1}
    ).returning(HazardCodeCounter.last)
    number = db.session.execute(stmt).scalar_one()
    return f"YH-{year}-{number:04d}"


# --- create ------------------------------------------------------------------------------------


def create_hazard(actor: User, *, enterprise: Enterprise, title: str, description: str = "",
                  location: str = "", source=None, risk_point=None, risk_point_id: int | None = None,
                  nature=None,
                  found_by_authority: Authority | None = None, hazard_factor: str | None = None,
                  accident_type: str | None = None, level=None, deadline: date | None = None,
                  attachments: Iterable[tuple[str, str, bytes]] = (), danger_source=None,
                  hazard_type=None, manage_type=None, enforcement_number: str | None = None,
                  control_measure_id: int | None = None, check_record_id: int | None = None) -> Hazard:
    """Register a hazard in state ``reported``. ``attachments``: (kind, filename, bytes) tuples.

    The risk point is given as ``risk_point_id`` (what a form or the API received) or as an object;
    either way it must be one of the enterprise's points that the actor may see, or nothing is saved
    (UI and API get the same message on ``risk_point_id``).

    ``deadline``: a deadline known from the start (an inspector's rectification order); recorded,
    like every field of the report, in the first event of the history.

    The national codes (docs/national-model-mapping.md): ``danger_source`` (default from ``source``: a
    self-inspection is 日常排查), ``hazard_type`` (default 其他), ``manage_type`` (default 限期整改),
    ``enforcement_number`` (执法编号, a government-found hazard only). ``control_measure_id``: the measure
    whose check found it (one of the risk point's; its point is taken when none is given);
    ``check_record_id``: that check's record (``app.checks``). ``reported_by_duty`` is set when the
    reporter is a 包保 person of the risk point's analysis object."""
    if enterprise is None or not access.is_visible(enterprise, actor):
        raise NotFound()
    access.require(actor, "hazard.create", enterprise)
    errors: dict = {}
    fields = {"title": title, "description": description, "location": location}
    title = _text(fields, errors, "title", required=True, max_len=TITLE_MAX)
    description = _text(fields, errors, "description")
    location = _text(fields, errors, "location", max_len=LOCATION_MAX)
    default_source = (HazardSource.government_inspection if actor.role == Role.inspector
                      else HazardSource.self_inspection)
    source = _enum(HazardSource, source, errors, "source") or default_source
    nature = _enum(HazardNature, nature, errors, "nature")
    level = _enum(HazardLevel, level, errors, "level")
    if hazard_factor and hazard_factor not in codes.HAZARD_FACTORS:
        errors["hazard_factor"] = _("Not a code of GB/T 13861.")
    if accident_type and accident_type not in codes.ACCIDENT_TYPES:
        errors["accident_type"] = _("Not a code of GB 6441.")
    if risk_point is None and risk_point_id is not None:
        from app.risks.models import RiskPoint  # risks' models import hazards' (a cycle at load time)

        risk_point = db.session.scalar(access.visible(RiskPoint, actor).where(RiskPoint.id == risk_point_id))
        if risk_point is None:
            # Not found, not visible or of another enterprise: one answer, which says nothing of others.
            errors["risk_point_id"] = _("Choose one of this enterprise's risk points.")
    if risk_point is not None and risk_point.enterprise_id != enterprise.id:
        errors["risk_point_id"] = _("Choose one of this enterprise's risk points.")
    danger_source = (_enum(DangerSource, danger_source, errors, "danger_source")
                     or SOURCE_TO_DANGER_SOURCE.get(source, DangerSource.other))
    hazard_type = _enum(HazardType, hazard_type, errors, "hazard_type") or HazardType.other
    manage_type = _enum(ManageType, manage_type, errors, "manage_type") or ManageType.deadline
    enforcement_number = _text({"enforcement_number": enforcement_number}, errors, "enforcement_number",
                               max_len=64) or None
    if enforcement_number and source != HazardSource.government_inspection:
        errors["enforcement_number"] = _("Only a hazard found by government inspection has an enforcement "
                                         "document number.")
    measure = None
    if control_measure_id is not None:
        from app.risks.models import ControlMeasure

        measure = db.session.scalar(access.visible(ControlMeasure, actor).where(
            ControlMeasure.id == control_measure_id))
        if measure is None or measure.enterprise_id != enterprise.id or (
                risk_point is not None and measure.risk_point_id != risk_point.id):
            errors["control_measure_id"] = _("Choose one of the risk point's control measures.")
            measure = None
        elif risk_point is None:
            risk_point = measure.risk_point
    if check_record_id is not None and not isinstance(check_record_id, int):
        errors["check_record_id"] = _("Not a valid choice.")
    if source == HazardSource.government_inspection and found_by_authority is None:
        if actor.role == Role.inspector:
            found_by_authority = actor.authority
        else:
            errors["source"] = _("Only an inspector records a hazard found by government inspection.")
    checked = []
    for kind, filename, data in attachments or ():
        kind_value = _enum(AttachmentKind, kind, errors, "attachments")
        try:
            checked.append((kind_value or AttachmentKind.before, storage.check_upload(
                data, filename, field_name="attachments")))
        except Invalid as exc:
            errors.update(exc.fields)
    _raise(errors)

    hazard = Hazard(
        enterprise_id=enterprise.id, code=next_code(enterprise.id, today().year),
        title=title, description=description, location=location, source=source, nature=nature,
        level=level, risk_point_id=risk_point.id if risk_point is not None else None,
        hazard_factor=hazard_factor or None,
        accident_type=accident_type or None, reported_by_id=actor.id,
        found_by_authority_id=found_by_authority.id if found_by_authority is not None else None,
        deadline=deadline, danger_source=danger_source, hazard_type=hazard_type, manage_type=manage_type,
        enforcement_number=enforcement_number, control_measure_id=measure.id if measure is not None else None,
        check_record_id=check_record_id, reported_by_duty=_reported_by_duty(actor, risk_point),
    )
    db.session.add(hazard)
    # Every field the report sets goes into the history: ``audit verify`` checks the row against it.
    history.append(hazard, "report", from_state=None, to_state=hazard.state or "reported", actor=actor,
                   data={"title": title, "source": source, "level": level, "deadline": deadline,
                         "enterprise_id": enterprise.id, "description": description, "location": location,
                         "nature": nature, "risk_point_id": hazard.risk_point_id,
                         "hazard_factor": hazard.hazard_factor, "accident_type": hazard.accident_type,
                         "found_by_authority_id": hazard.found_by_authority_id, "reported_by_id": actor.id,
                         "danger_source": danger_source, "hazard_type": hazard_type, "manage_type": manage_type,
                         "enforcement_number": enforcement_number,
                         "control_measure_id": hazard.control_measure_id, "check_record_id": check_record_id,
                         "reported_by_duty": hazard.reported_by_duty})
    for kind, file in checked:
        _store_attachment(hazard, actor, kind, file)
    _flush()
    signals.hazard_created.send(hazard, actor=actor)
    return hazard


def _reported_by_duty(actor: User, risk_point) -> bool:
    """Is the reporter a 包保 person (principal, technical, operator) of the risk point's analysis object?"""
    if risk_point is None or risk_point.object_id is None:
        return False
    obj = risk_point.object
    return obj is not None and obj.duty_role_of(actor.id) is not None


# --- triggers ------------------------------------------------------------------------------------

def _guard_messages(hazard: Hazard, failures: dict[str, str]) -> dict[str, str]:
    messages = {
        "has_level": _("Choose the level: general or major."),
        "has_responsible": _("Choose the person responsible for the rectification."),
        "deadline_not_past": _("The deadline must be today or a later date."),
        "optional_deadline_not_past": _("The new deadline must be today or a later date."),
        "deadline_later_than_current": _("The new deadline must be later than the current one (%(d)s).",
                                         d=hazard.deadline.isoformat() if hazard.deadline else "-"),
        "has_measures": _("Describe the rectification measures."),
        "major_has_approved_plan": _(
            "A major hazard needs its treatment plan (all six sections), the report to the workers' "
            "congress, and the principal's approval first."),
        "has_reason": _("Give a reason."),
        "has_rectification": _("Describe what was done to rectify the hazard."),
        "has_after_evidence": _("Upload at least one photo or document of the result (\"after\") first."),
        "reviewer_is_not_submitter": _("You submitted this rectification; someone else must review it."),
        "level_changes": _("Choose a level different from the current one."),
        "responsible_changes": _("Choose someone other than the person responsible now."),
        "has_extension_request": _("No extension request is waiting for a decision."),
        "has_decision": _("Choose whether the extension is granted."),
        "granted_deadline_later": _("The new deadline must be later than the current one (%(d)s).",
                                    d=hazard.deadline.isoformat() if hazard.deadline else "-"),
        "refusal_has_reason": _("Give the reason for refusing."),
    }
    out: dict[str, str] = {}
    for guard, field in failures.items():
        out.setdefault(field, messages.get(guard, _("This field is required.")))
    return out


def _plan_approved(hazard: Hazard) -> bool:
    plan = db.session.scalar(select(TreatmentPlan).where(TreatmentPlan.hazard_id == hazard.id))
    return plan is not None and plan.is_approved


def _responsible(hazard: Hazard, user_id, errors: dict) -> User | None:
    if user_id in (None, ""):
        return None
    user = lookups.person_of(hazard.enterprise_id, user_id)
    if user is None:
        errors["responsible_user_id"] = _("Choose a person of this enterprise.")
    return user


# --- one function per trigger ------------------------------------------------------------------
# Each trigger parses its own fields into (the guards' context, the changes to apply if it fires) and
# hands them to the shared core ``_transition``. Adding a trigger: its row in workflows/hazard.py, a
# function here (listed in TRIGGER_FUNCTIONS), its form, its API schema, its policy rule and its label
# (tests/hazards/test_trigger_wiring.py fails while one of them is missing).

Parsed = tuple[dict, dict]


def _context(actor: User, **values) -> dict:
    return {"actor_id": actor.id, "today": today(), **values}


def _confirm_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    level = _enum(HazardLevel, data.get("level"), errors, "level") or hazard.level
    deadline = _date(data.get("deadline"), errors, "deadline")
    responsible = _responsible(hazard, data.get("responsible_user_id"), errors)
    measures = _text(data, errors, "measures")
    department_id = data.get("responsible_department_id") or (responsible.department_id if responsible else None)
    try:  # an int, as the history records it (``audit verify`` compares the row with it)
        department_id = int(department_id) if department_id else None
    except (TypeError, ValueError):
        department_id = -1  # no such department: refused just below
    if department_id and lookups.unit_of(hazard.enterprise_id, department_id) is None:
        errors["responsible_department_id"] = _("Choose a department of this enterprise.")
    responsible_id = responsible.id if responsible else None
    ctx = _context(actor, level=level, deadline=deadline, responsible_user_id=responsible_id, measures=measures,
                   plan_approved=_plan_approved(hazard) if level == HazardLevel.major else None)
    changes = {"level": level, "deadline": deadline, "responsible_user_id": responsible_id, "measures": measures,
               "responsible_department_id": department_id or None, "confirmed_at": utcnow()}
    manage_type = _enum(ManageType, data.get("manage_type"), errors, "manage_type")
    if manage_type is not None and manage_type != hazard.manage_type:  # 即查即改 / 限期整改, recorded by the event
        changes["manage_type"] = manage_type
    return ctx, changes


def _void_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    return _context(actor, reason=_text(data, errors, "reason")), {}


def _submit_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    rectification = _text(data, errors, "rectification")
    ctx = _context(actor, rectification=rectification, after_evidence=hazard.after_evidence_count or 0,
                   plan_approved=_plan_approved(hazard) if hazard.level == HazardLevel.major else None)
    return ctx, {"rectification": rectification, "submitted_by_id": actor.id, "submitted_at": utcnow()}


def _accept_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    return _context(actor, comment=_text(data, errors, "comment")), {"closed_at": utcnow()}


def _reject_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    ctx = _context(actor, reason=_text(data, errors, "reason"), deadline=_date(data.get("deadline"), errors,
                                                                               "deadline"))
    return ctx, ({"deadline": ctx["deadline"]} if ctx["deadline"] is not None else {})


def _extend_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    ctx = _context(actor, reason=_text(data, errors, "reason"), deadline=_date(data.get("deadline"), errors,
                                                                               "deadline"))
    return ctx, {"deadline": ctx["deadline"]}


def _regrade_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    ctx = _context(actor, reason=_text(data, errors, "reason"),
                   level=_enum(HazardLevel, data.get("level"), errors, "level"))
    return ctx, {"level": ctx["level"]}


def _reassign_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    """Another active person of the hazard's enterprise (anyone else: 422 on responsible_user_id)."""
    reason = _text(data, errors, "reason")
    responsible = _responsible(hazard, data.get("responsible_user_id"), errors)
    if responsible is None and "responsible_user_id" not in errors:
        errors["responsible_user_id"] = _("Choose the person responsible for the rectification.")
    responsible_id = responsible.id if responsible else None
    ctx = _context(actor, reason=reason, responsible_user_id=responsible_id)
    changes = {"responsible_user_id": responsible_id}
    if responsible is not None and responsible.department_id:
        changes["responsible_department_id"] = responsible.department_id
    return ctx, changes


def _request_extension_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    ctx = _context(actor, reason=_text(data, errors, "reason"),
                   deadline=_date(data.get("deadline"), errors, "deadline"))
    if "deadline" not in errors and ctx["deadline"] is None:
        errors["deadline"] = _("Give the deadline you ask for.")
    return ctx, {"extension_requested": ctx["deadline"]}


def _granted(value) -> bool | None:
    if isinstance(value, bool) or value is None:
        return value
    return {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}.get(
        str(value).strip().lower())


def _decide_extension_fields(hazard: Hazard, actor: User, data: dict, errors: dict) -> Parsed:
    """Granted: the deadline asked for, unless the decider gives another (later) one; refused: a reason."""
    granted = _granted(data.get("granted"))
    if granted is None and data.get("granted") not in (None, ""):
        errors["granted"] = _("Choose whether the extension is granted.")
    deadline = _date(data.get("deadline"), errors, "deadline") or hazard.extension_requested
    ctx = _context(actor, reason=_text(data, errors, "reason"), granted=granted, deadline=deadline,
                   record={"granted": granted, "requested": hazard.extension_requested})
    changes: dict = {"extension_requested": None}
    if granted:
        changes["deadline"] = deadline
    return ctx, changes


# Triggers whose event records the values they replaced (a correction of the hazard's terms).
_RECORDS_PREVIOUS = frozenset({"extend", "reject", "regrade", "reassign", "decide_extension"})


def _transition(hazard: Hazard, trigger: str, actor: User, parse, data: dict, *, version=None,
                check_policy: bool = True, submitted_by: User | None = None) -> HazardEvent:
    """The shared core, on a hazard already loaded (scoped and locked): version → policy → machine
    state → the trigger's own fields (``parse``) → guards → changes → history → signal."""
    if version not in (None, "") and str(version) != str(hazard.version):
        raise Conflict()
    if check_policy and not access.can(actor, f"hazard.{trigger}", hazard):
        if trigger in ("accept", "reject") and hazard_policy.is_submitter(actor, hazard) and \
                hazard_policy.may_review(actor, hazard):
            raise Forbidden(_("You submitted this rectification; someone else must review it."))
        raise Forbidden()
    try:
        machine.destination(hazard.state, trigger)
    except machine.InvalidTrigger:
        raise Conflict(_("This hazard is now “%(state)s”; “%(action)s” is no longer possible. Reload the page.",
                         state=labels.label(hazard.state), action=trigger_label(trigger))) from None
    errors: dict = {}
    ctx, changes = parse(hazard, actor, data, errors)
    _raise(errors)
    if submitted_by is not None:  # on-the-spot: recorded on behalf of the person who rectified
        changes["submitted_by_id"] = submitted_by.id
    old = {k: getattr(hazard, k) for k in changes}
    from_state = hazard.state
    record = ctx.pop("record", {})  # what the event records besides the changes (a decision)
    try:
        machine.fire(hazard, trigger, **ctx)
    except machine.GuardFailed as exc:
        raise Invalid(fields=_guard_messages(hazard, exc.failures)) from None
    for key, value in changes.items():
        setattr(hazard, key, value)
    event_data = {k: v for k, v in changes.items() if k not in ("confirmed_at", "submitted_at", "closed_at")}
    if trigger in _RECORDS_PREVIOUS:
        event_data["previous"] = {k: old.get(k) for k in changes}
    event_data.update(record)
    event = history.append(hazard, trigger, from_state=from_state, to_state=hazard.state, actor=actor,
                           comment=ctx.get("reason") or ctx.get("comment") or "", data=event_data)
    _flush()  # the version check: a concurrent change of this hazard makes this a 409
    signals.hazard_transitioned.send(hazard, trigger=trigger, actor=actor, event=event, data=dict(data))
    return event


def _run(hazard_id: int, trigger: str, actor: User, parse, data: dict, version) -> Hazard:
    """Load (scoped 404, locked), run the core, send the trigger's reminder."""
    hazard = _load_for_change(hazard_id, actor, trigger)
    _transition(hazard, trigger, actor, parse, data, version=version)
    _notify_after(hazard, trigger, actor)
    return hazard


def _given(**fields) -> dict:
    """The fields the caller gave (None: not given), as the signal's receivers have always seen them."""
    return {k: v for k, v in fields.items() if v is not None}


def confirm(hazard_id: int, actor: User, *, level=None, deadline=None, responsible_user_id=None,
            responsible_department_id=None, measures=None, version=None) -> Hazard:
    """reported → rectifying: level, deadline, responsible person (and department), measures. (The
    production suspension is not confirmed here: it comes from the on-site measures decision.)"""
    return _run(hazard_id, "confirm", actor, _confirm_fields, _given(
        level=level, deadline=deadline, responsible_user_id=responsible_user_id,
        responsible_department_id=responsible_department_id, measures=measures), version)


def void(hazard_id: int, actor: User, *, reason=None, version=None) -> Hazard:
    """reported → voided (not a hazard, a duplicate...), with a reason."""
    return _run(hazard_id, "void", actor, _void_fields, _given(reason=reason), version)


def submit(hazard_id: int, actor: User, *, rectification=None, version=None) -> Hazard:
    """rectifying → pending_review: what was done (the "after" evidence is attached beforehand)."""
    return _run(hazard_id, "submit", actor, _submit_fields, _given(rectification=rectification), version)


def accept(hazard_id: int, actor: User, *, comment=None, version=None) -> Hazard:
    """pending_review → closed, by a reviewer who is not the submitter."""
    return _run(hazard_id, "accept", actor, _accept_fields, _given(comment=comment), version)


def reject(hazard_id: int, actor: User, *, reason=None, deadline=None, version=None) -> Hazard:
    """pending_review → rectifying, with a reason and optionally a new deadline."""
    return _run(hazard_id, "reject", actor, _reject_fields, _given(reason=reason, deadline=deadline), version)


def extend(hazard_id: int, actor: User, *, deadline=None, reason=None, version=None) -> Hazard:
    """A later deadline for a hazard being rectified, with a reason."""
    return _run(hazard_id, "extend", actor, _extend_fields, _given(deadline=deadline, reason=reason), version)


def record_onsite_measures(hazard: Hazard, actor: User, *, suspension: ProductionSuspension, document_id: int,
                           summary: str) -> Hazard:
    """The inspector's on-site measures decision (现场处理措施决定书) on the hazard: its production
    suspension comes from the decision (event ``onsite_measures`` with the document)."""
    hazard.production_suspension = suspension
    history.append(hazard, "onsite_measures", from_state=hazard.state, to_state=hazard.state, actor=actor,
                   comment=summary, data={"production_suspension": suspension.value, "document_id": document_id})
    _flush()
    return hazard


def extend_for_listing(hazard: Hazard, actor: User, deadline: date, reason: str) -> Hazard:
    """The listing authority's supervisor gives the listed hazard a later deadline in his listing
    decision: the ``extend`` trigger with its event (the decision is his authority, not the reviewer
    rule), so that the notice prints the deadline the system tracks."""
    _transition(hazard, "extend", actor, _extend_fields, {"deadline": deadline, "reason": reason},
                check_policy=False)
    return hazard


def regrade(hazard_id: int, actor: User, *, level=None, reason=None, version=None) -> Hazard:
    """Another level (general ↔ major) for a hazard not yet rectified, with a reason."""
    return _run(hazard_id, "regrade", actor, _regrade_fields, _given(level=level, reason=reason), version)


def reassign(hazard_id: int, actor: User, *, responsible_user_id=None, reason=None, version=None) -> Hazard:
    """Another person of the enterprise becomes responsible for the rectification, with a reason."""
    return _run(hazard_id, "reassign", actor, _reassign_fields,
                _given(responsible_user_id=responsible_user_id, reason=reason), version)


def request_extension(hazard_id: int, actor: User, *, deadline=None, reason=None, version=None) -> Hazard:
    """The responsible person asks for a later deadline (a new request replaces a waiting one)."""
    return _run(hazard_id, "request_extension", actor, _request_extension_fields,
                _given(deadline=deadline, reason=reason), version)


def decide_extension(hazard_id: int, actor: User, *, granted=None, deadline=None, reason=None,
                     version=None) -> Hazard:
    """Whoever may extend grants the request (the deadline asked for, or another later one) or refuses it
    with a reason."""
    return _run(hazard_id, "decide_extension", actor, _decide_extension_fields,
                _given(granted=granted, deadline=deadline, reason=reason), version)


TRIGGER_FUNCTIONS = {fn.__name__: fn for fn in (confirm, void, submit, accept, reject, extend, regrade, reassign,
                                                  request_extension, decide_extension)}


def trigger_fields(trigger: str) -> tuple[str, ...]:
    """The fields a trigger accepts (its function's keyword arguments, ``version`` included)."""
    code = TRIGGER_FUNCTIONS[trigger].__code__
    return code.co_varnames[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]


def fire(hazard_id: int, trigger: str, actor: User, **data) -> Hazard:
    """Run the trigger named ``trigger`` (the generic routes): a field the trigger does not take is
    ignored, as it always was; an unknown trigger is a 422 on ``trigger``."""
    function = TRIGGER_FUNCTIONS.get(trigger)
    if function is None:
        _load_for_change(hazard_id, actor)  # a hazard the actor cannot see stays a 404 first
        raise Invalid(fields={"trigger": _("Unknown action.")})
    accepted = trigger_fields(trigger)
    return function(hazard_id, actor, **{k: v for k, v in data.items() if k in accepted})


def allowed_triggers(hazard: Hazard, user: User | None) -> list[str]:
    """Triggers valid in the hazard's state that ``user`` may fire (guards are checked on firing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    return [t for t in machine.triggers_from(hazard.state) if access.can(user, f"hazard.{t}", hazard)]


def can_rectify_on_the_spot(hazard: Hazard, user: User) -> bool:
    return (hazard.state == "reported" and hazard.level != HazardLevel.major
            and access.can(user, "hazard.confirm", hazard)
            and not hazard_policy.reviewer_is_government(hazard) and hazard_policy.may_review(user, hazard))


def rectify_on_the_spot(hazard_id: int, actor: User, *, responsible_user_id, measures: str,
                        rectification: str, comment: str = "",
                        attachments: Iterable[tuple[str, str, bytes]] = ()) -> Hazard:
    """立即整改 of a general hazard: confirm, submit and accept recorded as three events, one action. Its
    national governance type becomes 即查即改 (``manage_type`` immediate, recorded by the confirm event).

    The person who rectified (``responsible_user_id``) is recorded as the submitter, so the reviewer
    (the actor) is never the submitter.
    """
    hazard = _load_for_change(hazard_id, actor)
    if not can_rectify_on_the_spot(hazard, actor):
        if hazard.state != "reported":
            raise Conflict(_("Only a hazard that is still “reported” can be rectified on the spot."))
        raise Forbidden()
    errors: dict = {}
    responsible = _responsible(hazard, responsible_user_id, errors)
    if responsible is not None and not machine.may_review_submission(actor.id, responsible.id):
        errors["responsible_user_id"] = _("Name the person who rectified it; you review it, so it cannot be you.")
    elif responsible is None and "responsible_user_id" not in errors:
        errors["responsible_user_id"] = _("Choose the person responsible for the rectification.")
    _raise(errors)
    for kind, filename, data in attachments or ():
        add_attachment(hazard.id, actor, kind=kind or "after", filename=filename, data=data, _hazard=hazard)
    _transition(hazard, "confirm", actor, _confirm_fields, {
        "level": HazardLevel.general, "deadline": today(), "responsible_user_id": responsible.id,
        "measures": measures, "manage_type": ManageType.immediate})  # 即查即改
    _transition(hazard, "submit", actor, _submit_fields, {"rectification": rectification}, check_policy=False,
                submitted_by=responsible)
    _transition(hazard, "accept", actor, _accept_fields, {"comment": comment or _("Rectified on the spot.")})
    return hazard


# --- national codes ---------------------------------------------------------------------------------

NATIONAL_FIELDS = ("danger_source", "hazard_type", "manage_type", "enforcement_number")


def reclassify(hazard_id: int, actor: User, *, version=None, **fields) -> Hazard:
    """Correct a hazard's national codes (``danger_source``, ``hazard_type``, ``manage_type``,
    ``enforcement_number``; those given), e.g. the 其他 the migration gave older hazards. Whoever confirms the
    hazard may (its enterprise's managers; the inspector of a government-found one), in any state but voided;
    recorded by a ``reclassify`` event with the new values (``audit verify`` replays it). No change: no event."""
    hazard = _load_for_change(hazard_id, actor)
    if not access.can(actor, "hazard.confirm", hazard):
        raise Forbidden()
    if version not in (None, "") and str(version) != str(hazard.version):
        raise Conflict()
    if hazard.state == "voided":
        raise Conflict(_("A voided hazard is not reclassified."))
    unknown = set(fields) - set(NATIONAL_FIELDS)
    if unknown:
        raise Invalid(fields={name: _("Not a valid choice.") for name in sorted(unknown)})
    errors: dict = {}
    values: dict = {}
    for name, enum_cls in (("danger_source", DangerSource), ("hazard_type", HazardType), ("manage_type", ManageType)):
        if fields.get(name) not in (None, ""):
            values[name] = _enum(enum_cls, fields[name], errors, name)
    if "enforcement_number" in fields:
        number = _text(fields, errors, "enforcement_number", max_len=64) or None
        if number and hazard.source != HazardSource.government_inspection:
            errors["enforcement_number"] = _("Only a hazard found by government inspection has an enforcement "
                                             "document number.")
        values["enforcement_number"] = number
    _raise(errors)
    changes = {k: v for k, v in values.items() if getattr(hazard, k) != v}
    if not changes:
        return hazard
    previous = {k: getattr(hazard, k) for k in changes}
    for key, value in changes.items():
        setattr(hazard, key, value)
    history.append(hazard, "reclassify", from_state=hazard.state, to_state=hazard.state, actor=actor,
                   data={**changes, "previous": previous})
    _flush()
    return hazard


# --- evidence ------------------------------------------------------------------------------------

def _store_attachment(hazard: Hazard, actor: User, kind: AttachmentKind, file: storage.CheckedFile):
    storage.save(file.data)
    gps = file.exif.get("gps")
    row = HazardAttachment(
        hazard=hazard, kind=kind, sha256=file.sha256, mime=file.mime, filename=file.filename,
        size=len(file.data), taken_at=file.exif.get("taken_at"), gps_lat=gps[0] if gps else None,
        gps_lon=gps[1] if gps else None, uploaded_by_id=actor.id,
    )
    db.session.add(row)
    db.session.flush()
    if kind == AttachmentKind.after:
        db.session.expire(hazard, ["after_evidence_count"])
    history.append(hazard, "attach", from_state=hazard.state, to_state=hazard.state, actor=actor,
                   data={"attachment_id": row.id, "kind": kind, "sha256": file.sha256,
                         "filename": file.filename, "taken_at": row.taken_at})
    return row


def add_attachment(hazard_id: int, actor: User, *, kind, filename: str, data: bytes,
                   _hazard: Hazard | None = None) -> HazardAttachment:
    """Attach a photo or PDF (checked by content, stored content-addressed) as before/after/document."""
    hazard = _hazard or _load_for_change(hazard_id, actor)
    access.require(actor, "hazard.attach", hazard)
    errors: dict = {}
    kind_value = _enum(AttachmentKind, kind, errors, "kind", required=True)
    _raise(errors)
    file = storage.check_upload(data or b"", filename, field_name="file")
    row = _store_attachment(hazard, actor, kind_value, file)
    _flush()
    return row


def attachment_for(attachment_id: int, user: User) -> HazardAttachment:
    """An attachment, only if ``user`` may see its hazard (else NotFound)."""
    row = db.session.get(HazardAttachment, attachment_id)
    if row is None:
        raise NotFound()
    access.get_visible(Hazard, row.hazard_id, user)
    return row


# --- treatment plan ----------------------------------------------------------------------------

def save_plan(hazard_id: int, actor: User, **fields) -> TreatmentPlan:
    """Write the treatment plan; any change withdraws an earlier approval (it must be re-approved)."""
    hazard = _load_for_change(hazard_id, actor)
    access.require(actor, "hazard.plan_edit", hazard)
    errors: dict = {}
    values = {name: _text(fields, errors, name) for name in PLAN_SECTIONS}
    reported_on = _date(fields.get("workers_congress_reported_on"), errors, "workers_congress_reported_on")
    if reported_on is not None and reported_on > today():
        errors["workers_congress_reported_on"] = _("This date is in the future.")
    values["workers_congress_reported_on"] = reported_on
    values["workers_congress_how"] = _text(fields, errors, "workers_congress_how", max_len=200)
    _raise(errors)
    plan = hazard.plan or TreatmentPlan(hazard=hazard)
    db.session.add(plan)
    changed = any(getattr(plan, k) != v for k, v in values.items())
    withdrawn = changed and plan.approved_at is not None
    for key, value in values.items():
        setattr(plan, key, value)
    plan.updated_by_id = actor.id
    if withdrawn:
        plan.approved_at = None
        plan.approved_by_id = None
    # No production suspension here: it is the on-site measures decision's (``record_onsite_measures``);
    # plan_saved events recorded before keep the value they carried, which history shows but no longer
    # replays onto the hazard.
    history.append(hazard, "plan_saved", from_state=hazard.state, to_state=hazard.state, actor=actor,
                   data={**values, "approval_withdrawn": withdrawn})
    _flush()
    signals.plan_saved.send(plan, actor=actor, hazard=hazard)
    return plan


def approve_plan(hazard_id: int, actor: User) -> TreatmentPlan:
    """The principal approves a complete plan (six sections and the workers' congress report)."""
    hazard = _load_for_change(hazard_id, actor)
    access.require(actor, "hazard.plan_approve", hazard)
    plan = hazard.plan
    if plan is None:
        raise Invalid(fields={"plan": _("There is no treatment plan yet.")})
    errors = {name: _("This section of the plan is empty.") for name in plan.missing_sections}
    if plan.workers_congress_reported_on is None:
        errors["workers_congress_reported_on"] = _("Record when the workers' congress was informed.")
    _raise(errors)
    if plan.approved_at is not None:
        raise Conflict(_("The plan is already approved."))
    plan.approved_by_id = actor.id
    plan.approved_at = utcnow()
    history.append(hazard, "plan_approved", from_state=hazard.state, to_state=hazard.state, actor=actor,
                   data={"plan_updated_at": plan.updated_at})
    _flush()
    return plan


# --- reminders ---------------------------------------------------------------------------------

def _notify_after(hazard: Hazard, trigger: str, actor: User) -> None:
    # notifications' service imports hazards' models (a cycle at load time)
    from app.notifications import service as notify

    if trigger in ("confirm", "reject", "extend") and hazard.responsible_user_id and \
            hazard.responsible_user_id != actor.id:
        notify.notify(hazard.responsible_user_id, kind=f"hazard_{trigger}", hazard_id=hazard.id,
                      text=_("%(code)s %(title)s: %(action)s, deadline %(deadline)s.", code=hazard.code,
                             title=hazard.title, action=trigger_label(trigger),
                             deadline=hazard.deadline.isoformat() if hazard.deadline else "-"),
                      dedupe_key=f"{trigger}:{hazard.id}:{hazard.version}")


_TRIGGER_LABELS = {
    "confirm": _l("Confirm"), "void": lazy_pgettext("hazards", "Void"), "submit": _l("Submit rectification"),
    "accept": _l("Accept"), "reject": lazy_pgettext("hazards", "Reject"), "extend": _l("Extend deadline"),
    "regrade": _l("Regrade"), "report": _l("Report"), "attach": _l("Attach evidence"),
    "plan_saved": _l("Save treatment plan"), "plan_approved": _l("Approve treatment plan"),
    "onsite_measures": _l("On-site measures decided"),
    "overdue": lazy_pgettext("hazards", "Overdue"),
    "reclassify": _l("National codes recorded"),
    "reassign": _l("Reassign"), "request_extension": _l("Request an extension"),
    "decide_extension": _l("Decide the extension request"), "reminder": _l("Reminder"),
}


def trigger_label(trigger: str) -> str:
    """The label of a trigger or history entry (one lookup: timelines call this for every event)."""
    label = _TRIGGER_LABELS.get(trigger)
    return str(label) if label is not None else trigger


def deadline_days(days: int) -> date:
    return today() + timedelta(days=days)
