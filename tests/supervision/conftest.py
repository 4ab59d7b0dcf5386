"""Fixtures of supervision tests: hazards in a given state and grade, and listings of them."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from app.clock import today, utcnow
from app.extensions import db
from app.hazards.models import Hazard
from app.risks.models import RiskPoint
from workflows.grades import Grade
from workflows.hazard_states import HazardLevel, HazardSource, HazardState

_counter = {"n": 0}


def risk_point(enterprise, grade: str | None) -> RiskPoint:
    _counter["n"] += 1
    point = RiskPoint(enterprise_id=enterprise.id, name=f"风险点{_counter['n']}", area="罐区",
                      assessed_grade=Grade(grade) if grade else None)
    db.session.add(point)
    db.session.flush()
    return point


def stored_hazard(enterprise, *, level: str = "general", grade: str | None = None, overdue_by: int | None = None,
                  state: str = "rectifying", title: str = "储罐区法兰泄漏", reporter=None) -> Hazard:
    """A hazard row as the lifecycle leaves it (confirmed, with a deadline), for rule and list tests
    that are not about the lifecycle itself. ``overdue_by``: days past the deadline."""
    _counter["n"] += 1
    deadline = today() - timedelta(days=overdue_by) if overdue_by is not None else today() + timedelta(days=30)
    hazard = Hazard(
        enterprise_id=enterprise.id, code=f"YH-T-{_counter['n']:05d}", title=title,
        description="现场发现法兰渗漏", source=HazardSource.self_inspection, level=HazardLevel(level),
        risk_point_id=risk_point(enterprise, grade).id if grade else None, deadline=deadline,
        state=HazardState(state), measures="更换垫片", confirmed_at=utcnow() - timedelta(days=40),
        reported_by_id=reporter.id if reporter else None)
    db.session.add(hazard)
    db.session.flush()
    return hazard


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")


@pytest.fixture
def proposal(world, db_session):
    """A red major hazard of enterprise a proposed for listing at the city authority."""
    from app.supervision import service
    from app.supervision.models import ProposalSource

    hazard = stored_hazard(world.enterprises.a, level="major", grade="red")
    (listing,) = service.propose(hazard, ProposalSource.confirm)
    db_session.commit()
    return listing


def as_user(client, user) -> dict:
    """Bearer header for ``user``, forgetting whoever the previous request ran as.

    The ``db_session`` fixture keeps one app context for the whole test, so Flask's ``g`` (where
    Flask-Login caches ``current_user``) outlives a request; drop it before switching users.
    """
    from flask import g

    from tests.conftest import api_token

    g.pop("_login_user", None)
    headers = api_token(client, user)
    g.pop("_login_user", None)
    return headers


def login_as(client, user):
    from flask import g

    from tests.conftest import login

    g.pop("_login_user", None)
    return login(client, user)
