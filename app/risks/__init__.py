"""Risk grading and control (安全风险分级管控): risk points, assessments, four-colour map, cards."""

from __future__ import annotations

from flask import Flask

from app import policy
from app.risks.models import RiskPoint

policy.register_scope(RiskPoint, lambda user: policy.enterprise_condition(RiskPoint.enterprise_id, user))


def init_app(app: Flask) -> None:
    pass
