"""Listing use cases: proposals from the rules, the supervisor's decision, delisting, progress.

No commit here: the view, API or CLI commits. Every change runs in the caller's transaction, so a
refused document (or anything else that raises) leaves nothing behind.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app, url_for
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app import access, labels, signals
from app.auth.models import User
from app.cli import SCAN_BATCH, end_batch, lock_skipping
from app.clock import today, utcnow
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db, flush_or_conflict
from app.hazards import service as hazard_service
from app.hazards.models import Hazard, HazardLevel
from app.organisations.models import Authority, Enterprise, Region, RegionLevel
from app.supervision import notices
from app.supervision.models import (
    ACTIVE_LISTING_STATES,
    Listing,
    ListingProgress,
    ListingState,
    ProposalSource,
)
from app.supervision.todos import month_end, month_start_utc
from workflows.grades import Grade
from workflows.hazard_states import HazardState
from workflows.listing import (
    DEFAULT_RULES,
    LEVELS_UPWARDS,
    NEAREST_ANY,
    HazardFacts,
    Rule,
    RuleSet,
    overdue_days,
    routed_level,
    rule_set_for,
)
from workflows.listing_states import GuardFailed, InvalidTrigger, fire

CONFIRMED_STATES = (HazardState.rectifying, HazardState.pending_review)
LEVEL_RANK = {RegionLevel(level): rank for rank, level in enumerate(LEVELS_UPWARDS)}


# --- the rules -------------------------------------------------------------------------

def _region_chain(region: Region) -> list[Region]:
    """The enterprise's region and its ancestors, nearest first."""
    ids = [int(i) for i in region.path.strip("/").split("/") if i] or [region.id]
    regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(ids)))}
    return [regions[i] for i in reversed(ids) if i in regions]


def rules_for_region(region: Region, on: date | None = None):
    """The listing rules in force for ``region`` (app.rulesets.listing_for: a version of the region or
    the nearest one above, else config ``LISTING_RULE_SETS``, else docs/design.md's defaults), with
    the label a listing records. rulesets comes after supervision in FEATURES (its preview runs the
    listing rules): it is asked through ``signals.listing_rules``."""
    return signals.listing_rules.first(region, on)


def rules_for(hazard: Hazard, on: date | None = None) -> RuleSet:
    """The rule set of the hazard's enterprise's region (``rules_for_region``)."""
    return rules_for_region(hazard.enterprise.region, on).rules


def rule_by_code(code: str) -> Rule | None:
    """The rule a listing records (its ``rule``): from the default table, a configured rule set or a
    version of app.rulesets (the latest version naming it)."""
    sets = [rule_set_for((), None)] + [RuleSet.from_config(rows) for rows in
                                       (current_app.config.get("LISTING_RULE_SETS") or {}).values()]
    found = next((rule for rules in sets if (rule := rules.by_code(code)) is not None), None)
    edited = signals.listing_rule_versions.first() or []
    return found or next((rule for rule in reversed(edited) if rule.code == code), None)


def rule_text(code: str) -> str:
    """The rule's description in words, from ``Rule.describe()`` (a configured rule set's too)."""
    rule = rule_by_code(code)
    if rule is None:
        return code
    about = rule.describe()
    grade = labels.label(Grade(about["grade"]))
    subject = grade if about["level"] is None else _("%(grade)s, %(level)s", grade=grade,
                                                     level=labels.label(HazardLevel(about["level"])))
    if about["on_confirmation"]:
        condition = _("proposed on confirmation")
    elif about["overdue_days_over"] == 0:
        condition = _("proposed when overdue")
    else:
        condition = _("overdue by more than %(n)s days", n=about["overdue_days_over"])
    authority = {"city": _("city-level supervision"), "county": _("county-level supervision"),
                 "province": _("province-level supervision")}[about["authority_level"]]
    return _("%(subject)s: %(condition)s (%(authority)s)", subject=subject, condition=condition,
             authority=authority)


