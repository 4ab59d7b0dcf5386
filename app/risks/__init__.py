"""Risk grading and control (安全风险分级管控): risk points, assessments, four-colour map, cards.

Configuration (all optional; defaults from workflows/grading.py):

* ``RISK_RULESETS_BY_REGION``: administrative-division code prefix → rule-set preset
  (``strict`` default, ``shandong``, ``ls_b``, ``ls_c``, ``ls_d``), e.g. ``{"37": "shandong"}``.
* ``RISK_CONTROL_LEVELS``: grade → default control level (company/department/workshop/team/post).
* ``RISK_CHECK_FREQUENCIES``: control level → check frequency (shift/daily/weekly/monthly).
"""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import access, labels
from app.auth.models import Role
from app.extensions import db
from app.risks.models import SitePlan
from workflows.grades import Grade
from workflows.grading import Method


def _fmt(value) -> str:
    from workflows.grading import _fmt as fmt  # the one number format of the grading rules

    return "" if value is None else fmt(value)


def _inputs_text(inputs: dict) -> str:
    if "rules" in inputs:
        return "、".join(inputs["rules"])
    return " ".join(f"{k}={_fmt(v)}" for k, v in inputs.items())


class _GradeNames:
    """grade_names['red'] → the translated label, looked up at render time (locale of the request)."""

    def __getitem__(self, key: str) -> str:
        return labels.label(Grade(key))


def _enterprise_user(user) -> bool:
    return user.role.is_enterprise


def _stored_plans():
    return db.session.scalars(select(SitePlan.sha256))


def init_app(app: Flask) -> None:
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so
    # the service, views and API are loaded only when the app is built: no import cycle.
    from app import cli, signals, storage, ui
    from app.api import register
    from app.risks import api, demo, national_api, national_views, policy, service, summary, views  # noqa: F401  (national_views: routes on views.bp)

    access.register(policy.SCOPES, policy.rules)
    ui.nav_item("risks.index", _l("Risk register"))
    ui.nav_item("risks.map_view", _l("Four-colour map"), _enterprise_user)
    ui.nav_item("risks.region", _l("Regional risks"), lambda u: u.role == Role.admin or u.role.is_government)
    ui.nav_item("risks.reviews", _l("Due for review"))
    cli.SCAN_STEPS.add("risk_reviews", service.count_due_reviews)
    cli.add_demo_step("risks", demo.seed)
    cli.add_demo_step("risk_objects", demo.seed_objects)
    signals.hazard_created.connect(service.on_hazard)
    signals.hazard_transitioned.connect(service.on_hazard)
    summary.connect()
    storage.register_references("site_plans", _stored_plans)
    app.jinja_env.filters["method_label"] = lambda m: labels.label(Method(m)) if m in Method.__members__ else m
    app.jinja_env.filters["num"] = _fmt
    app.jinja_env.filters["inputs_text"] = _inputs_text
    app.jinja_env.filters["measure_class"] = national_views.measure_class_label
    app.jinja_env.globals["grade_names"] = _GradeNames()
    app.jinja_env.filters["measure_class"] = national_views.measure_class_label
    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    register(api.blp)
    for blp in (national_api.objects_blp, national_api.events_blp, national_api.measures_blp):
        register(blp)
