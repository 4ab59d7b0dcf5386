"""Credit records (不良信用记录): made from the system's own facts and by authorities, objected to,
upheld or corrected. No commit here (docs/credit.md).

Facts the system records itself, each once (``fact_key`` is unique per subject), for the enterprise and
its principal (主要负责人, by name), with the weight of the region's ``credit`` rule set in force that day:

* a major hazard listed for supervision still open past its deadline (``hazard_overdue`` from the scan);
* a rectification failing its review (the hazard's ``reject``);
* a concealment of an accident substantiated through a public report (``report_substantiated``).

An authority records the others by hand (refused inspection, false closure...), citing the source.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app import access, clock, signals
from app.auth.models import User
from app.credit import rules as credit_rules
from app.credit.models import CreditRecord, Subject
from app.errors import Conflict, Invalid
from app.extensions import db, flush_or_conflict
from app.organisations.models import Authority, Enterprise, Region
from workflows import credit as rules
from workflows.hazard_states import OPEN_STATES, HazardLevel

SOURCE_MAX = 1000
REASON_MAX = 2000


def authority_in_charge(enterprise: Enterprise) -> Authority | None:
    """The nearest authority over the enterprise's region (its county's, else the city's...)."""
    paths = [enterprise.region.path[:i] for i in range(1, len(enterprise.region.path) + 1)]
    return db.session.scalar(select(Authority).join(Region, Region.id == Authority.region_id)
                             .where(Region.path.in_(paths)).order_by(Region.path.desc(), Authority.id).limit(1))


def _subjects(enterprise: Enterprise) -> list[tuple[Subject, str]]:
    """A fact counts against the enterprise and, when one is recorded, its principal by name."""
    subjects = [(Subject.enterprise, "")]
    if (enterprise.principal_name or "").strip():
        subjects.append((Subject.principal, enterprise.principal_name.strip()))
    return subjects


def record_fact(enterprise: Enterprise, kind: rules.CreditFactKind, *, source: str, fact_key: str,
                on: date | None = None, authority: Authority | None = None) -> list[CreditRecord]:
    """The records a fact the system found creates (none where the region does not count that kind, none
    again for a fact already recorded). Called from receivers, inside the transaction that found it."""
    on = on or clock.today()
    rs = credit_rules.credit_for(enterprise.region.code, on)
    made = rules.record_for(rules.CreditFact(kind, source, on), rs)
    if made is None:
        return []
    authority = authority or authority_in_charge(enterprise)
    taken = set(db.session.scalars(select(CreditRecord.subject).where(CreditRecord.fact_key == fact_key)))
    added = []
    for subject, name in _subjects(enterprise):
        if subject in taken:
            continue
        row = CreditRecord(enterprise=enterprise, authority=authority, subject=subject, person_name=name,
                           kind=made.kind, weight=made.weight, source=made.source, fact_key=fact_key,
                           occurred_on=made.on, rule_set=made.rule_set)
        db.session.add(row)
        added.append(row)
    db.session.flush()
    return added


def text_field(value, name: str, errors: dict, *, required: bool = True, max_len: int = REASON_MAX) -> str:
    """A stripped text; its message in ``errors`` when required and empty, or too long (one rule for the
    records and the list)."""
    value = value.strip() if isinstance(value, str) else ""
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_len:
        errors[name] = _("This text is too long.")
    return value


