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
from app.risks.models import (
    CheckRecord,
    CheckResult,
    ControlMeasure,
    GradeChangeReason,
    RiskArea,
    RiskAssessment,
    RiskEvent,
    RiskGradeChange,
    RiskObject,
    RiskPoint,
    RiskPointKind,
    RiskPointStatus,
    SitePlan,
    Suspension,
)
from workflows.grades import Grade
from workflows.grading import ControlLevel, Frequency, Method
from workflows.risk_codes import ControlCategory


def _by_point(model):
    return lambda user: model.risk_point_id.in_(select(RiskPoint.id).where(access.condition(RiskPoint, user)))


access.register_scope(RiskPoint, lambda user: access.enterprise_condition(RiskPoint.enterprise_id, user))
access.register_scope(RiskArea, lambda user: access.enterprise_condition(RiskArea.enterprise_id, user))
access.register_scope(SitePlan, lambda user: access.enterprise_condition(SitePlan.enterprise_id, user))
access.register_scope(CheckRecord, lambda user: access.enterprise_condition(CheckRecord.enterprise_id, user))
access.register_scope(RiskAssessment, _by_point(RiskAssessment))
for _model in (RiskObject, RiskEvent, ControlMeasure, Suspension):  # each carries its enterprise
    access.register_scope(_model, lambda user, m=_model: access.enterprise_condition(m.enterprise_id, user))
access.register_scope(RiskGradeChange, _by_point(RiskGradeChange))

labels.register(RiskPointKind, {RiskPointKind.operation: _l("Operation"), RiskPointKind.equipment: _l("Equipment"),
                                RiskPointKind.place: _l("Place"), RiskPointKind.process: _l("Process")})
labels.register(RiskPointStatus, {RiskPointStatus.active: _l("In use"), RiskPointStatus.retired: _l("Retired")})
labels.register(Method, {Method.lec: _l("LEC (D = L × E × C)"), Method.ls: _l("LS matrix (R = L × S)"),
                         Method.mes: _l("MES (R = M × E × S)"), Method.direct: _l("Direct determination")})
labels.register(ControlLevel, {ControlLevel.company: _l("Company level"),
                               ControlLevel.department: _l("Department level"),
                               ControlLevel.workshop: _l("Workshop level"), ControlLevel.team: _l("Team level"),
                               ControlLevel.post: _l("Post level")})
labels.register(Frequency, {Frequency.shift: _l("Every shift"), Frequency.daily: _l("Daily"),
                            Frequency.weekly: _l("Weekly"), Frequency.monthly: _l("Monthly")})
labels.register(ControlCategory, {ControlCategory.engineering: _l("Engineering"),
                                  ControlCategory.management: _l("Management"),
                                  ControlCategory.training: _l("Training"), ControlCategory.ppe: _l("PPE"),
                                  ControlCategory.emergency: _l("Emergency")})
labels.register(GradeChangeReason, {
    GradeChangeReason.assessment: _l("Assessment"),
    GradeChangeReason.major_hazard_open: _l("An open major hazard makes the point red (rule D2)"),
    GradeChangeReason.hazards_resolved: _l("The hazards that raised the grade are closed"),
})
labels.register(CheckResult, {CheckResult.ok: _l("Passed"), CheckResult.failed: _l("Failed")})


def _fmt(value) -> str:
    from workflows.grading import _fmt as fmt

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
    # Inside: this package's __init__ runs whenever any of its modules is imported (models too), so it
    # loads the service, views and API only when the app is built or the receiver runs: no cycle.
    import importlib

    from app import storage, ui
    from app.api import register
    from app.risks import api, demo, service, summary, views  # noqa: F401

    importlib.import_module("app.risks.policy")  # registers the rules
    storage.register_references("site_plans", _stored_plans)

    app.jinja_env.filters["method_label"] = lambda m: labels.label(Method(m)) if m in Method.__members__ else m
    app.jinja_env.filters["num"] = _fmt
    app.jinja_env.filters["inputs_text"] = _inputs_text
    app.jinja_env.globals["grade_names"] = _GradeNames()
    app.register_blueprint(views.bp)
    app.register_blueprint(views.public_bp)
    register(api.blp)
    service.connect_signals()
    summary.connect()
    ui.nav_item("risks.index", _l("Risk register"))
    ui.nav_item("risks.map_view", _l("Four-colour map"), _enterprise_user)
    ui.nav_item("risks.region", _l("Regional risks"), lambda u: u.role == Role.admin or u.role.is_government)
    ui.nav_item("risks.checks", _l("My checks"), _enterprise_user)
    ui.nav_item("risks.reviews", _l("Due for review"))
