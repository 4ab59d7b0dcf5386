"""The serious-dishonesty list (严重失信主体名单): proposal, decision with its notice, credit repair,
expiry. No commit here (docs/credit.md).

* ``propose``: an officer of the authority that imposed the administrative penalty (谁处罚、谁决定) names
  the condition and the penalty decision; the system checks the region's configured conditions and
  refuses one not met, naming it (``workflows.credit.check_entry``). The facts that support a condition
  are those the officer attests with ``evidence`` and, for ``accident_concealed``, a concealment
  substantiated through a public report in the enterprise's credit records.
* ``decide``: another person (a supervisor) lists it, after notifying the entity of the grounds and its
  rights (``notified_on``), with a written decision: the numbered 列入严重失信主体名单决定书 (documents),
  the period from the region's rules (none computed when the region configures none), and the restriction
  domains; or refuses with a reason.
* ``apply_repair`` / ``decide_repair``: early removal by credit repair, on the region's conditions.
* ``expire``: the scan removes entries whose period has run out.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from app import access, cli, clock
from app.auth.models import User
from app.credit import rules as credit_rules
from app.credit.models import CreditFactKind, CreditRecord, DishonestyEntry, ListingState, Subject
from app.credit.service import text_field as _text
from app.errors import Conflict, Invalid
from app.extensions import db, flush_or_conflict
from app.organisations.models import Enterprise
from workflows import credit as rules
from workflows.rulesets import RuleSetError

MAX_TEXT = 2000
# Facts of the system that support a condition by themselves (a record in force of that kind).
SUPPORTING_FACTS = {"accident_concealed": CreditFactKind.concealment_substantiated}


def _refusal(err: RuleSetError) -> Invalid:
    if err.reason == "not_met":
        code = err.field.partition(".")[2]
        text = err.detail or code
        if err.field == "penalty":
            return Invalid(fields={"penalty_decision": _("Listing requires an administrative penalty decision.")})
        return Invalid(fields={"condition": _("The condition is not met: %(condition)s", condition=text)})
    if err.reason == "unknown_condition":
        return Invalid(fields={"condition": _("This condition is not configured for the region: %(code)s",
                                              code=err.value)})
    if err.reason == "not_configured":
        return Invalid(fields={err.field: _("The region's rule set configures no %(what)s.", what=err.field)})
    return Invalid(fields={err.field: err.reason})


def supported_conditions(enterprise: Enterprise) -> set[str]:
    """Conditions the system's own facts support for the enterprise (records in force)."""
    kinds = set(db.session.scalars(select(CreditRecord.kind).where(CreditRecord.enterprise_id == enterprise.id,
                                                                   CreditRecord.weight > 0)))
    return {code for code, kind in SUPPORTING_FACTS.items() if kind in kinds}


