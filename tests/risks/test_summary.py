"""The per-enterprise grade counts stay in step with the points (and with concurrent writers on PG)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from app import signals
from app.auth.models import User
from app.extensions import db
from app.hazards.models import Hazard
from app.risks import service
from app.risks.maps import region_summary
from app.risks.models import RiskPoint, RiskPointStatus, RiskSummary
from tests.conftest import IS_POSTGRES, delete_region_chain
from workflows.hazard_states import HazardLevel, HazardState


def _counts(enterprise_id):
    row = db.session.get(RiskSummary, enterprise_id)
    db.session.refresh(row)
    return {"red": row.red, "orange": row.orange, "yellow": row.yellow, "blue": row.blue, "none": row.unassessed}


def test_counts_follow_assessments_hazards_and_retirement(world, make_point):
    ent = world.enterprises.a
    p1 = make_point(name="p1")
    assert _counts(ent.id) == {"red": 0, "orange": 0, "yellow": 0, "blue": 0, "none": 1}
    service.assess(world.users.manager, p1, "ls", {"L": 1, "S": 1})
    p2 = make_point(name="p2", assess=("ls", {"L": 3, "S": 3}))
    db.session.commit()
    assert _counts(ent.id) == {"red": 0, "orange": 0, "yellow": 1, "blue": 1, "none": 0}
    hazard = Hazard(enterprise_id=ent.id, code="YH-2026-0001", title="t", risk_point_id=p2.id,
                    level=HazardLevel.major, state=HazardState.rectifying)
    db.session.add(hazard)
    db.session.flush()
    signals.hazard_created.send(hazard, actor=None)
    db.session.commit()
    assert _counts(ent.id)["red"] == 1 and _counts(ent.id)["yellow"] == 0
    service.update_point(world.users.manager, p1, **{"status": "retired"})
    db.session.commit()
    assert _counts(ent.id) == {"red": 1, "orange": 0, "yellow": 0, "blue": 0, "none": 0}
    summary = region_summary(world.users.admin)
    row = next(i for i in summary["items"] if i["id"] == ent.id)
    live = dict(db.session.execute(select(RiskPoint.effective_grade, func.count()).where(
        RiskPoint.enterprise_id == ent.id, RiskPoint.status == RiskPointStatus.active)
        .group_by(RiskPoint.effective_grade)).all())
    assert row["counts"]["red"] == live.get(service.Grade.red, 0) == 1


@pytest.mark.postgres
@pytest.mark.skipif(not IS_POSTGRES, reason="needs two real PostgreSQL connections")
def test_concurrent_assessments_lose_no_count_and_one_edit_wins(app):
    """Two managers grade two points of one enterprise at the same moment; two edit one point."""
    from app.errors import Conflict
    from tests.conftest import Factory

    with app.app_context():
        f = Factory()
        f.n = 7000
        region = f.region("并发县", level="county")
        ent = f.enterprise(region, name="并发测试有限公司")
        manager = f.user("enterprise_manager", enterprise=ent, username="conc_manager")
        points = [service.create_point(manager, ent, name=f"并发点{i}") for i in range(2)]
        db.session.commit()
        ids, ent_id, manager_id, region_id = [p.id for p in points], ent.id, manager.id, region.id
        db.session.remove()
    barrier = threading.Barrier(2)
    errors: list = []

    def grade(point_id):
        with app.app_context(), app.test_request_context():
            try:
                point, actor = db.session.get(RiskPoint, point_id), db.session.get(User, manager_id)
                barrier.wait()
                service.assess(actor, point, "ls", {"L": 5, "S": 5})
                db.session.commit()
            except Exception as exc:  # reported below
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=grade, args=(i,)) for i in ids]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    outcomes: list = []

    def rename(name):
        with app.app_context(), app.test_request_context():
            try:
                point, actor = db.session.get(RiskPoint, ids[0]), db.session.get(User, manager_id)
                version = point.version
                barrier.wait()
                service.update_point(actor, point, name=name, expected_version=version)
                db.session.commit()
                outcomes.append("ok")
            except Conflict:
                db.session.rollback()
                outcomes.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=rename, args=(n,)) for n in ("甲改", "乙改")]
    [t.start() for t in threads]
    [t.join() for t in threads]
    try:
        with app.app_context():
            row = db.session.get(RiskSummary, ent_id)
            assert (row.red, row.unassessed) == (2, 0)
            assert sorted(outcomes) == ["conflict", "ok"]
    finally:
        with app.app_context():
            from app.organisations.models import Enterprise
            from app.risks.models import ControlMeasure, RiskArea, RiskAssessment, RiskEvent, RiskGradeChange

            for model, cond in ((RiskGradeChange, RiskGradeChange.risk_point_id.in_(ids)),
                                (RiskAssessment, RiskAssessment.risk_point_id.in_(ids)),
                                (ControlMeasure, ControlMeasure.risk_point_id.in_(ids)),
                                (RiskEvent, RiskEvent.risk_point_id.in_(ids)),
                                (RiskPoint, RiskPoint.id.in_(ids)), (RiskArea, RiskArea.enterprise_id == ent_id),
                                (RiskSummary, RiskSummary.enterprise_id == ent_id), (User, User.id == manager_id),
                                (Enterprise, Enterprise.id == ent_id)):
                db.session.execute(db.delete(model).where(cond))
            delete_region_chain(region_id)
            db.session.commit()
