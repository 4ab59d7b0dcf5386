"""A hazard reported against another enterprise's risk point (issue 10 item 16): the service refuses
it, so the web form and the API answer alike, with the same Chinese message on the field, and
nothing is saved."""

from __future__ import annotations

from flask import g
from sqlalchemy import func, select

from app.extensions import db
from app.hazards.models import Hazard
from app.risks.models import RiskPoint
from tests.conftest import api_token, login
from workflows.grades import Grade

MESSAGE = "请选择本企业的风险点。"


def _point(enterprise) -> RiskPoint:
    point = RiskPoint(enterprise_id=enterprise.id, name="液氯储罐", area="罐区", assessed_grade=Grade.red,
                      effective_grade=Grade.red)
    db.session.add(point)
    db.session.commit()
    return point


def _count() -> int:
    return db.session.scalar(select(func.count(Hazard.id)))


def test_form_refuses_another_enterprises_point(client, world):
    foreign = _point(world.enterprises.b)
    login(client, world.users.manager)
    resp = client.post("/hazards/new", data={"title": "储罐阀门渗漏", "location": "罐区",
                                             "risk_point_id": str(foreign.id)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and _count() == 0
    assert 'id="field-risk_point_id"' in page and MESSAGE in page
    assert "储罐阀门渗漏" in page  # what the user typed is kept
    resp = client.post("/hazards/new", data={"title": "储罐阀门渗漏", "risk_point_id": "abc"})
    assert resp.status_code == 422 and MESSAGE in resp.get_data(as_text=True) and _count() == 0


def test_form_and_api_accept_an_own_point(client, world):
    own = _point(world.enterprises.a)
    login(client, world.users.manager)
    resp = client.post("/hazards/new", data={"title": "储罐阀门渗漏", "risk_point_id": str(own.id)})
    assert resp.status_code == 302
    assert db.session.scalar(select(Hazard.risk_point_id)) == own.id


def test_api_gives_the_same_message(client, world):
    foreign = _point(world.enterprises.b)
    g.pop("_login_user", None)
    headers = api_token(client, world.users.manager)
    resp = client.post("/api/v1/hazards", headers=headers, json={"title": "储罐阀门渗漏", "risk_point_id": foreign.id})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"]["risk_point_id"] == [MESSAGE]
    assert _count() == 0
    # An inspector (who sees both enterprises' points) gets the same answer.
    g.pop("_login_user", None)
    headers = api_token(client, world.users.city_inspector)
    resp = client.post("/api/v1/hazards", headers=headers, json={
        "title": "储罐阀门渗漏", "enterprise_id": world.enterprises.a.id, "risk_point_id": foreign.id})
    assert resp.status_code == 422 and resp.get_json()["error"]["fields"]["risk_point_id"] == [MESSAGE]
    assert _count() == 0
