"""Hidden-hazard governance (隐患排查治理): register, lifecycle, evidence, history, deadlines."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy.orm import undefer

from app import labels
from app.hazards.models import AttachmentKind, Hazard
from workflows.hazard_states import HazardLevel, HazardState


def _enum_label(enum_cls):
    return lambda v: labels.label(enum_cls(v)) if v in enum_cls.__members__ else (v or "")


def _submit_loads_evidence():
    return undefer(Hazard.after_evidence_count)


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service, views and API are loaded only when the app is built: no import cycle.
    from app import access, cli, exports, signals, storage, ui
    from app.api import register
    from app.hazards import api, demo, policy, queries, scan, storage_io, todos, views
    from app.hazards import cli as hazards_cli
    from app.hazards import exports as hazard_exports

    access.register(policy.SCOPES, policy.rules)
    ui.nav_item("hazards.index", lazy_pgettext("hazards", "Hazards"), lambda user: access.can(user, "hazard.list"))
    # one tap from any page on a phone (issue 20): the menu opens the report form itself
    ui.nav_item("hazards.new", _l("Report a hazard"), lambda user: access.can(user, "hazard.create"))
    cli.SCAN_STEPS.add("hazards.overdue", scan.scan_overdue)
    cli.add_demo_step("hazards", demo.seed, phase="story")
    signals.add_load_option("after_evidence", ("submit",), _submit_loads_evidence)
    signals.risk_point_hazards.connect(queries.of_risk_point)
    signals.risk_point_open_hazards.connect(queries.open_of_risk_point)
    exports.add_kind(hazard_exports.KIND)
    storage.register_references("hazard_attachments", storage_io.stored_digests)
    app.register_blueprint(views.bp)
    register(api.blp)
    hazards_cli.init_app(app)
    todos.register()
    # Event data keeps identifiers as strings; these show them as labels in the timeline.
    app.jinja_env.filters["hazard_state_label"] = _enum_label(HazardState)
    app.jinja_env.filters["hazard_level_label"] = _enum_label(HazardLevel)
    app.jinja_env.filters["attachment_kind_label"] = _enum_label(AttachmentKind)
