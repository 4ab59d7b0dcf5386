"""Rule sets in the database: versions, their selection, preview and activation (no commit inside).

* Selection: ``grading_for(region_code, on)`` and ``listing_for(region, on)`` are the only way an
  assessment or a listing proposal picks its rules. The deployment's configuration
  (``RISK_RULESETS_BY_REGION``, ``LISTING_RULE_SETS``) and the built-in defaults are the versions in
  force "since always"; an active version of the database for the same region from a date replaces them
  from that date (``workflows.rulesets.Registry``: the longest region prefix, then the latest date).
* ``create`` validates a draft (thresholds that overlap or leave gaps → 422 naming the field),
  ``preview`` runs it over today's data without writing, ``activate`` fixes the date it applies from
  (today or later) and records the preview next to it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import func, select

from app import access, admin_log, clock
from app.errors import Conflict, Invalid
from app.extensions import db
from app.hazards.models import Hazard
from app.organisations.models import Enterprise, Region, RegionLevel
from app.registry import point
from app.risks.models import RiskAssessment, RiskPoint, RiskPointStatus
from app.rulesets.models import RuleFamily, RuleSetVersion
from app.supervision import service as supervision
from workflows import effective_grade as grade_rule
from workflows import grading
from workflows import listing as listing_rules
from workflows.grades import Grade
from workflows.grading import ControlLevel, Method
from workflows.hazard_states import OPEN_STATES
from workflows.rulesets import Binding, Registry, RuleSetError

SCALED_METHODS = (Method.lec, Method.ls, Method.mes)
BAND_GRADES = (Grade.red, Grade.orange, Grade.yellow)  # blue is what remains below yellow
DEFAULT_LISTING_LABEL = "default@2026.1"

# Rule families another feature owns: ``family value -> Family(parse, dump, defaults)``, added in that
# feature's init_app. ``parse(key, version, title, payload)`` validates (RuleSetError naming the field),
# ``dump(ruleset)`` gives the payload as stored, ``defaults()`` the built-in ``workflows.rulesets.Registry``
# that the database's active versions extend (``plugged_for``).
FAMILIES = point("rulesets.families", "family -> Family(parse, dump, defaults)")


# --- payloads <-> rule sets ---------------------------------------------------------------------

def grading_payload(rs: grading.RuleSet, control_levels: Mapping | None = None) -> dict:
    """A grading rule set as editable data: per method, bands from red down with their lower bound,
    its inclusivity and the upper bound (the lower bound of the band above; None for red)."""
    scales = {}
    for method in SCALED_METHODS:
        rows, upper = [], None
        for t in rs.scales[method].thresholds:
            rows.append({"grade": t.grade.value, "lower": t.bound, "upper": upper, "inclusive": t.inclusive})
            upper = t.bound
        scales[method.value] = rows
    levels = control_levels or rs.control_levels or grading.DEFAULT_CONTROL_LEVELS
    return {"scales": scales,
            "control_levels": {Grade(g).value: ControlLevel(lv).value for g, lv in levels.items()},
            "direct_rules": dict(rs.direct_rules)}


def listing_payload(rs: listing_rules.RuleSet) -> dict:
    return {"rules": [{"code": r.code, **r.describe()} for r in rs.rules]}


def _number(field: str, value) -> float:
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise RuleSetError(field, "not_number", value) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise RuleSetError(field, "not_number", value)
    if value < 0:
        raise RuleSetError(field, "negative", value)
    return float(value)


def _flag(field: str, value) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "1", 1, "on", "y"):
        return True
    if value in ("false", "0", 0, "", None, "n"):
        return False
    raise RuleSetError(field, "not_boolean", value)


def grading_from_payload(key: str, version: str, title: str, payload) -> grading.RuleSet:
    """The grading rule set of ``payload``; RuleSetError naming the first bad field.

    Per method: exactly red, orange, yellow from the top; each band's ``upper`` is the ``lower`` of the
    band above it (a smaller one leaves a gap, a larger one overlaps); red has no upper bound."""
    if not isinstance(payload, Mapping):
        raise RuleSetError("payload", "missing")
    raw_scales = payload.get("scales")
    if not isinstance(raw_scales, Mapping):
        raise RuleSetError("scales", "missing")
    scales = {}
    for method in SCALED_METHODS:
        rows = raw_scales.get(method.value)
        base = f"scales.{method.value}"
        if not isinstance(rows, list | tuple) or len(rows) != len(BAND_GRADES):
            raise RuleSetError(base, "three_bands")
        thresholds, above = [], None
        for i, (row, grade) in enumerate(zip(rows, BAND_GRADES, strict=True)):
            field = f"{base}[{i}]"
            if not isinstance(row, Mapping) or row.get("grade") != grade.value:
                raise RuleSetError(f"{field}.grade", "order", row.get("grade") if isinstance(row, Mapping) else None)
            lower = _number(f"{field}.lower", row.get("lower"))
            inclusive = _flag(f"{field}.inclusive", row.get("inclusive", True))
            upper = row.get("upper")
            if i == 0:
                if upper not in (None, ""):
                    raise RuleSetError(f"{field}.upper", "red_unbounded", upper)
            else:
                upper = _number(f"{field}.upper", upper) if upper not in (None, "") else None
                if upper is None:
                    raise RuleSetError(f"{field}.upper", "missing")
                if upper < above:
                    raise RuleSetError(f"{field}.upper", "gap", upper, str(grading._fmt(above)))
                if upper > above:
                    raise RuleSetError(f"{field}.upper", "overlap", upper, str(grading._fmt(above)))
                if lower >= upper:
                    raise RuleSetError(f"{field}.lower", "not_below_upper", lower, str(grading._fmt(upper)))
            thresholds.append(grading.Threshold(grade, lower, inclusive))
            above = lower
        scales[method] = grading.Scale(tuple(thresholds))
    levels = _control_levels(payload.get("control_levels"))
    direct = payload.get("direct_rules") or grading.DIRECT_RULES
    if not isinstance(direct, Mapping) or not all(str(v).strip() for v in direct.values()):
        raise RuleSetError("direct_rules", "missing")
    return grading.RuleSet(key, version, title, scales, dict(direct), control_levels=levels)


def _control_levels(raw) -> dict[Grade, ControlLevel]:
    if raw in (None, {}):
        return dict(grading.DEFAULT_CONTROL_LEVELS)
    if not isinstance(raw, Mapping):
        raise RuleSetError("control_levels", "missing")
    levels: dict[Grade, ControlLevel] = {}
    for grade in Grade:
        try:
            levels[grade] = ControlLevel(raw.get(grade.value))
        except ValueError:
            raise RuleSetError(f"control_levels.{grade.value}", "unknown_level", raw.get(grade.value)) from None
    ordered = [levels[g] for g in (Grade.red, Grade.orange, Grade.yellow, Grade.blue)]
    for stricter_grade, (a, b) in zip((Grade.orange, Grade.yellow, Grade.blue), zip(ordered, ordered[1:], strict=False),
                                      strict=True):
        if b.rank < a.rank:  # a lower grade controlled more senior than a higher one
            raise RuleSetError(f"control_levels.{stricter_grade.value}", "above_stricter", b.value)
    return levels


def listing_from_payload(payload) -> listing_rules.RuleSet:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("rules"), list | tuple):
        raise RuleSetError("rules", "missing")
    rules, codes = [], set()
    for i, row in enumerate(payload["rules"]):
        field = f"rules[{i}]"
        if not isinstance(row, Mapping):
            raise RuleSetError(field, "missing")
        code = str(row.get("code") or "").strip()
        if not code or len(code) > 64:
            raise RuleSetError(f"{field}.code", "missing" if not code else "too_long", code)
        if code in codes:
            raise RuleSetError(f"{field}.code", "duplicate", code)
        codes.add(code)
        try:
            grade = Grade(row.get("grade"))
        except ValueError:
            raise RuleSetError(f"{field}.grade", "unknown_grade", row.get("grade")) from None
        level = row.get("level") or None
        if level is not None and level not in listing_rules.HAZARD_LEVELS:
            raise RuleSetError(f"{field}.level", "unknown_level", level)
        authority_level = row.get("authority_level")
        if authority_level not in listing_rules.AUTHORITY_LEVELS:
            raise RuleSetError(f"{field}.authority_level", "unknown_level", authority_level)
        on_confirmation = _flag(f"{field}.on_confirmation", row.get("on_confirmation", False))
        days = row.get("overdue_days_over")
        if days in ("", None):
            days = None
        else:
            number = _number(f"{field}.overdue_days_over", days)
            if not number.is_integer():
                raise RuleSetError(f"{field}.overdue_days_over", "not_count", days)
            days = int(number)
        if on_confirmation == (days is not None):
            raise RuleSetError(f"{field}.overdue_days_over", "one_condition", days)
        rules.append(listing_rules.Rule(code, grade, level, authority_level, on_confirmation=on_confirmation,
                                        overdue_days_over=days))
    if not rules:
        raise RuleSetError("rules", "missing")
    return listing_rules.RuleSet(tuple(rules))


def message(err: RuleSetError) -> str:
    """The Chinese (gettext) message of a bad rule set, for the field it names."""
    detail = err.detail
    value = grading._fmt(err.value) if isinstance(err.value, int | float) and not isinstance(err.value, bool) \
        else err.value
    return {
        "missing": _("This value is required."),
        "not_number": _("Enter a number."),
        "negative": _("The value cannot be negative."),
        "not_boolean": _("Choose yes or no."),
        "three_bands": _("Give the three bands red, orange and yellow (blue is what remains below)."),
        "order": _("The bands go from red down: red, orange, yellow."),
        "red_unbounded": _("Red has no upper bound."),
        "gap": _("Gap: the upper bound %(value)s must be the lower bound of the band above (%(expected)s).",
                 value=value, expected=detail),
        "overlap": _("Overlap: the upper bound %(value)s must be the lower bound of the band above "
                     "(%(expected)s).", value=value, expected=detail),
        "not_below_upper": _("The lower bound must be below the upper bound (%(upper)s).", upper=detail),
        "unknown_level": pgettext("rulesets", "Unknown level."),
        "above_stricter": _("A lower grade cannot be controlled at a more senior level than a higher grade."),
        "too_long": _("At most %(n)s characters.", n=64),
        "duplicate": _("Two rules have the same code."),
        "unknown_grade": _("Unknown grade."),
        "not_count": _("Enter a whole number of days."),
        "one_condition": _("A rule fires either on confirmation or after a number of overdue days, not both "
                           "and not neither."),
        # the credit families (app.credit.rules)
        "unknown_kind": _("Unknown kind of fact."),
        "unknown_condition": _("Unknown entry condition."),
        "unknown_domain": _("Unknown restriction domain."),
        "not_positive_months": _("Enter a whole number of months above 0."),
        "not_positive_days": _("Enter a whole number of days above 0."),
        "not_below_period": _("The minimum time before early removal must be shorter than the period."),
    }.get(err.reason, err.reason)


def _invalid(err: RuleSetError) -> Invalid:
    return Invalid(fields={err.field: message(err)})


# --- where a version applies --------------------------------------------------------------------

PREFIX_LENGTH = {RegionLevel.province: 2, RegionLevel.city: 4, RegionLevel.county: 6}


def region_prefix(region: Region | None) -> str:
    """The division-code prefix of a region's subtree: 2 digits of a province, 4 of a city, 6 of a
    county, the 9 of a town (workflows.rulesets selects by it)."""
    if region is None:
        return ""
    return region.code[:PREFIX_LENGTH.get(region.level, len(region.code))]


def _active(family: RuleFamily) -> list[RuleSetVersion]:
    return list(db.session.scalars(select(RuleSetVersion).where(
        RuleSetVersion.family == family, RuleSetVersion.active.is_(True)).order_by(RuleSetVersion.id)))


def _from_row(row: RuleSetVersion):
    if row.family in FAMILIES:
        return FAMILIES[row.family].parse(row.key, row.version, row.title, row.payload)
    if row.family == RuleFamily.grading:
        return grading_from_payload(row.key, row.version, row.title, row.payload)
    return LabelledRules(listing_from_payload(row.payload), row.label)


class LabelledRules:
    """A listing rule set with the label a listing records."""

    def __init__(self, rules: listing_rules.RuleSet, label: str):
        self.rules, self.label = rules, label


def _grading_registry(extra: RuleSetVersion | None = None, on: date | None = None) -> Registry:
    bindings: dict[tuple[str, date | None], object] = {}
    mapping = current_app.config.get("RISK_RULESETS_BY_REGION") or {}
    bindings[("", None)] = grading.PRESETS[mapping.get("", grading.DEFAULT_RULESET)]
    for prefix, key in mapping.items():
        if prefix:
            bindings[(prefix, None)] = grading.PRESETS[key]
    rows = _active(RuleFamily.grading) + ([extra] if extra is not None else [])
    for row in rows:
        effective = row.effective_from if row is not extra else (on or clock.today())
        bindings[(region_prefix(row.region), effective)] = _from_row(row)
    return Registry("grading", [Binding(p, d, rs) for (p, d), rs in bindings.items()])


def grading_for(region_code: str | None, on: date | None = None) -> grading.RuleSet:
    """The grading rule set in force for a region on a day (today by default)."""
    return _grading_registry().select(region_code or "", on or clock.today())


def grading_by_label(label: str) -> grading.RuleSet | None:
    """The rule set an assessment names, whether built in, configured or a database version."""
    key, _sep, version = label.partition("@")
    row = db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.family == RuleFamily.grading,
                                                         RuleSetVersion.key == key,
                                                         RuleSetVersion.version == version))
    if row is not None:
        return _from_row(row)
    preset = grading.PRESETS.get(key)
    return preset if preset is not None and preset.label == label else None


def _chain(region: Region | None) -> list[Region]:
    if region is None:
        return []
    ids = [int(i) for i in region.path.strip("/").split("/") if i] or [region.id]
    regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(ids)))}
    return [regions[i] for i in reversed(ids) if i in regions]


def listing_for(region: Region | None, on: date | None = None, extra: RuleSetVersion | None = None,
                ) -> LabelledRules:
    """The listing rules of the nearest region up from ``region`` that has rules in force on ``on``:
    an active database version of that region (the latest already in force), else the deployment's
    ``LISTING_RULE_SETS`` entry for its code; then the whole country's version, else the defaults."""
    on = on or clock.today()
    rows = _active(RuleFamily.listing) + ([extra] if extra is not None else [])
    by_region: dict[int | None, list[tuple[date, RuleSetVersion]]] = {}
    for row in rows:
        effective = row.effective_from if row is not extra else on
        if effective is None or effective <= on:
            by_region.setdefault(row.region_id, []).append((effective or date.min, row))
    configured = current_app.config.get("LISTING_RULE_SETS") or {}
    for r in _chain(region):
        if r.id in by_region:
            return _from_row(max(by_region[r.id], key=lambda pair: (pair[0], pair[1].id))[1])
        if r.code in configured:
            return LabelledRules(listing_rules.RuleSet.from_config(configured[r.code]), f"config:{r.code}")
    if None in by_region:
        return _from_row(max(by_region[None], key=lambda pair: (pair[0], pair[1].id))[1])
    return LabelledRules(listing_rules.DEFAULT_RULES, DEFAULT_LISTING_LABEL)


