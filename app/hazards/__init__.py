"""Hidden-hazard governance (隐患排查治理): register, lifecycle, evidence, history, deadlines."""

from __future__ import annotations

from flask import Flask

from app import policy
from app.hazards.models import Hazard

policy.register_scope(Hazard, lambda user: policy.enterprise_condition(Hazard.enterprise_id, user))


def init_app(app: Flask) -> None:
    pass
