"""Dynamic grade: an open major hazard makes its risk point red (rule D2) until it is closed."""

from __future__ import annotations

from app import signals
from app.extensions import db
from app.hazards.models import Hazard
from app.risks import service
from app.risks.models import GradeChangeReason, RiskGradeChange
from workflows.grades import Grade
from workflows.grading import ControlLevel
from workflows.hazard_states import HazardLevel, HazardState


def _hazard(point, world, level=None, state=HazardState.reported, code="YH-2026-0001"):
    hazard = Hazard(enterprise_id=point.enterprise_id, code=code, title="储罐液位计失灵", risk_point_id=point.id,
                    level=level, state=state, reported_by_id=world.users.manager.id)
    db.session.add(hazard)
    db.session.flush()
    signals.hazard_created.send(hazard, actor=world.users.manager)
    return hazard


def _move(hazard, world, state=None, level=None):
    """What the hazards service does: change the row, then send hazard_transitioned in the transaction."""
    if state is not None:
        hazard.state = state
    if level is not None:
        hazard.level = level
    db.session.flush()
    signals.hazard_transitioned.send(hazard, trigger="x", actor=world.users.manager, event=None, data={})


def test_major_hazard_turns_point_red_and_closing_restores(make_point, world):
    point = make_point(assess=("ls", {"L": 2, "S": 2}))
    assert point.effective_grade == Grade.blue and point.control_level == ControlLevel.team
    hazard = _hazard(point, world)
    assert point.effective_grade == Grade.blue  # reported, no level yet
    _move(hazard, world, state=HazardState.rectifying, level=HazardLevel.major)
    db.session.commit()
    assert service.effective_grade(point) == Grade.red
    assert point.effective_grade == Grade.red and point.assessed_grade == Grade.blue
    assert point.control_level == ControlLevel.company
    assert hazard.effective_grade == Grade.red
    change = db.session.query(RiskGradeChange).filter_by(risk_point_id=point.id).order_by(
        RiskGradeChange.id.desc()).first()
    assert (change.reason, change.rule, change.hazard_id, change.to_grade) == (
        GradeChangeReason.major_hazard_open, "D2", hazard.id, Grade.red)

    _move(hazard, world, state=HazardState.pending_review)
    assert point.effective_grade == Grade.red  # still open
    _move(hazard, world, state=HazardState.closed)
    db.session.commit()
    assert point.effective_grade == Grade.blue and service.effective_grade(point) == Grade.blue
    last = db.session.query(RiskGradeChange).filter_by(risk_point_id=point.id).order_by(
        RiskGradeChange.id.desc()).first()
    assert last.reason == GradeChangeReason.hazards_resolved and last.to_grade == Grade.blue


def test_two_major_hazards_need_both_closed(make_point, world):
    point = make_point(assess=("ls", {"L": 3, "S": 3}))
    h1 = _hazard(point, world, level=HazardLevel.major, state=HazardState.rectifying)
    h2 = _hazard(point, world, level=HazardLevel.major, state=HazardState.rectifying, code="YH-2026-0002")
    assert point.effective_grade == Grade.red
    _move(h1, world, state=HazardState.closed)
    assert point.effective_grade == Grade.red
    _move(h2, world, state=HazardState.voided)
    assert point.effective_grade == Grade.yellow


def test_general_hazard_does_not_raise_and_regrade_to_major_does(make_point, world):
    point = make_point(assess=("ls", {"L": 3, "S": 3}))
    hazard = _hazard(point, world, level=HazardLevel.general, state=HazardState.rectifying)
    assert point.effective_grade == Grade.yellow
    assert hazard.effective_grade == Grade.yellow  # hazards show the point's grade
    _move(hazard, world, level=HazardLevel.major)
    assert point.effective_grade == Grade.red


def test_reassessment_while_major_hazard_open_stays_red(make_point, world):
    point = make_point(assess=("ls", {"L": 3, "S": 3}))
    _hazard(point, world, level=HazardLevel.major, state=HazardState.rectifying)
    service.assess(world.users.manager, point, "ls", {"L": 1, "S": 1})
    assert point.assessed_grade == Grade.blue and point.effective_grade == Grade.red


def test_history_page_says_why(client, make_point, world):
    from tests.conftest import login

    point = make_point(assess=("ls", {"L": 2, "S": 2}))
    _hazard(point, world, level=HazardLevel.major, state=HazardState.rectifying)
    db.session.commit()
    html = login(client, world.users.manager).get(f"/risks/{point.id}").get_data(as_text=True)
    assert "D2" in html


def test_through_the_hazards_service(make_point, world):
    """A hazard reported as major through the hazards feature turns the point red; voiding restores it."""
    from app.hazards import service as hazards

    point = make_point(assess=("ls", {"L": 3, "S": 3}))
    hazard = hazards.create_hazard(world.users.manager, enterprise=world.enterprises.a, title="储罐区无泄漏报警",
                                   risk_point=point, level="major")
    db.session.commit()
    assert point.effective_grade == Grade.red and hazard.effective_grade == Grade.red
    hazards.fire(hazard.id, "void", world.users.manager, reason="重复登记")
    db.session.commit()
    assert point.effective_grade == Grade.yellow
    reasons = [c.reason for c in db.session.query(RiskGradeChange).filter_by(risk_point_id=point.id)
               .order_by(RiskGradeChange.id)]
    assert reasons[-2:] == [GradeChangeReason.major_hazard_open, GradeChangeReason.hazards_resolved]
