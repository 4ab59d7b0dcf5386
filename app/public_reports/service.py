"""The use cases of public reports: filing (no login), screening, verification, the hazard it becomes,
closure, rewards, designation of the users who read identities, reminders. Never commits.

The lifecycles are workflows/public_reports.py; the reporter's identity is encrypted (identity.py) and
only ``identity_for`` decrypts it, for the handling authority's designated users.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app import access, admin_log, signals, storage
from app.auth.models import Role, User
from app.clock import today, utcnow
from app.errors import Conflict, Invalid, NotFound
from app.extensions import db, flush_or_conflict
from app.notifications import service as notifications
from app.organisations.models import Authority, Enterprise, Region
from app.public_reports import identity
from app.public_reports.models import PublicReport, ReportDesignee, ReportPhoto
from app.public_reports.policy import HANDLERS, is_designee
from workflows import public_reports as rules
from workflows.hazard_states import HazardSource
from workflows.masking import mask_name, mask_phone
from workflows.public_reports import ReportCategory, ReportState, RewardState
from workflows.rulesets import RuleSetError

TEXT_MAX, NAME_MAX, PLACE_MAX, PHOTOS_MAX = 5000, 64, 255, 6
# Tickets and secrets avoid look-alike characters (0/O, 1/I/L): they are read off a phone and typed.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
OPEN_STATES = (ReportState.submitted, ReportState.accepted, ReportState.verified)
# The step a report waits for in each open state, and the config key of its deadline (in days).
STEP_OF_STATE = {ReportState.submitted: "screen", ReportState.accepted: "verify", ReportState.verified: "close"}


def _code(n: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(n))


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.strip().upper().encode()).hexdigest()


def step_due(state: ReportState, start: date | None = None) -> date | None:
    """The deadline of the step a report in ``state`` waits for: ``PUBLIC_REPORT_STEP_DAYS[step]`` days
    from ``start``; None when the region configured none (no national period is encoded: docs)."""
    step = STEP_OF_STATE.get(ReportState(state))
    days = (current_app.config.get("PUBLIC_REPORT_STEP_DAYS") or {}).get(step) if step else None
    if days in (None, ""):
        return None
    return (start or today()) + timedelta(days=int(days))


def _text(value, errors: dict, name: str, *, required=False, max_len=TEXT_MAX) -> str:
    value = (value or "").strip() if isinstance(value, str) or value is None else None
    if value is None:
        errors[name] = _("Not a valid text.")
        return ""
    if required and not value:
        errors[name] = _("This field is required.")
    elif len(value) > max_len:
        errors[name] = _("At most %(n)d characters.", n=max_len)
    return value


def _raise(errors: dict) -> None:
    if errors:
        raise Invalid(fields=errors)


# --- filing ----------------------------------------------------------------------------------------

def _root_authority() -> Authority | None:
    """Where a report that names no known enterprise and came by no authority's QR code goes: the
    authority seated highest (it hands the report down by 转办)."""
    return db.session.scalars(select(Authority).join(Region, Authority.region_id == Region.id)
                              .order_by(func.length(Region.path), Authority.id).limit(1)).first()


def enterprises_for_form(authority: Authority | None, limit: int = 500) -> list[str]:
    """Names the public form offers (a datalist): the enterprises of the authority's region subtree."""
    if authority is None:
        return []
    return list(db.session.scalars(select(Enterprise.name).join(Region, Enterprise.region_id == Region.id)
                                   .where(Region.path.startswith(authority.region.path, autoescape=True))
                                   .order_by(Enterprise.name).limit(limit)))