def create(actor: User, enterprise_id: int, *, kind: str, source: str, occurred_on: date | None = None,
           subject: str = "enterprise") -> CreditRecord:
    """An authority records a fact by hand, citing its source (a record, a document number)."""
    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    access.require(actor, "credit.record", enterprise)
    errors: dict[str, str] = {}
    try:
        kind = rules.CreditFactKind(kind)
    except ValueError:
        errors["kind"] = _("Unknown kind of fact.")
    try:
        subject = Subject(subject)
    except ValueError:
        errors["subject"] = _("Choose the enterprise or its principal.")
    source = text_field(source, "source", errors, max_len=SOURCE_MAX)
    occurred_on = occurred_on or clock.today()
    if occurred_on > clock.today():
        errors["occurred_on"] = _("The date cannot be in the future.")
    if subject == Subject.principal and not (enterprise.principal_name or "").strip():
        errors["subject"] = _("The enterprise has no principal recorded.")
    if errors:
        raise Invalid(fields=errors)
    rs = credit_rules.credit_for(enterprise.region.code, occurred_on)
    made = rules.record_for(rules.CreditFact(kind, source, occurred_on), rs)
    if made is None:
        raise Invalid(fields={"kind": _("This kind of fact is not recorded in this region (rule set %(rs)s).",
                                        rs=rs.label)})
    row = CreditRecord(enterprise=enterprise, authority_id=actor.authority_id, subject=subject,
                       person_name=enterprise.principal_name.strip() if subject == Subject.principal else "",
                       kind=made.kind, weight=made.weight, source=made.source, occurred_on=made.on,
                       rule_set=made.rule_set, created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    return row


def _fire(row: CreditRecord, trigger: str, **ctx) -> None:
    try:
        rules.RECORD_MACHINE.fire(row, trigger, **ctx)
    except rules.InvalidTrigger:
        raise Conflict(_("The record is no longer in a state that allows this (reload)."),
                       code="wrong_state") from None
    except rules.GuardFailed as failed:
        raise Invalid(fields={f: _("This field is required.") for f in failed.failures.values()}) from None


def _loaded(actor: User, record_id: int, version: int | None) -> CreditRecord:
    row = access.get_visible(CreditRecord, record_id, actor)
    if version is not None and version != row.version:
        raise Conflict(_("Someone changed this record meanwhile: reload the page."), code="stale")
    return row


def object_to(actor: User, record_id: int, *, reason: str, version: int | None = None) -> CreditRecord:
    """The enterprise objects (异议), with its reason."""
    row = _loaded(actor, record_id, version)
    access.require(actor, "credit.object", row)
    errors: dict[str, str] = {}
    reason = text_field(reason, "reason", errors)
    if errors:
        raise Invalid(fields=errors)
    _fire(row, "object", reason=reason)
    row.objection, row.objected_at, row.objected_by_id = reason, clock.utcnow(), actor.id
    flush_or_conflict()
    return row


def decide_objection(actor: User, record_id: int, *, action: str, reason: str, correction: str = "",
                     weight: float | None = None, version: int | None = None) -> CreditRecord:
    """The authority upholds the record or corrects it (``weight`` 0 withdraws it), each with a reason.
    A record may also be corrected without an objection (the authority finds its own error)."""
    row = _loaded(actor, record_id, version)
    access.require(actor, "credit.decide_objection", row)
    errors: dict[str, str] = {}
    reason = text_field(reason, "reason", errors)
    if action not in ("uphold", "correct"):
        errors["action"] = _("Choose uphold or correct.")
    if action == "correct":
        correction = text_field(correction, "correction", errors)
        if weight is not None and (weight < 0 or weight > 1000):
            errors["weight"] = _("Enter a weight between 0 and 1000.")
    if errors:
        raise Invalid(fields=errors)
    _fire(row, action, actor_id=actor.id, reason=reason, correction=correction)
    row.decision_reason, row.decided_at, row.decided_by_id = reason, clock.utcnow(), actor.id
    if action == "correct":
        row.correction = correction
        if weight is not None and weight != row.weight:
            row.original_weight, row.weight = row.weight, float(weight)
    flush_or_conflict()
    return row


def records_of(actor: User, enterprise_id: int):
    """The enterprise's records the actor may see, newest first (404 for a foreign enterprise)."""
    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    return (access.visible(CreditRecord, actor).where(CreditRecord.enterprise_id == enterprise.id)
            .order_by(CreditRecord.occurred_on.desc(), CreditRecord.id.desc()))


def score_of(enterprise_id: int, subject: Subject = Subject.enterprise) -> float:
    """Sum of the weights of the enterprise's records in force (a correction to 0 withdraws one)."""
    weights = db.session.scalars(select(CreditRecord.weight).where(CreditRecord.enterprise_id == enterprise_id,
                                                                   CreditRecord.subject == subject))
    return round(sum(weights), 4)


# --- receivers of other features' events ----------------------------------------------------------

def on_overdue(hazard, **_kw) -> None:
    """A major hazard listed for supervision found open past its deadline."""
    if hazard.level != HazardLevel.major or hazard.state not in OPEN_STATES or hazard.deadline is None:
        return
    authority = signals.listing_authority.first(hazard)
    if authority is None:
        return
    record_fact(hazard.enterprise, rules.CreditFactKind.major_hazard_overdue,
                source=f"挂牌督办隐患 {hazard.code}（{authority.name}），整改期限 {hazard.deadline.isoformat()} 逾期未整改",
                fact_key=f"hazard:{hazard.id}:overdue:{hazard.deadline.isoformat()}", authority=authority)


def on_transition(hazard, trigger=None, event=None, **_kw) -> None:
    """A review found the rectification not done (``reject``): the review failed."""
    if trigger != "reject":
        return
    event_id = getattr(event, "id", None) or clock.utcnow().isoformat()
    record_fact(hazard.enterprise, rules.CreditFactKind.review_failed,
                source=f"隐患 {hazard.code} 整改复查（验收）不合格", fact_key=f"hazard:{hazard.id}:reject:{event_id}",
                authority=signals.listing_authority.first(hazard))


def on_report_substantiated(report, *, enterprise=None, category=None, source=None, **_kw) -> None:
    """A public report substantiated; a concealed or falsely reported accident (``concealment``) counts."""
    enterprise = enterprise or getattr(report, "enterprise", None)
    category = category or getattr(report, "category", None)
    if enterprise is None or str(getattr(category, "value", category)) != "concealment":
        return
    ticket = getattr(report, "ticket", None) or getattr(report, "id", "")
    record_fact(enterprise, rules.CreditFactKind.concealment_substantiated,
                source=source or f"举报 {ticket} 经查属实：瞒报、谎报生产安全事故",
                fact_key=f"report:{getattr(report, 'id', ticket)}:substantiated")
