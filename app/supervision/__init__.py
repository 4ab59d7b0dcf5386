"""Supervision (挂牌督办) and inspections: listing rules, the supervisor's queue, the supervision
list and overview, on-site inspections with their rectification orders and review opinions."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload, selectinload

from app import access
from app.hazards.models import Hazard
from app.supervision.models import Inspection, ProposalSource
from workflows.listing import ROUTING_MODES

NAV = (
    ("supervision.queue", _l("Listing proposals"), "supervision.queue"),
    ("supervision.listings", _l("Supervision list"), "supervision.list"),
    ("supervision.overview", _l("Supervision overview"), "supervision.overview"),
    ("supervision.inspections", _l("Inspections"), "inspection.list"),
    ("supervision.coverage", _l("Listing coverage"), "supervision.coverage"),
    ("enforcement.summons_list", _l("Summons"), "summons.create"),
    ("enforcement.publication", _l("Listing publication"), "summons.create"),
    ("enforcement.references_home", _l("Provisions and criteria"), "enforcement_reference.edit"),
)

_SOURCES = {"confirm": ProposalSource.confirm, "regrade": ProposalSource.regrade}


def _on_transition(hazard, trigger=None, actor=None, **_kw):
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service is loaded only when the receiver runs: no import cycle.
    from app.supervision import service

    if trigger in _SOURCES:
        service.propose(hazard, _SOURCES[trigger])
    elif trigger == "accept":
        service.close_listings(hazard, actor)
    elif trigger == "void":
        service.drop_proposals(hazard, "隐患已撤销")


def _on_overdue(hazard, memo: dict | None = None, **_kw):
    from app.supervision import service  # inside: as in _on_transition

    # ``memo``: the scan's, kept for its run (rule sets and authorities read once per region).
    service.propose(hazard, ProposalSource.overdue, memo=memo)


def _listings_joined():
    return joinedload(Hazard.listings)


def _visible_inspection(inspection_id: int, user):
    """Answer to ``signals.visible_inspection``: documents issues from an inspection it never imports."""
    return access.get_visible(Inspection, inspection_id, user)


def _listings_selected():
    return selectinload(Hazard.listings)


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service, views and API are loaded only when the app is built: no import cycle.
    from app import cli, exports, signals, ui
    from app.api import register
    from app.supervision import (
        api,
        demo,
        enforcement_views,
        inspections_api,
        measures_api,
        policy,
        queries,
        references_api,
        review,
        service,
        summons_api,
        todos,
        views,
    )

    routing = app.config.get("LISTING_ROUTING")
    if routing and routing not in ROUTING_MODES:  # refuse at start, not at the first confirmation
        raise RuntimeError(f"SHUANGKONG_LISTING_ROUTING={routing!r}: use one of {', '.join(ROUTING_MODES)}")
    review.check_config(app.config.get(review.CONFIG))
    access.register(policy.SCOPES, policy.rules)
    for endpoint, text, action in NAV:
        ui.nav_item(endpoint, text, lambda u, action=action: access.can(u, action))
    cli.SCAN_STEPS.add("listing rules", service.scan)  # after hazards.overdue (app.FEATURES order)
    cli.add_demo_step("supervision", demo.seed, phase="story")
    signals.hazard_transitioned.connect(_on_transition)
    signals.hazard_overdue.connect(_on_overdue)
    signals.listing_authority.connect(service.listing_authority_of)
    signals.listing_link.connect(service.listing_link_of)
    signals.listed_condition.connect(service.listed_condition)
    signals.progress_target.connect(service.progress_target_of)
    signals.visible_inspection.connect(_visible_inspection)
    exports.add_kind(queries.EXPORT)
    todos.register()
    review.register()
    signals.review_due.connect(review.review_due)
    # The reviewer rule (accept, reject, extend, regrade) and void's dropped proposals read the
    # hazard's listings: joined to its locked SELECT, they cost no round trip of their own.
    signals.add_load_option("listings", ("accept", "reject", "extend", "regrade", "void"), _listings_joined)
    # The reminder scan's batches (a limited, locked SELECT: a join would multiply its rows): one more
    # query per batch for the escalation tier's supervising authority, not one per hazard.
    signals.add_load_option("listings_of_batch", ("reminder", "overdue"), _listings_selected)
    app.register_blueprint(views.bp)
    app.register_blueprint(enforcement_views.bp)
    register(api.blp)
    register(inspections_api.blp)
    register(summons_api.blp)
    register(measures_api.blp)
    register(references_api.provisions_blp)
    register(references_api.criteria_blp)