def _route(authority_id, enterprise_name: str, errors: dict) -> tuple[Authority | None, Enterprise | None]:
    authority = None
    if authority_id not in (None, ""):
        try:
            authority = db.session.get(Authority, int(authority_id))
        except (TypeError, ValueError):
            authority = None
        if authority is None:
            errors["authority_id"] = _("Unknown authority.")
            return None, None
    enterprise = None
    if enterprise_name:
        stmt = select(Enterprise).where(Enterprise.name == enterprise_name)
        if authority is not None:
            stmt = stmt.join(Region, Enterprise.region_id == Region.id).where(
                Region.path.startswith(authority.region.path, autoescape=True))
        enterprise = db.session.scalars(stmt.order_by(Enterprise.id).limit(1)).first()
    if authority is None and enterprise is not None:
        from app.handoffs.people import local_authority_id  # the nearest authority over an enterprise

        found = local_authority_id(enterprise.id)
        authority = db.session.get(Authority, found) if found else None
    authority = authority or _root_authority()
    if authority is None:
        errors["authority_id"] = _("No authority receives reports yet.")
    return authority, enterprise


def submit(*, category=None, enterprise_name=None, location=None, description=None, photos=(),
           name=None, phone=None, authority_id=None) -> tuple[PublicReport, str]:
    """File a report without login; (report, secret). The secret is shown once and stored hashed.
    ``photos``: (filename, bytes) pairs, checked by content (photos only; GPS data removed)."""
    errors: dict = {}
    try:
        category = ReportCategory(category)
    except ValueError:
        errors["category"] = _("Choose a category.")
    enterprise_name = _text(enterprise_name, errors, "enterprise_name", max_len=128)
    location = _text(location, errors, "location", max_len=PLACE_MAX)
    description = _text(description, errors, "description", required=True)
    name = _text(name, errors, "name", max_len=NAME_MAX)
    phone = _text(phone, errors, "phone", max_len=32)
    if not enterprise_name and not location and "enterprise_name" not in errors:
        errors["location"] = _("Name the enterprise or describe the place.")
    if phone and not rules.is_identifiable("x", phone):
        errors["phone"] = _("Not a phone number.")
    if (name and not phone) or (phone and not name):
        errors.setdefault("phone" if name else "name", _(
            "Give both your name and your phone number to claim a reward, or neither to stay anonymous."))
    photos = list(photos or ())
    checked = []
    if len(photos) > PHOTOS_MAX:
        errors["photos"] = _("At most %(n)d photos.", n=PHOTOS_MAX)
    else:
        for filename, data in photos:
            try:
                checked.append(storage.check_upload(data, filename, allow_pdf=False, field_name="photos"))
            except Invalid as exc:
                errors.update(exc.fields)
                break
    authority, enterprise = _route(authority_id, enterprise_name, errors) if not errors else (None, None)
    _raise(errors)

    secret = _code(16)
    report = PublicReport(
        ticket=None, secret_hash=hash_secret(secret), authority_id=authority.id, category=category,
        enterprise_id=enterprise.id if enterprise else None, enterprise_name=enterprise_name,
        location=location, description=description,
        reporter_name_enc=identity.encrypt(name, "name"), reporter_phone_enc=identity.encrypt(phone, "phone"),
        identifiable=bool(name and phone), state=ReportState.submitted, reward_state=RewardState.none,
        submitted_at=utcnow(), step_due=step_due(ReportState.submitted))
    for _try in range(5):  # a ticket already taken (one in 31^10): draw again
        ticket = "JB" + _code(10)
        if db.session.scalar(select(PublicReport.id).where(PublicReport.ticket == ticket)) is None:
            report.ticket = ticket
            break
    db.session.add(report)
    for file in checked:
        data = storage.strip_location(file.data) if storage.has_location(file.data) else file.data
        db.session.add(ReportPhoto(report=report, sha256=storage.save(data), mime=file.mime,
                                   filename=file.filename))
    flush_or_conflict()
    _tell_handlers(report, _("New public report %(t)s: screen it.", t=report.ticket), "new")
    return report, secret


def _tell_handlers(report: PublicReport, text: str, step: str) -> None:
    from app.notifications import service as notifications  # the reminders (a feature before this one)

    for user_id in db.session.scalars(select(User.id).where(
            User.authority_id == report.authority_id, User.role.in_(HANDLERS), User.active.is_(True))):
        notifications.notify(user_id, kind="public_report", text=text,
                             dedupe_key=f"public_report:{report.id}:{step}")