def propose(actor: User, *, enterprise_id: int, condition: str, penalty_decision: str, facts: str = "",
            evidence: dict | None = None, subject: str = "enterprise") -> DishonestyEntry:
    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    access.require(actor, "dishonesty.propose", enterprise)
    errors: dict[str, str] = {}
    penalty_decision = _text(penalty_decision, "penalty_decision", errors, required=False, max_len=128)
    facts = _text(facts, "facts", errors, required=False)
    try:
        subject = Subject(subject)
    except ValueError:
        errors["subject"] = _("Choose the enterprise or its principal.")
    if subject == Subject.principal and not (enterprise.principal_name or "").strip():
        errors["subject"] = _("The enterprise has no principal recorded.")
    evidence = {k: v.strip() for k, v in (evidence or {}).items() if isinstance(v, str) and v.strip()}
    if errors:
        raise Invalid(fields=errors)
    lr = credit_rules.dishonesty_for(enterprise.region.code, clock.today())
    met = set(evidence) | supported_conditions(enterprise)
    try:
        chosen = rules.check_entry(condition, met & set(lr.rules.conditions), lr.rules,
                                   penalty_decided=bool(penalty_decision))
    except RuleSetError as err:
        raise _refusal(err) from None
    active = db.session.scalar(select(DishonestyEntry.id).where(
        DishonestyEntry.enterprise_id == enterprise.id, DishonestyEntry.subject == subject,
        DishonestyEntry.state.in_((ListingState.proposed, ListingState.listed))))
    if active is not None:
        raise Conflict(_("This subject is already proposed or listed."), code="already_listed")
    basis = "；".join(filter(None, [facts, evidence.get(condition, "")]))
    entry = DishonestyEntry(
        enterprise=enterprise, authority_id=actor.authority_id, subject=subject,
        person_name=enterprise.principal_name.strip() if subject == Subject.principal else "",
        conditions=[chosen.code], condition_text=chosen.text, penalty_decision=penalty_decision, facts=basis,
        rule_set=lr.label, restriction_domains=list(lr.rules.restriction_domains), proposed_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    return entry


def _proposable_facts():
    """Credit records in force that support a condition by themselves and that no entry of their subject
    has considered since (an entry proposed from the fact, or any entry of that subject proposed after the
    fact was recorded: a person already looked at the subject)."""
    considered = (select(DishonestyEntry.id).where(
        DishonestyEntry.enterprise_id == CreditRecord.enterprise_id, DishonestyEntry.subject == CreditRecord.subject,
        (DishonestyEntry.source_record_id == CreditRecord.id) | (DishonestyEntry.proposed_at >= CreditRecord.created_at))
        .exists())
    return (select(CreditRecord).where(CreditRecord.kind.in_(set(SUPPORTING_FACTS.values())), CreditRecord.weight > 0,
                                       CreditRecord.authority_id.is_not(None), ~considered)
            .order_by(CreditRecord.id))


def propose_from_facts(batch: int | None = None) -> dict:
    """Scan step: the system proposes (拟列入) the subject of a fact that meets a condition configured in
    its region, once per fact, to the authority the fact was recorded with; its supervisors see it as a
    to-do and a person decides (``decide``), giving the penalty decision the listing presupposes."""
    today = clock.today()
    by_kind = {kind: code for code, kind in SUPPORTING_FACTS.items()}
    proposed = skipped = 0
    last_id = 0
    while True:
        rows = list(db.session.scalars(cli.lock_skipping(
            _proposable_facts().where(CreditRecord.id > last_id).limit(batch or cli.SCAN_BATCH), CreditRecord)))
        if not rows:
            break
        for record in rows:
            last_id = record.id
            code = by_kind[record.kind]
            lr = credit_rules.dishonesty_for(record.enterprise.region.code, today)
            active = db.session.scalar(select(DishonestyEntry.id).where(
                DishonestyEntry.enterprise_id == record.enterprise_id, DishonestyEntry.subject == record.subject,
                DishonestyEntry.state.in_((ListingState.proposed, ListingState.listed))))
            if code not in lr.rules.conditions or active is not None:
                skipped += 1  # not a condition in this region, or the subject is on (its way to) the list
                continue
            condition = lr.rules.conditions[code]
            db.session.add(DishonestyEntry(
                enterprise_id=record.enterprise_id, authority_id=record.authority_id, subject=record.subject,
                person_name=record.person_name, conditions=[code], condition_text=condition.text,
                penalty_decision="", facts=record.source, rule_set=lr.label, source_record_id=record.id,
                restriction_domains=list(lr.rules.restriction_domains), proposed_by_id=None))
            proposed += 1
        cli.end_batch()
    return {"proposed": proposed, "skipped": skipped}


GUARD_MESSAGES = {
    "actor": lambda: _("The person who proposed cannot decide."),
    "decision_no": lambda: _("Give the number of the written decision."),
    "notified_on": lambda: _("Give the day the entity was told the grounds and its rights."),
    "reason": lambda: _("This field is required."),
    "conditions": lambda: _("The conditions of early removal are not met."),
    "expires_on": lambda: _("The period has not run out."),
}


def _guard_refusal(failures: dict) -> Invalid:
    return Invalid(fields={f: GUARD_MESSAGES.get(f, GUARD_MESSAGES["reason"])() for f in failures.values()})


def _fire(entry: DishonestyEntry, trigger: str, **ctx) -> None:
    try:
        failures = rules.LISTING_MACHINE.failing_guards(entry, trigger, **ctx)
        if failures:
            raise _guard_refusal(failures)
        rules.LISTING_MACHINE.fire(entry, trigger, **ctx)
    except rules.InvalidTrigger:
        raise Conflict(_("The entry is no longer in a state that allows this (reload)."), code="wrong_state") from None


def _loaded(actor: User, entry_id: int, version: int | None) -> DishonestyEntry:
    entry = access.get_visible(DishonestyEntry, entry_id, actor)
    if version is not None and version != entry.version:
        raise Conflict(_("Someone changed this entry meanwhile: reload the page."), code="stale")
    return entry


def decide(actor: User, entry_id: int, *, action: str, notified_on: date | None = None,
           reason: str = "", restriction_domains: list[str] | None = None, penalty_decision: str = "",
           version: int | None = None) -> DishonestyEntry:
    """List or refuse. An entry the system proposed carries no penalty decision: the decider gives it
    (``penalty_decision``) where the region's rules presuppose one."""
    entry = _loaded(actor, entry_id, version)
    access.require(actor, "dishonesty.decide", entry)
    errors: dict[str, str] = {}
    if action not in ("list", "refuse"):
        errors["action"] = _("Choose list or refuse.")
    reason = _text(reason, "reason", errors, required=action == "refuse")
    penalty_decision = _text(penalty_decision, "penalty_decision", errors, required=False, max_len=128)
    if notified_on is not None and notified_on > clock.today():
        errors["notified_on"] = _("The date cannot be in the future.")
    lr = credit_rules.dishonesty_by_label(entry.rule_set)
    domains = list(restriction_domains) if restriction_domains else list(entry.restriction_domains)
    unknown = [d for d in domains if d not in lr.rules.restriction_domains]
    if unknown:
        errors["restriction_domains"] = _("Unknown restriction domain: %(d)s", d=unknown[0])
    if action == "list" and lr.rules.requires_penalty and not (entry.penalty_decision or penalty_decision):
        errors["penalty_decision"] = _("Listing requires an administrative penalty decision.")
    if errors:
        raise Invalid(fields=errors)
    if penalty_decision and not entry.penalty_decision:
        entry.penalty_decision = penalty_decision
    if action == "refuse":
        _fire(entry, "refuse", actor_id=actor.id, reason=reason)
        entry.refuse_reason = reason
    else:
        # The written decision is the numbered notice: its guards are checked before a number is taken.
        try:
            failures = rules.LISTING_MACHINE.failing_guards(entry, "decide", actor_id=actor.id, decision_no="-",
                                                            notified_on=notified_on)
        except rules.InvalidTrigger:
            raise Conflict(_("The entry is no longer in a state that allows this (reload)."),
                           code="wrong_state") from None
        if failures:
            raise _guard_refusal(failures)
        entry.notified_on, entry.restriction_domains = notified_on, domains
        entry.listed_on = clock.today()
        if lr.rules.period_months is not None:
            entry.expires_on = rules.expires_on(entry.listed_on, lr.rules)
        from app.credit import notice  # inside: documents (WeasyPrint) is loaded on this path only

        document = notice.issue(actor, entry, lr)
        _fire(entry, "decide", actor_id=actor.id, decision_no=document.number, notified_on=notified_on)
        entry.decision_no, entry.notice_document_id = document.number, document.id
    entry.decided_by_id, entry.decided_at = actor.id, clock.utcnow()
    flush_or_conflict()
    return entry


def apply_repair(actor: User, entry_id: int, *, statement: str, conditions: list[str] | None = None,
                 version: int | None = None) -> DishonestyEntry:
    """The listed entity applies for early removal (信用修复), stating what it did."""
    entry = _loaded(actor, entry_id, version)
    access.require(actor, "dishonesty.apply_repair", entry)
    if entry.state != ListingState.listed:
        raise Conflict(_("Only a listed entry can be removed early."), code="wrong_state")
    if entry.repair_applied_on is not None and entry.repair_decision == "":
        raise Conflict(_("An application is waiting for its decision."), code="pending_application")
    errors: dict[str, str] = {}
    statement = _text(statement, "statement", errors)
    lr = credit_rules.dishonesty_by_label(entry.rule_set)
    conditions = list(dict.fromkeys(conditions or []))
    unknown = [c for c in conditions if c not in lr.rules.early_removal_conditions]
    if unknown:
        errors["conditions"] = _("Unknown condition of early removal: %(c)s", c=unknown[0])
    if errors:
        raise Invalid(fields=errors)
    entry.repair_applied_on, entry.repair_statement, entry.repair_conditions = clock.today(), statement, conditions
    entry.repair_decision, entry.repair_reason = "", ""
    flush_or_conflict()
    return entry


def eligibility(entry: DishonestyEntry, on: date | None = None) -> rules.EarlyRemoval:
    lr = credit_rules.dishonesty_by_label(entry.rule_set)
    return rules.early_removal(entry.listed_on, on or clock.today(), entry.repair_conditions or [], lr.rules)


def decide_repair(actor: User, entry_id: int, *, action: str, reason: str, decision_no: str = "",
                  version: int | None = None) -> DishonestyEntry:
    """Grant (removed early, publication stops) or refuse the application, with the reason."""
    entry = _loaded(actor, entry_id, version)
    access.require(actor, "dishonesty.decide_repair", entry)
    if entry.repair_applied_on is None or entry.repair_decision != "":
        raise Conflict(_("There is no application waiting for a decision."), code="no_application")
    errors: dict[str, str] = {}
    if action not in ("grant", "refuse"):
        errors["action"] = _("Choose grant or refuse.")
    reason = _text(reason, "reason", errors)
    decision_no = _text(decision_no, "decision_no", errors, required=action == "grant", max_len=64)
    if errors:
        raise Invalid(fields=errors)
    if action == "grant":
        try:
            found = eligibility(entry)
        except RuleSetError as err:
            raise _refusal(err) from None
        if not found.eligible:
            unmet = ["min_months" if c == "min_months" else c for c in found.unmet]
            raise Invalid(fields={"conditions": _(
                "Early removal is not possible yet: %(unmet)s (earliest %(day)s).",
                unmet="、".join(_("listed for the minimum period") if c == "min_months" else c for c in unmet),
                day=found.earliest_on.isoformat())})
        _fire(entry, "remove_early", actor_id=actor.id, eligibility=found, decision_no=decision_no)
        entry.removal_decision_no, entry.removed_on, entry.removed_by_id = decision_no, clock.today(), actor.id
    entry.repair_decision, entry.repair_reason = ("granted" if action == "grant" else "refused"), reason
    flush_or_conflict()
    return entry


def expire(batch: int | None = None) -> dict:
    """Scan step: entries whose period has run out leave the list (and its publication). Idempotent."""
    today = clock.today()
    stmt = (select(DishonestyEntry).where(DishonestyEntry.state == ListingState.listed,
                                          DishonestyEntry.expires_on.is_not(None),
                                          DishonestyEntry.expires_on <= today).order_by(DishonestyEntry.id))
    expired = 0
    while True:
        rows = list(db.session.scalars(cli.lock_skipping(stmt.limit(batch or cli.SCAN_BATCH), DishonestyEntry)))
        if not rows:
            break
        for entry in rows:
            rules.LISTING_MACHINE.fire(entry, "expire", today=today)
            entry.removed_on = today
            expired += 1
        cli.end_batch()
    return {"expired": expired}


def entries_for(actor: User, *, state: str | None = None, enterprise_id: int | None = None):
    stmt = access.visible(DishonestyEntry, actor)
    if state:
        stmt = stmt.where(DishonestyEntry.state == ListingState(state))
    if enterprise_id:
        stmt = stmt.where(DishonestyEntry.enterprise_id == enterprise_id)
    return stmt.order_by(DishonestyEntry.id.desc())


def listed_entries(enterprise_id: int) -> list[DishonestyEntry]:
    """The enterprise's entries in force (for its page and the inspection planning)."""
    return list(db.session.scalars(select(DishonestyEntry).where(
        DishonestyEntry.enterprise_id == enterprise_id, DishonestyEntry.state == ListingState.listed)
        .order_by(DishonestyEntry.id)))
