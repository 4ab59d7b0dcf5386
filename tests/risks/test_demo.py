"""Demo data: every demo enterprise has a site plan, areas on it and 10–40 points over all four grades."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.risks.models import RiskArea, RiskPoint, SitePlan


def test_demo_enterprises_have_graded_maps(demo_ctx, demo_runner):
    ctx = demo_ctx
    enterprises = list(ctx["enterprises"].values())
    assert enterprises
    for e in enterprises:
        assert db.session.scalar(select(SitePlan).where(SitePlan.enterprise_id == e.id)) is not None
        areas = db.session.scalars(select(RiskArea).where(RiskArea.enterprise_id == e.id)).all()
        assert areas and all(a.polygon for a in areas)
        points = db.session.scalars(select(RiskPoint).where(RiskPoint.enterprise_id == e.id)).all()
        assert 10 <= len(points) <= 40
        assert {p.effective_grade.value for p in points} == {"red", "orange", "yellow", "blue"}
        assert len({p.method for p in points}) >= 3
        assert all(p.pin_x is not None for p in points)
    assert db.session.scalar(select(func.count()).select_from(RiskPoint)) >= 10 * len(enterprises)
    result = demo_runner.invoke(args=["scan"])
    assert "risk_reviews:" in result.output