def facts_for(hazard: Hazard, on: date | None = None) -> HazardFacts:
    return HazardFacts(
        effective_grade=hazard.effective_grade,
        level=hazard.level.value if hazard.level else None,
        confirmed=hazard.state in CONFIRMED_STATES,
        overdue_days=overdue_days(hazard.deadline, on or today()) if hazard.is_open else 0,
    )


def routing_mode() -> str:
    """Config ``LISTING_ROUTING``: ``nearest_any`` (default) or ``nearest_up`` (``workflows.listing``)."""
    return current_app.config.get("LISTING_ROUTING") or NEAREST_ANY


def authorities_over(region: Region) -> dict[str, Authority]:
    """The authority of each level over ``region`` (the nearest region's one first)."""
    chain = _region_chain(region)
    order = {r.id: i for i, r in enumerate(chain)}
    found: dict[str, Authority] = {}
    for authority in sorted(db.session.scalars(select(Authority).where(Authority.region_id.in_(order))),
                            key=lambda a: (order[a.region_id], a.id)):
        found.setdefault(authority.level.value, authority)
    return found


def listing_authority_for(enterprise: Enterprise, level: str, memo: dict | None = None) -> Authority | None:
    """The authority that receives the proposals of a rule of ``level`` for the enterprise: the one of
    that level over it, else the nearest one the routing allows (``workflows.listing.routed_level``).
    ``memo``: the authorities over each region, kept for a run of the scan."""
    found = _remembered(memo, ("authorities", enterprise.region_id), lambda: authorities_over(enterprise.region))
    routed = routed_level(level, found, routing_mode())
    return found[routed] if routed is not None else None


def _covered(hazard: Hazard, rule: Rule, existing: list[Listing]) -> bool:
    """Already proposed for this rule, or an active listing at this level or above exists (the level
    the rule asked for, whichever authority a routed proposal went to)."""
    wanted = LEVEL_RANK[RegionLevel(rule.authority_level)]
    for listing in existing:
        if listing.rule == rule.code:
            return True
        if listing.state in ACTIVE_LISTING_STATES and LEVEL_RANK[listing.rule_level] >= wanted:
            return True
    return False


def _remembered(memo: dict | None, key, compute):
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def propose(hazard: Hazard, source: ProposalSource, on: date | None = None, *,
            memo: dict | None = None) -> list[Listing]:
    """Apply the rules to one hazard and add the proposals it deserves (idempotent). ``memo``: the rule
    sets and authorities of each region, kept for one run of the scan (one query per region, not per
    hazard)."""
    region_id = hazard.enterprise.region_id
    chosen = _remembered(memo, ("rules", region_id, on), lambda: rules_for_region(hazard.enterprise.region, on))
    fired = chosen.rules.fired(facts_for(hazard, on))
    if not fired:
        return []
    existing = listings_of(hazard)
    created = []
    for rule in fired:
        if _covered(hazard, rule, existing):
            continue
        authority = listing_authority_for(hazard.enterprise, rule.authority_level, memo)
        if authority is None:
            # No authority at all over the enterprise may receive it: the administrator's coverage
            # page (``coverage``) lists the region; the log says which hazard waits.
            current_app.logger.warning("no authority over enterprise %s may receive rule %s: not proposed",
                                       hazard.enterprise_id, rule.code)
            continue
        routed = authority.level != RegionLevel(rule.authority_level)
        listing = Listing(enterprise_id=hazard.enterprise_id, rule=rule.code, rule_set_version=chosen.label,
                          source=source,
                          authority=authority, level=authority.level,
                          requested_level=RegionLevel(rule.authority_level) if routed else None,
                          grade=hazard.effective_grade.value, state=ListingState.proposed,
                          deadline=hazard.deadline)
        try:
            # A concurrent scan may insert the same (hazard, rule) first: the constraint decides.
            with db.session.begin_nested():
                # In the session before it joins ``hazard.listings``: attached first, the savepoint's
                # flush met a listing outside the session in the collection (SAWarning, not saved
                # along that path).
                db.session.add(listing)
                listing.hazard = hazard
        except IntegrityError:
            continue
        existing.append(listing)
        created.append(listing)
        signals.listing_proposed.send(listing)
    return created