# --- following a ticket ------------------------------------------------------------------------------

def follow(ticket: str, secret: str) -> PublicReport:
    """The report behind ``ticket`` (followed through its transfers) if ``secret`` is its secret; else
    NotFound, the same answer whether the ticket exists or not."""
    ticket = (ticket or "").strip().upper()[:16]
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket)) if ticket else None
    given = hash_secret(secret or "")
    if report is None or not report.secret_hash or not hmac.compare_digest(report.secret_hash, given):
        raise NotFound()
    seen = 0
    while report.forwarded_to_id is not None and seen < 20:
        report, seen = db.session.get(PublicReport, report.forwarded_to_id), seen + 1
    return report


# --- handling ----------------------------------------------------------------------------------------

def _load(actor: User, report_id: int, action: str, version=None) -> PublicReport:
    report = access.get_visible(PublicReport, report_id, actor, for_update=True)
    access.require(actor, action, report)
    if version not in (None, "") and int(version) != report.version:
        raise Conflict()
    return report


def _fire(report, trigger: str, machine_fire, **ctx):
    try:
        return machine_fire(report, trigger, **ctx)
    except rules.InvalidTrigger:
        raise Conflict(_("This report is no longer in a state that allows this; reload the page.")) from None
    except rules.GuardFailed as exc:
        messages = _guard_messages()
        raise Invalid(fields={field: messages.get(guard, _("Missing or invalid."))
                              for guard, field in exc.failures.items()}) from None


def _guard_messages() -> dict:
    return {
        "has_reason": _("Give a reason."), "has_target_authority": _("Choose the authority to transfer to."),
        "target_is_other_authority": _("Choose another authority than this one."),
        "has_substantiated": _("Say whether the report was substantiated."),
        "has_findings": _("Describe what the verification found."), "has_result": _("Write the result."),
        "report_substantiated": _("Only a substantiated report earns a reward."),
        "reporter_identifiable": _("The reporter left no name and phone: an anonymous report earns no reward."),
        "has_amount": _("The amount must be above zero."), "has_basis": _("Give the basis of the amount."),
        "approver_is_not_proposer": _("The reward must be approved by another person than its proposer."),
        "paid_on_not_future": _("The payment date cannot be in the future."),
        "has_method": _("Give the payment method."),
    }


class _WithIdentity:
    """The report as the reward guards read it: the reporter's name and phone decrypted for the guard
    only, every other attribute (and the state the machine sets) the report's own."""

    def __init__(self, report: PublicReport):
        object.__setattr__(self, "_report", report)

    def __getattr__(self, name):
        if name in ("reporter_name", "reporter_phone"):
            report = object.__getattribute__(self, "_report")
            field = name.removeprefix("reporter_")
            return identity.decrypt(getattr(report, f"reporter_{field}_enc"), field)
        return getattr(object.__getattribute__(self, "_report"), name)

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_report"), name, value)