def plugged_for(family: RuleFamily, region_code: str | None, on: date | None = None):
    """The rule set of a plugged family in force for a region on a day: the family's built-in bindings
    (``defaults()``), extended by the database's active versions (region prefix, effective date)."""
    plugged = FAMILIES[family]
    registry = Registry(family.value, plugged.defaults().bindings)
    taken = {(b.prefix, b.effective_from) for b in registry.bindings}
    for row in _active(family):
        binding = (region_prefix(row.region), row.effective_from)
        if binding not in taken:  # the seeded first version of a default: the built-in one already binds
            registry.bind(*binding, _from_row(row))
            taken.add(binding)
    return registry.select(region_code or "", on or clock.today())


def plugged_by_label(family: RuleFamily, label: str):
    """The plugged rule set a record names (``key@version``): a database version or a built-in one."""
    key, _sep, version = label.partition("@")
    row = db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.family == family,
                                                         RuleSetVersion.key == key, RuleSetVersion.version == version))
    if row is not None:
        return _from_row(row)
    return FAMILIES[family].defaults().by_label(label)


def all_listing_rules() -> list[listing_rules.Rule]:
    """Every rule of every listing rule set that may be in force (for the scan's SQL pre-filter)."""
    rules = []
    for row in _active(RuleFamily.listing):
        rules.extend(listing_from_payload(row.payload).rules)
    return rules


