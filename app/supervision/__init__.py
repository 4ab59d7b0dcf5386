"""Supervision (挂牌督办) and inspections: listing rules, the supervisor's queue, the supervision
list and overview, on-site inspections with their rectification orders and review opinions."""

from __future__ import annotations

import importlib

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from app import access, labels, signals
from app.cli import SCAN_STEPS
from app.hazards.models import Hazard
from app.supervision.models import ListingState, ProposalSource
from workflows.listing import ROUTING_MODES

# Registers the scopes and rules. (``from app.supervision import policy`` would not load the
# submodule if the package namespace already had a ``policy`` name.)
importlib.import_module("app.supervision.policy")

labels.register(ListingState, {
    ListingState.proposed: _l("Proposed"), ListingState.listed: _l("Listed"),
    ListingState.dismissed: _l("Dismissed"), ListingState.delisted: _l("Delisted"),
})
labels.register(ProposalSource, {
    ProposalSource.scan: _l("Periodic scan"), ProposalSource.confirm: _l("Confirmation"),
    ProposalSource.regrade: _l("Regrading"), ProposalSource.overdue: _l("Overdue"),
})

_SOURCES = {"confirm": ProposalSource.confirm, "regrade": ProposalSource.regrade}


def _on_transition(hazard, trigger=None, actor=None, **_kw):
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so it
    # loads the service, views and API only when the app is built or the receiver runs: no cycle.
    from app.supervision import service

    if trigger in _SOURCES:
        service.propose(hazard, _SOURCES[trigger])
    elif trigger == "accept":
        service.close_listings(hazard, actor)
    elif trigger == "void":
        service.drop_proposals(hazard, "隐患已撤销")


def _on_overdue(hazard, **_kw):
    from app.supervision import service

    service.propose(hazard, ProposalSource.overdue)


def _scan_listing_rules() -> dict:
    from app.supervision import service

    return service.scan()


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so it
    # loads the service, views and API only when the app is built or the receiver runs: no cycle.
    from app import ui
    from app.hazards import hooks
    from app.supervision import api, demo, service, todos, views  # noqa: F401

    routing = app.config.get("LISTING_ROUTING")
    if routing and routing not in ROUTING_MODES:  # refuse at start, not at the first confirmation
        raise RuntimeError(f"SHUANGKONG_LISTING_ROUTING={routing!r}: use one of {', '.join(ROUTING_MODES)}")
    hooks.set_listing_resolver(service.listing_authority_of)
    hooks.set_listing_link(service.listing_link_of)
    hooks.set_listed_condition(service.listed_condition)
    hooks.set_progress_target(service.progress_target_of)
    todos.register()
    # The reviewer rule (accept, reject, extend, regrade) and void's dropped proposals read the
    # hazard's listings: joined to its locked SELECT, they cost no round trip of their own.
    hooks.add_load_option("listings", ("accept", "reject", "extend", "regrade", "void"),
                          lambda: joinedload(Hazard.listings))
    # After the hazards' overdue step (registered by its init_app, which runs before ours).
    if all(name != "listing rules" for name, _fn in SCAN_STEPS):
        SCAN_STEPS.append(("listing rules", _scan_listing_rules))
    # weak=False: the receivers are module functions, connected once per process.
    if not getattr(signals.hazard_transitioned, "_supervision_connected", False):
        signals.hazard_transitioned.connect(_on_transition, weak=False)
        signals.hazard_overdue.connect(_on_overdue, weak=False)
        signals.hazard_transitioned._supervision_connected = True
    app.register_blueprint(views.bp)
    api.register()
    for endpoint, text, action in (
        ("supervision.queue", _l("Listing proposals"), "supervision.queue"),
        ("supervision.listings", _l("Supervision list"), "supervision.list"),
        ("supervision.overview", _l("Supervision overview"), "supervision.overview"),
        ("supervision.inspections", _l("Inspections"), "inspection.list"),
        ("supervision.coverage", _l("Listing coverage"), "supervision.coverage"),
    ):
        ui.nav_item(endpoint, text, lambda u, action=action: access.can(u, action))
