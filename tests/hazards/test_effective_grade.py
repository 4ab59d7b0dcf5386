"""One definition of the effective grade (issue 10 item 15): what the hazard shows is what the
register's grade filter (UI and API) and the supervisors' overview count."""

from __future__ import annotations

from flask import g

from app.extensions import db
from app.hazards import register
from app.risks.models import RiskPoint
from tests.conftest import api_token, login
from tests.hazards.helpers import make_hazard
from workflows import effective_grade as rule
from workflows.grades import Grade
from workflows.hazard_states import HazardLevel


def test_rule():
    assert rule.of_hazard(Grade.blue, Grade.red, HazardLevel.general) == Grade.red
    assert rule.of_hazard(Grade.blue, None, HazardLevel.major) == Grade.red
    assert rule.of_hazard(Grade.orange, Grade.orange, None) == Grade.orange
    assert rule.of_hazard(None, None, None) is None
    assert rule.of_point(Grade.yellow, [HazardLevel.general, HazardLevel.major]) == Grade.red
    assert rule.of_point(Grade.yellow, [HazardLevel.general]) == Grade.yellow


def _point_red_because_of_a_major_hazard(world):
    """A blue point with an open major hazard (so the point is red) and a general hazard at it."""
    point = RiskPoint(enterprise_id=world.enterprises.a.id, name="液氨储罐", area="罐区",
                      assessed_grade=Grade.blue, effective_grade=Grade.blue)
    db.session.add(point)
    db.session.commit()
    make_hazard(world, "rectifying", level="major", risk_point=point, title="液氨储罐无紧急切断")
    general = make_hazard(world, "rectifying", risk_point=point, title="储罐区警示标识缺失")
    blue = make_hazard(world, "rectifying", title="无风险点的一般隐患")  # no point: no grade
    db.session.refresh(point)
    assert point.effective_grade == Grade.red and point.assessed_grade == Grade.blue
    return general, blue


def test_register_filters_follow_the_displayed_grade(client, world):
    general, _ = _point_red_because_of_a_major_hazard(world)
    assert general.effective_grade == Grade.red  # what the hazard page and the register show
    for user in (world.users.manager, world.users.city_supervisor):
        red = register.register_page(user, grade="red").items
        blue = register.register_page(user, grade="blue").items
        assert general.id in {h.id for h in red} and general.id not in {h.id for h in blue}
        # Every row of a grade filter shows that grade.
        for grade in Grade:
            assert all(h.effective_grade == grade for h in register.register_page(user, grade=grade.value).items)

    g.pop("_login_user", None)
    headers = api_token(client, world.users.manager)
    red = client.get("/api/v1/hazards?grade=red", headers=headers).get_json()["items"]
    blue = client.get("/api/v1/hazards?grade=blue", headers=headers).get_json()["items"]
    assert general.code in {i["code"] for i in red} and all(i["effective_grade"] == "red" for i in red)
    assert general.code not in {i["code"] for i in blue}

    g.pop("_login_user", None)
    login(client, world.users.manager)
    page = client.get("/hazards/?grade=red").get_data(as_text=True)
    assert "储罐区警示标识缺失" in page
    page = client.get("/hazards/?grade=blue").get_data(as_text=True)
    assert "储罐区警示标识缺失" not in page


def test_overview_counts_by_the_same_grade(world):
    from app.supervision import queries
    from workflows.hazard_states import HazardState

    general, ungraded = _point_red_because_of_a_major_hazard(world)
    data = queries.overview(world.users.city_supervisor)
    assert data.by_state_grade.get((HazardState.rectifying, "red")) == 2
    assert data.by_state_grade.get((HazardState.rectifying, "blue"), 0) == 0
    assert data.by_state_grade.get((HazardState.rectifying, None)) == 1