def decide(actor: User, report_id: int, action: str, *, reason=None, authority_id=None,
           version=None) -> PublicReport:
    """Screen a submitted report: accept (受理), reject (不予受理, with a reason) or transfer (转办, to
    another authority, with a reason). A transfer opens the report at the target authority."""
    if action not in ("accept", "reject", "transfer"):
        raise Invalid(fields={"action": _("Choose accept, reject or transfer.")})
    report = _load(actor, report_id, "report.handle", version)
    errors: dict = {}
    reason = _text(reason, errors, "reason")
    target = None
    if action == "transfer" and authority_id not in (None, ""):
        try:
            target = db.session.get(Authority, int(authority_id))
        except (TypeError, ValueError):
            target = None
        if target is None:
            errors["authority_id"] = _("Unknown authority.")
    _raise(errors)
    _fire(report, action, rules.fire_report, actor_id=actor.id, reason=reason,
          authority_id=target.id if target else None)
    report.decided_by_id, report.decided_at, report.decision_reason = actor.id, utcnow(), reason
    report.step_due = step_due(report.state) if report.state in STEP_OF_STATE else None
    if action == "transfer":
        opened = PublicReport(
            ticket=None, secret_hash=None, authority_id=target.id, category=report.category,
            enterprise_id=report.enterprise_id, enterprise_name=report.enterprise_name, location=report.location,
            description=report.description, reporter_name_enc=report.reporter_name_enc,
            reporter_phone_enc=report.reporter_phone_enc, identifiable=report.identifiable,
            state=ReportState.submitted, reward_state=RewardState.none, submitted_at=utcnow(),
            step_due=step_due(ReportState.submitted), origin_id=report.origin_id or report.id)
        db.session.add(opened)
        for photo in report.photos:
            db.session.add(ReportPhoto(report=opened, sha256=photo.sha256, mime=photo.mime, filename=photo.filename))
        db.session.flush()
        report.forwarded_to_id = opened.id
        _tell_handlers(opened, _("A public report was transferred to you: screen it."), "new")
    flush_or_conflict()
    return report


def verify(actor: User, report_id: int, *, substantiated=None, findings=None, version=None) -> PublicReport:
    """Record the on-site verification: substantiated or not, and what was found."""
    report = _load(actor, report_id, "report.handle", version)
    errors: dict = {}
    findings = _text(findings, errors, "findings")
    _raise(errors)
    _fire(report, "verify", rules.fire_report, actor_id=actor.id, substantiated=substantiated, findings=findings)
    report.substantiated, report.findings = substantiated, findings
    report.verified_by_id, report.verified_at = actor.id, utcnow()
    report.step_due = step_due(report.state)
    flush_or_conflict()
    if substantiated:
        signals.report_substantiated.send(report, actor=actor, enterprise=report.enterprise,
                                          category=report.category.value)
    return report


def close(actor: User, report_id: int, *, result=None, version=None) -> PublicReport:
    """Close with the result the reporter reads through the ticket."""
    report = _load(actor, report_id, "report.handle", version)
    errors: dict = {}
    result = _text(result, errors, "result")
    _raise(errors)
    _fire(report, "close", rules.fire_report, actor_id=actor.id, result=result)
    report.result, report.closed_at, report.step_due = result, utcnow(), None
    flush_or_conflict()
    return report


def link_hazard(actor: User, report_id: int, hazard_id) -> PublicReport:
    from app.hazards.models import Hazard  # the hazard a report became

    report = _load(actor, report_id, "report.handle")
    hazard = None
    if isinstance(hazard_id, int) or (isinstance(hazard_id, str) and hazard_id.isdigit()):
        hazard = db.session.scalar(access.visible(Hazard, actor).where(Hazard.id == int(hazard_id)))
    if hazard is None:
        raise Invalid(fields={"hazard_id": _("Choose a hazard you can see.")})
    report.hazard_id = hazard.id
    flush_or_conflict()
    return report


def record_result(actor: User, report_id: int, *, substantiated=None, result=None, hazard_id=None,
                  version=None) -> PublicReport:
    """The API's one call for the end of handling: verify (when still accepted) and close, with the
    result as the findings; ``hazard_id`` links the hazard the report became."""
    report = _load(actor, report_id, "report.handle", version)
    if report.state not in (ReportState.accepted, ReportState.verified):
        raise Conflict(_("This report is no longer in a state that allows this; reload the page."))
    if hazard_id is not None:
        link_hazard(actor, report_id, hazard_id)
    if report.state == ReportState.accepted:
        verify(actor, report_id, substantiated=substantiated, findings=result)
    return close(actor, report_id, result=result)