def _all_rules() -> list[Rule]:
    """Every rule of the default table, of the configured rule sets (``LISTING_RULE_SETS``) and of the
    versions of app.rulesets."""
    rules = {rule for rule in DEFAULT_RULES.rules}
    for rows in (current_app.config.get("LISTING_RULE_SETS") or {}).values():
        rules.update(RuleSet.from_config(rows).rules)
    rules.update(signals.listing_rule_versions.first() or [])
    return sorted(rules, key=lambda r: r.code)


def _could_fire(rule: Rule, on: date):
    """SQL: the confirmed hazard matches ``rule`` on ``on`` and has no proposal the rule would add
    (none for this rule, no active listing at the rule's level or above: ``_covered``)."""
    conditions = [Hazard.effective_grade == rule.grade.value]
    if rule.level is not None:
        conditions.append(Hazard.level == HazardLevel(rule.level))
    if rule.overdue_days_over is not None:  # overdue_days > n  <=>  deadline < on - n days
        conditions.append(Hazard.deadline < on - timedelta(days=rule.overdue_days_over))
    wanted = LEVEL_RANK[RegionLevel(rule.authority_level)]
    at_or_above = [level for level, rank in LEVEL_RANK.items() if rank >= wanted]
    covered = select(Listing.id).where(Listing.hazard_id == Hazard.id, or_(
        Listing.rule == rule.code,
        and_(Listing.state.in_(list(ACTIVE_LISTING_STATES)),
             func.coalesce(Listing.requested_level, Listing.level).in_(at_or_above))))
    conditions.append(~covered.exists())
    return and_(*conditions)


def scan(on: date | None = None, batch: int | None = None) -> dict:
    """Apply the rules to the confirmed open hazards that could fire (``shuangkong scan``).

    SQL selects only the hazards for which some rule matches and which have no proposal for it yet, in
    batches by id (locked with SKIP LOCKED: one a user is changing is taken next run), each committed as
    it goes under ``shuangkong scan``; ``propose`` then applies the exact rule set of the hazard's region.
    A second run the same day finds nothing (unless no authority may receive a proposal: logged).
    """

    on = on or today()
    batch = batch or SCAN_BATCH
    counts = {"checked": 0, "proposed": 0}
    could_fire = or_(*(_could_fire(rule, on) for rule in _all_rules()))
    after, memo = 0, {}
    # What ``propose`` reads of each hazard, loaded per batch instead of per hazard.
    loads = (selectinload(Hazard.enterprise), selectinload(Hazard.risk_point), selectinload(Hazard.listings))
    while True:
        stmt = (select(Hazard).where(Hazard.state.in_(CONFIRMED_STATES), Hazard.id > after, could_fire)
                .order_by(Hazard.id).limit(batch).execution_options(populate_existing=True))
        hazards = db.session.scalars(lock_skipping(stmt, Hazard).options(*loads)).all()
        if not hazards:
            break
        after = hazards[-1].id
        for hazard in hazards:
            counts["checked"] += 1
            counts["proposed"] += len(propose(hazard, ProposalSource.scan, on, memo=memo))
        end_batch()
        if len(hazards) < batch:
            break
    return counts


# --- decisions -------------------------------------------------------------------------

def _load_for_change(listing_id: int, actor: User) -> Listing:
    return access.get_visible(Listing, listing_id, actor, for_update=db.engine.dialect.name != "sqlite")


def _fire(listing: Listing, trigger: str, **data) -> None:
    try:
        fire(listing, trigger, **data)
    except InvalidTrigger:
        raise Conflict(_("This listing has already been decided (%(state)s).",
                         state=labels.label(listing.state)), code="invalid_state") from None
    except GuardFailed as exc:  # has_reason is the listing machine's only guard
        raise Invalid(fields={field: _("Give the reason.") for field in exc.failures.values()}) from None


