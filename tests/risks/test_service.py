"""Risk points and assessments through the service: grades by hand, history, control levels, reviews."""

from __future__ import annotations

from datetime import date

import pytest
from freezegun import freeze_time

from app.errors import Invalid
from app.extensions import db
from app.risks import service
from app.risks.models import RiskAssessment
from workflows.grades import Grade
from workflows.grading import ControlLevel


@pytest.mark.parametrize("method,inputs,score,grade", [
    ("lec", {"L": 6, "E": 6, "C": 15}, 540, Grade.red),
    ("lec", {"L": 3, "E": 6, "C": 15}, 270, Grade.orange),
    ("lec", {"L": 10, "E": 1, "C": 7}, 70, Grade.yellow),  # the strict default: D = 70 is yellow
    ("lec", {"L": 1, "E": 2, "C": 7}, 14, Grade.blue),
    ("ls", {"L": 4, "S": 5}, 20, Grade.red),
    ("ls", {"L": 3, "S": 5}, 15, Grade.orange),
    ("ls", {"L": 3, "S": 3}, 9, Grade.yellow),
    ("ls", {"L": 2, "S": 4}, 8, Grade.blue),
    ("mes", {"M": 5, "E": 6, "S": 8}, 240, Grade.red),
    ("mes", {"M": 3, "E": 6, "S": 8}, 144, Grade.orange),
    ("mes", {"M": 5, "E": 10, "S": 1}, 50, Grade.yellow),
    ("mes", {"M": 1, "E": 6, "S": 8}, 48, Grade.blue),
    ("direct", {"rules": ["D3"]}, None, Grade.red),
])
def test_assessment_by_hand(make_point, world, method, inputs, score, grade):
    point = make_point()
    row = service.assess(world.users.manager, point, method, inputs, "复评")
    db.session.commit()
    assert (row.score, row.grade) == (score, grade)
    assert point.assessed_grade == grade and point.effective_grade == grade and point.score == score
    assert row.ruleset_version == "strict@2026.1" and row.assessor_id == world.users.manager.id
    assert point.method == method


def test_region_rule_set_changes_the_boundary(app, make_point, world):
    point = make_point()
    app.config["RISK_RULESETS_BY_REGION"] = {world.regions.county_a.code: "shandong"}
    try:
        row = service.assess(world.users.manager, point, "lec", {"L": 10, "E": 1, "C": 7})
    finally:
        app.config.pop("RISK_RULESETS_BY_REGION")
    assert row.grade == Grade.blue and row.ruleset_version == "shandong@2026.1"


def test_bad_input_changes_nothing(make_point, world):
    point = make_point(assess=("ls", {"L": 2, "S": 2}))
    for method, inputs, field in [("lec", {"L": 4, "E": 6, "C": 15}, "inputs.L"),
                                  ("lec", {"L": 6, "E": -3, "C": 15}, "inputs.E"),
                                  ("lec", {"L": 6, "E": 6}, "inputs.C"),
                                  ("fmea", {"L": 6}, "method")]:
        with pytest.raises(Invalid) as e:
            service.assess(world.users.manager, point, method, inputs)
        assert field in e.value.fields
    db.session.rollback()
    assert db.session.query(RiskAssessment).filter_by(risk_point_id=point.id).count() == 1
    assert point.assessed_grade == Grade.blue


def test_messages_name_the_allowed_values(make_point, world):
    point = make_point()
    with pytest.raises(Invalid) as e:
        service.assess(world.users.manager, point, "lec", {"L": 4, "E": 6, "C": 15})
    message = e.value.fields["inputs.L"][0]
    assert "4" in message and "10、6、3、1、0.5、0.2、0.1" in message


def test_control_level_follows_grade_unless_chosen(make_point, world):
    point = make_point(assess=("lec", {"L": 6, "E": 6, "C": 15}))
    assert point.control_level == ControlLevel.company
    service.assess(world.users.manager, point, "ls", {"L": 1, "S": 2})
    assert point.control_level == ControlLevel.team
    service.update_point(world.users.manager, point, **{"control_level": "workshop"})
    service.assess(world.users.manager, point, "lec", {"L": 6, "E": 6, "C": 15})
    assert point.control_level == ControlLevel.workshop and point.control_level_manual
    service.update_point(world.users.manager, point, **{"control_level": ""})
    assert point.control_level == ControlLevel.company and not point.control_level_manual


def test_codes_are_checked(world, make_point):
    with pytest.raises(Invalid) as e:
        make_point(accident_types=["08", "99"], hazard_factors=["9999"], controls={"magic": ["x"]}, kind="rocket")
    assert set(e.value.fields) == {"accident_types", "hazard_factors", "controls", "kind"}
    assert "99" in e.value.fields["accident_types"][0]


def test_responsible_person_must_be_of_the_enterprise(world, make_point):
    with pytest.raises(Invalid) as e:
        make_point(responsible_user_id=world.users.manager_b.id)
    assert "responsible_user_id" in e.value.fields


def test_review_dates_and_scan(world, make_point, runner):
    with freeze_time("2026-01-31 03:00:00"):
        point = make_point(assess=("ls", {"L": 3, "S": 3}))
        assert point.last_assessed_on == date(2026, 1, 31)
        assert point.next_review_on == date(2026, 4, 30)  # three months, end of month kept valid
        service.update_point(world.users.manager, point, **{"review_interval_months": 1})
        assert point.next_review_on == date(2026, 2, 28)
        db.session.commit()
    with freeze_time("2026-03-01 03:00:00"):
        result = runner.invoke(args=["scan"])
        assert "risk_reviews: reviews_due=1" in result.output and "reminders=1" in result.output
        again = runner.invoke(args=["scan"])
        assert "reviews_due=1" in again.output and "reminders=0" in again.output  # idempotent
        from app.notifications.models import Notification

        note = db.session.query(Notification).filter_by(kind="risk_review_due").one()
        assert note.user_id == world.users.manager.id and "动火作业" in note.text


def test_history_lists_assessments_newest_first(world, make_point):
    point = make_point(assess=("ls", {"L": 1, "S": 1}))
    service.assess(world.users.manager, point, "ls", {"L": 5, "S": 5})
    db.session.commit()
    rows = [r for r in service.history(point) if r["kind"] == "assessment"]
    assert [r["obj"].grade for r in rows] == [Grade.red, Grade.blue]
