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


def test_demo_chlorine_tank_farm_is_a_major_hazard_source(demo_ctx):
    """The chemical plant's 液氯储罐区: a 二级 major hazard source (R = 1.5 × 4 × 48 / 5 = 57.6, GB 18218-2018)
    with its three 包保 persons; its tank a unit with two graded events and measures with check content; a
    停用/检修 record in the story; and every other demo point still has one event and its measures."""
    from app.risks import events
    from app.risks.demo import CHLORINE_R, major_hazard_level_of
    from app.risks.models import ControlMeasure, RiskEvent, RiskObject, Suspension

    assert CHLORINE_R == 57.6 and major_hazard_level_of(CHLORINE_R) == 2
    assert [major_hazard_level_of(r) for r in (100, 99.9, 50, 10, 9.9)] == [1, 2, 2, 3, 4]
    farm = db.session.scalar(select(RiskObject).where(RiskObject.name == "液氯储罐区"))
    assert farm.major_hazard_level == 2 and farm.hazard_source_code
    persons = [farm.principal_user, farm.technical_user, farm.operator_user]
    assert all(p is not None and p.enterprise_id == farm.enterprise_id for p in persons)
    assert len({p.id for p in persons}) == 3
    units = {p.name: p for p in db.session.scalars(select(RiskPoint).where(RiskPoint.object_id == farm.id))}
    assert set(units) == {"液氯储罐区", "液氯槽车装卸作业"}
    tank_events = events.events_of(units["液氯储罐区"])
    assert [(e.name, e.accident_type) for e in tank_events] == [("液氯储罐泄漏中毒", "19"), ("液氯储罐超压容器爆炸", "17")]
    assert all(e.initial_grade is not None for e in tank_events)
    measures = events.measures_of(units["液氯储罐区"])
    assert {m.data_source.value for m in measures} == {"manual", "automatic"}
    assert sum(1 for m in measures if m.check_content) >= 6
    assert db.session.scalar(select(Suspension).where(Suspension.risk_point_id == units["液氯槽车装卸作业"].id))
    # the other points went through the same services: one event each, measures for each line of their card
    for point in db.session.scalars(select(RiskPoint)):
        assert db.session.scalar(select(func.count()).select_from(RiskEvent).where(
            RiskEvent.risk_point_id == point.id)) >= 1
        assert sum(len(v) for v in point.controls.values()) == db.session.scalar(
            select(func.count()).select_from(ControlMeasure).where(ControlMeasure.risk_point_id == point.id,
                                                                   ControlMeasure.active.is_(True)))