def decide(listing_id: int, actor: User, action: str, *, reason: str = "", deadline: date | None = None,
           requirements: str = "", responsible_unit: str = "", supervising_unit: str = "",
           supervising_person: str = "", basis: str = "") -> Listing:
    """The supervisor lists a proposal (issuing the supervision notice) or dismisses it.

    The notice prints what the decision records: 监管责任人 (``supervising_person``, default the
    deciding supervisor), 判定依据 (``basis``, default the clause the inspector judged the hazard
    against, else the facts that made the rule fire), and the deadline the system tracks: a later
    deadline is applied to the hazard itself (``hazard_service.extend_for_listing``), an earlier one is
    refused."""
    listing = _load_for_change(listing_id, actor)
    access.require(actor, "listing.decide", listing)
    reason = (reason or "").strip()
    if action not in ("list", "dismiss"):
        raise Invalid(fields={"action": _("Choose list or dismiss.")})
    if listing.state != ListingState.proposed:
        _fire(listing, action, reason=reason)  # raises the 409 with the state it is in
    if action == "dismiss":
        if not reason:
            raise Invalid(fields={"reason": _("Give the reason for dismissing.")})
        _fire(listing, "dismiss", reason=reason)
        listing.dismiss_reason = reason
    else:
        if not listing.hazard.is_open:
            raise Conflict(_("The hazard is no longer open; dismiss the proposal instead."),
                           code="hazard_closed")
        if deadline is not None and deadline <= today():
            raise Invalid(fields={"deadline": _("The deadline must be in the future.")})
        if len((supervising_person or "").strip()) > 64:
            raise Invalid(fields={"supervising_person": _("At most 64 characters.")})
        hazard = listing.hazard
        if deadline is not None and hazard.deadline is not None and deadline != hazard.deadline:
            if deadline < hazard.deadline:
                raise Invalid(fields={"deadline": _(
                    "The hazard must be rectified by %(d)s already; the listing cannot give an earlier "
                    "deadline.", d=hazard.deadline.isoformat())})
            hazard_service.extend_for_listing(hazard, actor, deadline,
                                       f"挂牌督办决定的治理期限：{deadline.isoformat()}")
        # The notice's 治理期限 is the deadline the system tracks on the hazard.
        listing.deadline = hazard.deadline or deadline or listing.deadline
        listing.supervising_person = (supervising_person or "").strip() or actor.display_name
        listing.basis = (basis or "").strip() or notices.basis_of(listing)
        listing.requirements = (requirements or "").strip() or notices.DEFAULT_REQUIREMENTS
        listing.responsible_unit = (responsible_unit or "").strip() or listing.enterprise.name
        listing.responsible_person = listing.enterprise.principal_name or ""
        listing.supervising_unit = (supervising_unit or "").strip() or listing.authority.name
        _fire(listing, "list")
    listing.decided_at = utcnow()
    listing.decided_by_id = actor.id
    flush_or_conflict()
    if action == "list":
        document = notices.issue_supervision_notice(listing, actor)
        listing.notice_document_id = document.id if document is not None else None
        flush_or_conflict()
    return listing


def listings_of(hazard: Hazard) -> list[Listing]:
    """All listings of the hazard, oldest first (loaded once per session, see ``Listing.hazard``)."""
    return list(hazard.listings)


def _listed(hazard: Hazard) -> Listing | None:
    """The hazard's active listing (the newest in state ``listed``), from ``hazard.listings``."""
    listed = [x for x in hazard.listings if x.state == ListingState.listed]
    return listed[-1] if listed else None


def listing_authority_of(hazard: Hazard) -> Authority | None:
    """Answers ``app.signals.listing_authority``: the authority of the hazard's active listing."""
    listing = _listed(hazard)
    return listing.authority if listing is not None else None


