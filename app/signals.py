"""The points where features meet: events one feature sends and questions it asks, that others answer
(``app.registry`` points; a feature connects its receivers in its ``init_app``).

Events, sent inside the transaction that caused them; receivers must not commit, may add rows to the
session and raise ServiceError to refuse; they run in the order of ``app.FEATURES``:

* ``hazard_created``: ``send(hazard, actor=...)``, the new Hazard (state reported).
* ``hazard_transitioned``: ``send(hazard, trigger=..., actor=..., event=..., data=...)`` after a
  trigger fired (``event``: the appended HazardEvent, ``data``: the trigger's fields). Supervision
  makes listing proposals from it; risks recomputes the effective grade of the hazard's risk point.
* ``hazard_overdue``: ``send(hazard, event=...)``, a hazard found overdue by ``shuangkong scan``.
* ``plan_saved``: ``send(plan, actor=..., hazard=...)``, a treatment plan saved.
* ``measures_out_of_use``: ``send(measure_ids, actor=...)``, control measures retired (or their unit
  retired): the scheduled checks end those measures' tasks, so no window of them becomes missed.
* ``duty_persons_changed``: ``send(obj, changes={role: (old_user_id, new_user_id)}, actor=...)``, a 包保
  person of an analysis object replaced: the scheduled checks move that role's duty tasks to the new
  person from the current window on (the windows before stay the former person's).
* ``listing_proposed``: ``send(listing)``, a new listing proposal (state proposed).
* ``document_issued``: ``send(document, actor=...)``, a document just issued (numbered, stored).
* ``report_substantiated``: ``send(report, actor=..., enterprise=..., category=..., source=...)``, a
  public report (举报) verified as substantiated; ``enterprise`` the Enterprise it concerns (or None),
  ``category`` its ``ReportCategory`` value, ``source`` what a record citing it says. Credit records a
  substantiated ``concealment`` (docs/credit.md).

* ``inspection_recorded``: ``send(inspection, actor=..., origin=...)``, an inspection just recorded;
  ``origin`` the opaque token of what it was started from (``"public_report:12"`` from a report's page,
  else ""): the feature that issued the token links itself (public reports: the report and the
  inspection, both ways) and may refuse with a ServiceError (nothing is recorded then).

``app.handoffs`` tells the next person in line from these (docs/handoffs.md).

Questions hazards asks without importing the feature that knows (supervision answers them):

* ``listing_authority``: ``first(hazard)`` → the Authority of the hazard's active listing (挂牌督办)
  or None. While a hazard is listed, only that authority's inspectors may accept it
  (docs/design.md); the API's ``listed`` is ``first(hazard) is not None``.
* ``listing_link``: ``first(hazard, user)`` → the address of the hazard's newest listing page
  ``user`` may open, or None.
* ``listed_condition``: ``first(authority_id)`` → a SQL condition on Hazard, true for hazards with an
  active listing (by that authority when given); the to-do lists use it to find who reviews.
* ``progress_target``: ``first(hazard, user)`` → for a listed hazard whose progress ``user`` reports,
  ``{url, due, reported}`` (the hazard page shows the monthly progress form), else None.
* ``hazard_origin``: ``first(hazard, user)`` → ``(text, url)`` of what the hazard came from (the public
  report it was made from), for the hazard page, or None.
* ``inspection_origin``: ``first(inspection, user)`` → ``(text, url)`` of what the inspection was
  started from (the public report), for the inspection page, or None.
* ``work_calendar``: ``first()`` → the working-day calendar in force (the scheduled checks keep it);
  ``app.workdays.calendar()`` asks it for every deadline counted in working days.
* ``enterprise_flags``: ``send(enterprise, where=)`` → per receiver a list of ``(text, url or None)``
  shown on the enterprise's page (``where="enterprise"``) and beside it where inspections are planned
  (``"inspections"``); credit: listed as seriously dishonest, inspect more often.
* ``trigger_load_options``: entries ``name → (triggers, make_option)``; ``load_options(trigger)``
  gives the loader options for the locked SELECT of a hazard about to take ``trigger``, so that
  what the trigger's rules read comes in the same round trip.

Questions a feature asks of one listed after it in ``app.FEATURES`` (hazards, supervision,
organisations), so that the package that comes first never imports the one that comes after
(``tests/test_features.py`` refuses an import cycle between feature packages):

* ``risk_point_hazards``: ``first(point_id, limit=)`` → the risk point's hazards, newest first
  (hazards answers; the risk point's page lists them).
* ``risk_point_open_hazards``: ``first(point_id, levels, limit=)`` → ``(hazard id, level, control
  measure id)`` of the point's open hazards of those levels (hazards answers; risks grades from them).
* ``visible_inspection``: ``first(inspection_id, user)`` → the inspection record ``user`` may see,
  NotFound otherwise (supervision answers; documents issues an order from it).
* ``grading_rules``: ``first(region_code, on)`` → the grading rule set (``workflows.grading.RuleSet``) in
  force for a region on a day (rulesets answers, which keeps the versions; risks grades with it).
* ``listing_rules``: ``first(region, on)`` → the listing rules in force for a region with the label a
  listing records (rulesets answers; supervision lists with them).
* ``listing_rule_versions``: ``first()`` → every rule of every listing rule set version that may be in
  force, oldest version first (rulesets answers; supervision's scan pre-filters and names rules with it).
* ``open_hazard_aggregates``: ``first(user)`` → ``(as_of, [(state, grade, n)])`` of the open hazards
  ``user`` may see, as the scan last counted them, or None before the first count (dashboard answers,
  which maintains them; supervision's overview reads them).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from app.registry import point

hazard_created = point("hazard.created", "A hazard was reported: send(hazard, actor=).")
hazard_transitioned = point("hazard.transitioned",
                            "A trigger fired: send(hazard, trigger=, actor=, event=, data=).")
hazard_overdue = point("hazard.overdue", "The scan found a hazard overdue: send(hazard, event=, memo=) "
                                          "(memo: a dict the receivers may cache in for the scan's run).")

listing_authority = point("hazard.listing_authority", "first(hazard) -> Authority | None")
listing_link = point("hazard.listing_link", "first(hazard, user) -> str | None")
trigger_load_options = point("hazard.load_options", "name -> (triggers, make_option)")


def add_load_option(name: str, triggers: Iterable[str], make_option: Callable[[], object]) -> None:
    """``make_option`` builds the option on first use (once every mapper is configured), then it is
    kept (options are immutable)."""
    trigger_load_options.add(name, (frozenset(triggers), functools.cache(make_option)))


def load_options(trigger: str) -> list:
    return [make() for triggers, make in trigger_load_options.values() if trigger in triggers]

measures_out_of_use = point("risk.measures_out_of_use",
                            "Control measures retired, or their unit retired: send(measure_ids, actor=).")
duty_persons_changed = point("risk.duty_persons_changed",
                             "包保 persons of an analysis object replaced: send(obj, changes={role: (old, new)}, actor=).")
plan_saved = point("hazard.plan_saved", "A treatment plan was saved: send(plan, actor=, hazard=).")
listing_proposed = point("listing.proposed", "A listing was proposed: send(listing).")
document_issued = point("document.issued", "A document was issued (numbered, stored): send(document, actor=).")

listed_condition = point("hazard.listed_condition",
                         "first(authority_id) -> SQL condition on Hazard: an active listing (by that authority)")
work_calendar = point("work_calendar", "first() -> WorkCalendar in force (app.workdays)")
progress_target = point("hazard.progress_target", "first(hazard, user) -> dict(url, due, reported) | None")

risk_point_hazards = point("risk_point.hazards", "first(point_id, limit=) -> [Hazard], newest first")
risk_point_open_hazards = point("risk_point.open_hazards",
                                "first(point_id, levels, limit=) -> [(hazard_id, level, control_measure_id)]")
visible_inspection = point("inspection.visible", "first(inspection_id, user) -> Inspection (NotFound otherwise)")
grading_rules = point("rulesets.grading", "first(region_code, on) -> workflows.grading.RuleSet in force")
listing_rules = point("rulesets.listing", "first(region, on) -> LabelledRules in force (rules, label)")
listing_rule_versions = point("rulesets.listing_versions", "first() -> [listing Rule] of every version in force")
open_hazard_aggregates = point("dashboard.open_hazards",
                               "first(user) -> (as_of, [(state, grade, n)]) | None before the first count")
# Public reports (app/public_reports): a report verified as substantiated (credit counts a substantiated
# report of concealment among its facts: ``report.category == "concealment"``, ``report.enterprise_id``).
report_substantiated = point("report.substantiated",
                             "A public report was substantiated: send(report, actor=, enterprise=, category=, source=).")
review_due = point("hazard.review_due", "first(hazard) -> date the authority's 整改复查 falls due | None")
hazard_origin = point("hazard.origin", "first(hazard, user) -> (text, url) of what the hazard came from | None")
inspection_recorded = point("inspection.recorded",
                            "An inspection was recorded: send(inspection, actor=, origin=) (origin: a token or \"\")")
inspection_origin = point("inspection.origin",
                          "first(inspection, user) -> (text, url) of what the inspection was started from | None")
enterprise_flags = point("enterprise.flags",
                         "send(enterprise, where=) -> [(text, url | None)] shown with the enterprise")


def flags_of(enterprise, where: str = "enterprise") -> list:
    """Every flag the features raise for ``enterprise`` (the templates call it)."""
    return [flag for answer in enterprise_flags.send(enterprise, where=where) if answer for flag in answer]