def make_hazard(actor: User, report_id: int, *, title=None, enterprise_id=None, level=None):
    """Turn the report into a hazard found by the government (source: public report), linked both ways:
    the report keeps the hazard's id, the hazard page names the report (``signals.hazard_origin``)."""
    from app.hazards import service as hazards  # the hazards' use case, loaded when used

    report = _load(actor, report_id, "report.handle")
    if report.state not in (ReportState.accepted, ReportState.verified):
        raise Conflict(_("Only an accepted report can become a hazard."))
    if report.hazard_id is not None:
        raise Conflict(_("This report already became a hazard."))
    enterprise = report.enterprise
    if enterprise_id not in (None, ""):
        try:
            enterprise = db.session.scalar(access.visible(Enterprise, actor).where(Enterprise.id == int(enterprise_id)))
        except (TypeError, ValueError):
            enterprise = None
        if enterprise is None:
            raise Invalid(fields={"enterprise_id": _("Choose an enterprise of your region.")})
    if enterprise is None:
        raise Invalid(fields={"enterprise_id": _("Choose the enterprise the hazard belongs to.")})
    attachments = [("before", p.filename, storage.load(p.sha256)) for p in report.photos]
    hazard = hazards.create_hazard(
        actor, enterprise=enterprise, title=(title or "").strip() or report.description[:60],
        description=report.description, location=report.location[:128] if report.location else "",
        source=HazardSource.public_report, found_by_authority=actor.authority, level=level or None,
        attachments=attachments)
    report.hazard_id = hazard.id
    report.enterprise_id = enterprise.id
    flush_or_conflict()
    return hazard


def origin_of(hazard, user):
    """``signals.hazard_origin``: the report a hazard came from, as (text, url) for ``user``, else None."""

    report = db.session.scalar(access.visible(PublicReport, user).where(PublicReport.hazard_id == hazard.id))
    if report is None:
        return None
    return _("From public report #%(id)d", id=report.id), url_for("public_reports.show", report_id=report.id)


INSPECTION_ORIGIN = "public_report:"  # the token the report's page gives the inspection form


def inspection_start_token(report: PublicReport) -> str:
    return f"{INSPECTION_ORIGIN}{report.id}"


def link_inspection(actor: User, report_id: int, inspection_id) -> PublicReport:
    """Link an inspection of the report's enterprise to an accepted report, both ways (the report keeps
    its id, the inspection page names the report: ``signals.inspection_origin``). The report's page
    does it when the inspection started from it is recorded; the API links one recorded otherwise."""
    report = _load(actor, report_id, "report.handle")
    if report.state not in (ReportState.accepted, ReportState.verified):
        raise Conflict(_("Only an accepted report can lead to an inspection."), code="wrong_state")
    if report.inspection_id is not None:
        raise Conflict(_("This report already led to an inspection."), code="already_linked")
    inspection = None
    if isinstance(inspection_id, int) and not isinstance(inspection_id, bool):
        try:
            inspection = signals.visible_inspection.first(inspection_id, actor)
        except NotFound:
            inspection = None
    if inspection is None:
        raise Invalid(fields={"inspection_id": _("Choose an inspection you can see.")})
    if report.enterprise_id is not None and inspection.enterprise_id != report.enterprise_id:
        raise Invalid(fields={"inspection_id": _("The inspection is not of the report's enterprise.")})
    report.inspection_id = inspection.id
    report.enterprise_id = inspection.enterprise_id  # a report with a free location now has its enterprise
    flush_or_conflict()
    return report


def on_inspection_recorded(inspection, *, actor=None, origin: str = "", **_kw) -> None:
    """``signals.inspection_recorded``: an inspection started from a report's page links the two."""
    if not origin.startswith(INSPECTION_ORIGIN):
        return
    report_id = origin.removeprefix(INSPECTION_ORIGIN)
    if not report_id.isdigit():
        raise Invalid(fields={"origin": _("Unknown origin of the inspection.")})
    report = _load(actor, int(report_id), "report.handle")
    if report.enterprise_id is not None and inspection.enterprise_id != report.enterprise_id:
        # The form is prefilled with the report's enterprise: another one is a slip, said on its field.
        raise Invalid(fields={"enterprise_id": _("The inspection is not of the report's enterprise.")})
    db.session.flush()  # the inspection's id
    link_inspection(actor, report.id, inspection.id)