def listed_condition(authority_id: int | None = None):
    """For ``app.signals.listed_condition``: SQL, the hazard has an active listing (by
    ``authority_id`` when given)."""
    listed = select(Listing.id).where(Listing.hazard_id == Hazard.id, Listing.state == ListingState.listed)
    if authority_id is not None:
        listed = listed.where(Listing.authority_id == authority_id)
    return listed.exists()


def progress_target_of(hazard: Hazard, user: User) -> dict | None:
    """For ``app.signals.progress_target``: the monthly progress report of the hazard's active
    listing, when ``user`` files it (the enterprise's manager or principal)."""

    listing = _listed(hazard) if getattr(user, "is_authenticated", False) else None
    if listing is None or not access.can(user, "listing.report_progress", listing):
        return None
    on = today()
    reported = db.session.scalar(select(ListingProgress.id).where(
        ListingProgress.listing_id == listing.id, ListingProgress.created_at >= month_start_utc(on)).limit(1))
    return {"url": url_for("supervision.listing", listing_id=listing.id), "due": month_end(on),
            "reported": reported is not None}


def listing_link_of(hazard: Hazard, user: User) -> str | None:
    """Answers ``app.signals.listing_link``: the page of the hazard's newest listing that
    ``user`` may open (an enterprise: its listed or delisted items; authorities: their region's)."""

    if not getattr(user, "is_authenticated", False) or not hazard.listings:
        return None
    ids = [x.id for x in hazard.listings]
    newest = db.session.scalar(access.visible(Listing, user).where(Listing.id.in_(ids))
                               .order_by(Listing.id.desc()).limit(1))
    return url_for("supervision.listing", listing_id=newest.id) if newest is not None else None


def close_listings(hazard: Hazard, actor: User) -> None:
    """An accepted hazard: delist its active listing and dismiss waiting proposals."""
    delist_on_accept(hazard, actor)
    drop_proposals(hazard, "隐患已验收销号")


def delist_on_accept(hazard: Hazard, actor: User) -> Listing | None:
    """The accepted hazard of a listed item: the listing ends and the delisting notice is issued."""
    listing = _listed(hazard)
    if listing is None:
        return None
    if actor.authority_id != listing.authority_id:
        raise Forbidden(_("Only the listing authority's inspectors may accept a listed hazard."))
    _fire(listing, "delist")
    listing.delisted_at = utcnow()
    listing.delisted_by_id = actor.id
    flush_or_conflict()
    document = notices.issue_delisting_notice(listing, actor)
    listing.delisting_document_id = document.id if document is not None else None
    return listing


def drop_proposals(hazard: Hazard, reason: str) -> int:
    """A hazard closed or voided while proposals wait: they are dismissed with that reason."""
    waiting = [x for x in hazard.listings if x.state == ListingState.proposed]
    for listing in waiting:
        fire(listing, "dismiss", reason=reason)
        listing.dismiss_reason = reason
        listing.decided_at = utcnow()
    return len(waiting)


def report_progress(listing_id: int, actor: User, text: str) -> ListingProgress:
    listing = access.get_visible(Listing, listing_id, actor)
    access.require(actor, "listing.report_progress", listing)
    text = (text or "").strip()
    if not text:
        raise Invalid(fields={"text": _("Describe the progress of the rectification.")})
    if len(text) > 4000:
        raise Invalid(fields={"text": _("At most 4000 characters.")})
    report = ListingProgress(listing=listing, reported_by_id=actor.id, text=text)
    db.session.add(report)
    db.session.flush()
    return report


def get_listing(listing_id: int, actor: User) -> Listing:
    listing = access.get_visible(Listing, listing_id, actor)
    if listing is None:
        raise NotFound()
    return listing


def active_listing_or_proposal(hazard_id: int) -> Listing | None:
    return db.session.scalar(select(Listing).where(Listing.hazard_id == hazard_id,
                                                   Listing.state.in_(ACTIVE_LISTING_STATES))
                             .order_by(Listing.id.desc()).limit(1))