def listing_rule_by_code(code: str) -> listing_rules.Rule | None:
    for row in reversed(_active(RuleFamily.listing)):
        found = listing_from_payload(row.payload).by_code(code)
        if found is not None:
            return found
    return None


# --- use cases -----------------------------------------------------------------------------------

def _next_version(family: RuleFamily, key: str) -> str:
    year = clock.today().year
    used = set(db.session.scalars(select(RuleSetVersion.version).where(RuleSetVersion.family == family,
                                                                       RuleSetVersion.key == key)))
    n = 1
    while f"{year}.{n}" in used:
        n += 1
    return f"{year}.{n}"


def default_key(region: Region | None) -> str:
    return f"r{region.code}" if region is not None else "national"


def create(actor, *, family, region: Region | None, title: str, payload, key: str | None = None,
           ) -> RuleSetVersion:
    """A draft version (validated; nothing is in force until ``activate``)."""
    access.require(actor, "rule_set.edit", region)
    errors: dict = {}
    try:
        family = RuleFamily(family)
    except ValueError:
        errors["family"] = _("Unknown rule family.")
    title = (title or "").strip()
    if not title:
        errors["title"] = _("This value is required.")
    elif len(title) > 128:
        errors["title"] = _("At most %(n)s characters.", n=128)
    key = (key or "").strip() or default_key(region)
    if len(key) > 32 or "@" in key:
        errors["key"] = _("At most 32 characters, without “@”.")
    if errors:
        raise Invalid(fields=errors)
    version = _next_version(family, key)
    try:
        if family in FAMILIES:
            FAMILIES[family].parse(key, version, title, payload)
        elif family == RuleFamily.grading:
            grading_from_payload(key, version, title, payload)
        else:
            listing_from_payload(payload)
    except RuleSetError as err:
        raise _invalid(err) from None
    row = RuleSetVersion(family=family, key=key, version=version, title=title, region=region,
                         payload=_normalised(family, key, version, title, payload), active=False,
                         created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    admin_log.record(actor, "create", row, after={"label": row.label, "payload": row.payload},
                     summary=row.title)
    return row


def _normalised(family: RuleFamily, key, version, title, payload) -> dict:
    """The payload as stored: the validated rule set written back (numbers as numbers, flags as flags)."""
    if family in FAMILIES:
        plugged = FAMILIES[family]
        return plugged.dump(plugged.parse(key, version, title, payload))
    if family == RuleFamily.grading:
        rs = grading_from_payload(key, version, title, payload)
        return grading_payload(rs, rs.control_levels)
    return listing_payload(listing_from_payload(payload))


def _subtree(stmt, region: Region | None):
    if region is None:
        return stmt
    return stmt.where(Enterprise.region_id.in_(access.region_subtree(region.path)))


def preview(actor, row: RuleSetVersion, on: date | None = None) -> dict:
    """What activating ``row`` on ``on`` would change in today's data, computed without writing.

    Grading: the active, assessed risk points whose latest assessment would get another grade under
    the new thresholds (``regraded``, and ``raised`` / ``lowered``), and the listing proposals their
    confirmed open hazards would get with their new effective grade (``proposals``). Listing: the proposals the new
    rules would make for today's confirmed open hazards that no listing already covers (``proposals``).
    """
    access.require(actor, "rule_set.edit", row.region)
    on = on or clock.today()
    if row.family in FAMILIES:
        return {}  # a plugged family changes no result already made (its rows keep their label)
    if row.family == RuleFamily.grading:
        return _preview_grading(row, on)
    return _preview_listing(row, on)


def _preview_grading(row: RuleSetVersion, on: date) -> dict:
    registry = _grading_registry(extra=row, on=on)
    candidate = _from_row(row)
    latest = (select(func.max(RiskAssessment.id)).where(RiskAssessment.risk_point_id == RiskPoint.id)
              .correlate(RiskPoint).scalar_subquery())
    stmt = (select(RiskPoint.id, RiskPoint.assessed_grade, Region.code, RiskAssessment.method,
                   RiskAssessment.inputs)
            .join(Enterprise, Enterprise.id == RiskPoint.enterprise_id).join(Region, Region.id == Enterprise.region_id)
            .join(RiskAssessment, RiskAssessment.id == latest)
            .where(RiskPoint.status == RiskPointStatus.active))
    counts = {"checked": 0, "regraded": 0, "raised": 0, "lowered": 0, "proposals": 0}
    regraded: dict[int, Grade] = {}
    for point_id, assessed, code, method, inputs in db.session.execute(_subtree(stmt, row.region)):
        if registry.select(code, on).label != candidate.label:
            continue  # a more specific version governs this region
        counts["checked"] += 1
        try:
            _score, grade = grading.assess(method, inputs, candidate)
        except grading.GradingError:
            continue
        if assessed is not None and grade != assessed:
            counts["regraded"] += 1
            counts["raised" if grade.severity > Grade(assessed).severity else "lowered"] += 1
            regraded[point_id] = grade
    counts["proposals"] = _proposals_after_regrade(regraded, on)
    return counts


def _proposals_after_regrade(regraded: dict[int, Grade], on: date) -> int:
    """The listing proposals the confirmed open hazards of the regraded points would get with their
    new effective grade (``workflows.effective_grade``), that no listing covers yet."""
    if not regraded:
        return 0

    hazards = list(db.session.scalars(select(Hazard).where(Hazard.risk_point_id.in_(list(regraded)),
                                                           Hazard.state.in_(list(OPEN_STATES)))))
    levels: dict[int, list] = {}
    for hazard in hazards:
        levels.setdefault(hazard.risk_point_id, []).append(hazard.level)
    proposals = 0
    for hazard in hazards:
        if hazard.state not in supervision.CONFIRMED_STATES:
            continue
        assessed = regraded[hazard.risk_point_id]
        point_grade = grade_rule.of_point(assessed, levels[hazard.risk_point_id])
        grade = grade_rule.of_hazard(assessed, point_grade, hazard.level)
        facts = supervision.facts_for(hazard, on)
        facts = type(facts)(grade, facts.level, facts.confirmed, facts.overdue_days)
        existing = supervision.listings_of(hazard)
        for rule in listing_for(hazard.enterprise.region, on).rules.fired(facts):
            if not supervision._covered(hazard, rule, existing) and \
                    supervision.listing_authority_for(hazard.enterprise, rule.authority_level) is not None:
                proposals += 1
    return proposals


def _preview_listing(row: RuleSetVersion, on: date) -> dict:
    stmt = (select(Hazard).join(Enterprise, Enterprise.id == Hazard.enterprise_id)
            .where(Hazard.state.in_(supervision.CONFIRMED_STATES)))
    counts = {"checked": 0, "regraded": 0, "proposals": 0, "routed_nowhere": 0}
    for hazard in db.session.scalars(_subtree(stmt, row.region)):
        chosen = listing_for(hazard.enterprise.region, on, extra=row)
        if chosen.label != row.label:
            continue
        counts["checked"] += 1
        existing = supervision.listings_of(hazard)
        for rule in chosen.rules.fired(supervision.facts_for(hazard, on)):
            if supervision._covered(hazard, rule, existing):
                continue
            if supervision.listing_authority_for(hazard.enterprise, rule.authority_level) is None:
                counts["routed_nowhere"] += 1
                continue
            counts["proposals"] += 1
    return counts


def activate(actor, row: RuleSetVersion, *, effective_from: date | None) -> RuleSetVersion:
    """Put a draft in force from ``effective_from`` (today or later); results made before keep theirs."""
    access.require(actor, "rule_set.edit", row.region)
    if row.active:
        raise Conflict(_("This version is active already."), code="already_active")
    if effective_from is None:
        raise Invalid(fields={"effective_from": _("Give the date the version applies from.")})
    if effective_from < clock.today():
        raise Invalid(fields={"effective_from": _("The date cannot be in the past: results made before "
                                                  "today keep the rules they were made under.")})
    clash = db.session.scalar(select(RuleSetVersion.id).where(
        RuleSetVersion.family == row.family, RuleSetVersion.active.is_(True),
        RuleSetVersion.region_id.is_(None) if row.region_id is None else RuleSetVersion.region_id == row.region_id,
        RuleSetVersion.effective_from == effective_from))
    if clash is not None:
        raise Invalid(fields={"effective_from": _("Another version for this region applies from this date.")})
    row.preview = preview(actor, row, effective_from)
    row.effective_from = effective_from
    row.active = True
    row.activated_by_id = actor.id
    row.activated_at = clock.utcnow()
    db.session.flush()
    admin_log.record(actor, "reconfigure", row, before={"active": False},
                     after={"label": row.label, "effective_from": effective_from.isoformat(),
                            "preview": row.preview}, summary=row.title)
    return row