def inspection_origin_of(inspection, user):
    """``signals.inspection_origin``: the report an inspection was started from, for ``user``, else None."""

    report = db.session.scalar(access.visible(PublicReport, user).where(PublicReport.inspection_id == inspection.id))
    if report is None:
        return None
    return _("Public report #%(id)d", id=report.id), url_for("public_reports.show", report_id=report.id)


# --- rewards -------------------------------------------------------------------------------------------

def compute(actor: User, report_id: int, *, fine=None, accident_level=None, concealed_deaths=None):
    """The reward the configured rules give this report (amount and basis), not recorded."""
    report = access.get_visible(PublicReport, report_id, actor)
    access.require(actor, "report.handle", report)
    who = _WithIdentity(report)
    try:
        rule_set = rules.reward_rules_for(report.authority.region.code, today())
        return rules.compute_reward(report.category, rule_set, reporter_name=who.reporter_name,
                                    reporter_phone=who.reporter_phone, fine=fine or None,
                                    accident_level=accident_level or None, concealed_deaths=concealed_deaths)
    except RuleSetError as exc:
        field = str(getattr(exc, "field", None) or (exc.args[0] if exc.args else "amount")).split(".")[0]
        messages = {"reporter": _guard_messages()["reporter_identifiable"],
                    "fine": _("Give the administrative fine the reward is computed from."),
                    "accident_level": _("Choose the level of the concealed accident."),
                    "concealed_deaths": _("Give the number of concealed deaths confirmed."),
                    "other_amount": _("This region configured no reward for this category."),
                    "per_concealed_death": _("This region configured no reward for this accident level.")}
        raise Invalid(fields={field: messages.get(field, _("Not configured: %(f)s", f=field))}) from None


def _amount(value, errors: dict) -> Decimal | None:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        errors["amount"] = _("Not an amount.")
        return None
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("10000000000"):
        errors["amount"] = _guard_messages()["has_amount"]
        return None
    return amount


def propose_reward(actor: User, report_id: int, *, amount=None, basis=None, version=None) -> PublicReport:
    """Propose the reward of a substantiated report by an identifiable reporter, with its basis."""
    report = _load(actor, report_id, "report.handle", version)
    errors: dict = {}
    amount = _amount(amount, errors)
    basis = _text(basis, errors, "basis")
    _raise(errors)
    _fire(_WithIdentity(report), "propose", rules.fire_reward, actor_id=actor.id, amount=amount, basis=basis)
    report.reward_amount, report.reward_basis, report.reward_proposed_by_id = amount, basis, actor.id
    flush_or_conflict()
    for user_id in db.session.scalars(select(User.id).where(
            User.authority_id == report.authority_id, User.role == Role.supervisor, User.active.is_(True))):
        from app.notifications import service as notifications

        notifications.notify(user_id, kind="public_report", dedupe_key=f"public_report:{report.id}:reward",
                             text=_("A reward for public report #%(id)d waits for your approval.", id=report.id))
    return report


def decide_reward(actor: User, report_id: int, *, approved=True, reason=None, version=None) -> PublicReport:
    """The supervisor approves (never his own proposal) or declines (with a reason) the proposal."""
    report = _load(actor, report_id, "report.approve_reward", version)
    errors: dict = {}
    reason = _text(reason, errors, "reason")
    _raise(errors)
    _fire(report, "approve" if approved else "decline", rules.fire_reward, actor_id=actor.id, reason=reason)
    report.reward_decided_by_id = actor.id
    if not approved:
        report.reward_decline_reason = reason
    flush_or_conflict()
    return report


