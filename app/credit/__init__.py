"""Credit records (不良信用记录), the serious-dishonesty list (严重失信主体名单) and its publication (公示).

Issue 19 items 4-6, on the rules of ``workflows/credit.py`` (docs/credit.md). Configuration: the
``credit`` and ``dishonesty`` families of the versioned rule sets (``app.rulesets``), per region.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import access


def _flags(enterprise, where: str = "enterprise"):
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service is loaded only when the receiver runs: no import cycle.
    from flask import url_for
    from sqlalchemy import func, select

    from app.credit import dishonesty
    from app.credit.models import CreditRecord
    from app.extensions import db

    flags = []
    for entry in dishonesty.listed_entries(enterprise.id):
        until = entry.expires_on.isoformat() if entry.expires_on else _("no end date configured")
        flags.append((_("On the serious-dishonesty list (until %(until)s): key supervision, inspect more often.",
                        until=until), url_for("credit.entry", entry_id=entry.id)))
    count = db.session.scalar(select(func.count()).select_from(CreditRecord)
                              .where(CreditRecord.enterprise_id == enterprise.id, CreditRecord.weight > 0))
    if count or where == "enterprise":  # the enterprise page always leads to its credit records
        flags.append((_("%(n)s credit records in force.", n=count),
                      url_for("credit.enterprise", enterprise_id=enterprise.id)))
    return flags


def init_app(app: Flask) -> None:
    # Inside: as _flags.
    from app import cli, signals, ui
    from app.api import register
    from app.credit import api, demo, dishonesty, policy, rules, service, todos, views
    from app.rulesets import service as rulesets

    access.register(policy.SCOPES, policy.rules)
    for family, plugged in rules.FAMILIES.items():
        rulesets.FAMILIES.add(family, plugged)
    ui.nav_item("credit.index", _l("Serious-dishonesty list"),
                lambda u: u.role.is_government or u.role.value == "admin")
    cli.SCAN_STEPS.add("credit.dishonesty_proposals", dishonesty.propose_from_facts)
    cli.SCAN_STEPS.add("credit.dishonesty_expiry", dishonesty.expire)
    cli.add_demo_step("credit", demo.seed, phase="story")
    signals.hazard_overdue.connect(service.on_overdue)
    signals.hazard_transitioned.connect(service.on_transition)
    signals.report_substantiated.connect(service.on_report_substantiated)
    signals.enterprise_flags.connect(_flags)
    todos.register()
    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    register(api.records_blp)
    register(api.list_blp)