def pay_reward(actor: User, report_id: int, *, paid_on=None, method=None, version=None) -> PublicReport:
    """Record the payment (date, method); the reporter reads it through the ticket."""
    report = _load(actor, report_id, "report.handle", version)
    errors: dict = {}
    method = _text(method, errors, "method", max_len=64)
    if isinstance(paid_on, str):
        try:
            paid_on = date.fromisoformat(paid_on)
        except ValueError:
            errors["paid_on"] = _("Not a date.")
    _raise(errors)
    _fire(report, "pay", rules.fire_reward, paid_on=paid_on, method=method, today=today())
    report.reward_paid_on, report.reward_method = paid_on, method
    flush_or_conflict()
    return report


# --- identity -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Reporter:
    name: str
    phone: str
    masked: bool


def reporter(user: User, report: PublicReport) -> Reporter | None:
    """The reporter as ``user`` may see him: in clear for a designated user of the handling authority,
    masked for everyone else; None for an anonymous report."""
    if not report.reporter_name_enc and not report.reporter_phone_enc:
        return None
    name = identity.decrypt(report.reporter_name_enc, "name") or ""
    phone = identity.decrypt(report.reporter_phone_enc, "phone") or ""
    if is_designee(user, report):
        # Who read a whistle-blower's identity, and when, is kept (the identity itself is not logged).
        admin_log.record(user, "read_identity", report, summary="举报人身份信息（明文）")
        return Reporter(name, phone, masked=False)
    return Reporter(mask_name(name), mask_phone(phone), masked=True)


def designate(actor: User, user_id) -> ReportDesignee:
    access.require(actor, "report.designate")
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        user = None
    if user is None or user.authority_id != actor.authority_id or user.role not in HANDLERS or not user.active:
        raise Invalid(fields={"user_id": _("Choose an inspector or supervisor of your authority.")})
    row = db.session.scalar(select(ReportDesignee).where(ReportDesignee.user_id == user.id))
    if row is None:
        row = ReportDesignee(user_id=user.id, authority_id=actor.authority_id, designated_by_id=actor.id)
        db.session.add(row)
        flush_or_conflict()
        admin_log.record(actor, "create", row, after={"user_id": user.id, "authority_id": actor.authority_id},
                     summary="指定举报人信息查看人员")
    return row


def undesignate(actor: User, user_id) -> None:
    access.require(actor, "report.designate")
    row = db.session.scalar(select(ReportDesignee).where(
        ReportDesignee.user_id == user_id, ReportDesignee.authority_id == actor.authority_id))
    if row is None:
        raise NotFound()
    admin_log.record(actor, "delete", row, before={"user_id": row.user_id, "authority_id": row.authority_id},
                 summary="取消举报人信息查看人员")
    db.session.delete(row)
    flush_or_conflict()


# --- reminders ----------------------------------------------------------------------------------------

def remind(batch: int | None = None) -> dict:
    """Scan step: tell the handling authority's inspectors and supervisors of every open report whose
    step is due within a day or overdue (once per report, state and deadline)."""

    soon = today() + timedelta(days=1)
    rows = db.session.execute(select(PublicReport.id, PublicReport.authority_id, PublicReport.state,
                                     PublicReport.step_due).where(
        PublicReport.state.in_(OPEN_STATES), PublicReport.step_due.is_not(None),
        PublicReport.step_due <= soon)).all()
    people: dict[int, list[int]] = {}
    out = []
    for report_id, authority_id, state, due in rows:
        if authority_id not in people:
            people[authority_id] = list(db.session.scalars(select(User.id).where(
                User.authority_id == authority_id, User.role.in_(HANDLERS), User.active.is_(True))))
        overdue = due < today()
        text = (_("Public report #%(id)d is overdue (due %(d)s).", id=report_id, d=due.isoformat()) if overdue
                else _("Public report #%(id)d is due %(d)s.", id=report_id, d=due.isoformat()))
        for user_id in people[authority_id]:
            out.append({"user_id": user_id, "kind": "public_report", "text": text,
                        "dedupe_key": f"public_report:{report_id}:{ReportState(state).value}:{due}:"
                                      f"{'overdue' if overdue else 'due'}"})
    return {"reminded": len(notifications.notify_many(out))}
