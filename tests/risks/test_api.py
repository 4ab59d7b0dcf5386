"""The JSON API of issue 4 §9: the server computes score and grade; bad input is 422 naming the field."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.risks.models import RiskAssessment, RiskPoint
from tests.conftest import api_token

BODY = {"name": "液氯储罐区", "area": "罐区", "kind": "equipment", "accident_types": ["19", "17"],
        "hazard_factors": ["2201"], "controls": {"engineering": ["泄漏报警仪"], "emergency": ["启动应急预案"]}}


@pytest.fixture
def headers(client, world):
    return api_token(client, world.users.manager)


def _create(client, headers, **extra):
    resp = client.post("/api/v1/risk-points", json=BODY | extra, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_create_assess_read(client, world, headers):
    point = _create(client, headers, responsible_user_id=world.users.manager.id)
    assert point["grade"] is None and point["effective_grade"] is None and point["enterprise_id"] == world.enterprises.a.id
    resp = client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                       json={"method": "lec", "inputs": {"L": 6, "E": 6, "C": 15}}, headers=headers)
    assert resp.status_code == 201
    body = resp.get_json()
    assert (body["score"], body["grade"], body["method"]) == (540, "red", "lec")
    got = client.get(f"/api/v1/risk-points/{point['id']}", headers=headers).get_json()
    assert got["grade"] == got["effective_grade"] == "red"
    assert got["score"] == 540 and got["method"] == "lec" and got["control_level"] == "company"
    assert got["next_review_on"]
    history = client.get(f"/api/v1/risk-points/{point['id']}/assessments", headers=headers).get_json()["items"]
    assert [h["grade"] for h in history] == ["red"] and history[0]["inputs"] == {"L": 6, "E": 6, "C": 15}
    listing = client.get("/api/v1/risk-points?grade=red", headers=headers)
    body = listing.get_json()
    assert [p["id"] for p in body["items"]] == [point["id"]] and body["total"] == 1 and not body["has_next"]


@pytest.mark.parametrize("payload,field", [
    ({"method": "lec", "inputs": {"L": 4, "E": 6, "C": 15}}, "inputs.L"),
    ({"method": "lec", "inputs": {"L": 6, "E": -6, "C": 15}}, "inputs.E"),
    ({"method": "lec", "inputs": {"L": 6, "E": 6}}, "inputs.C"),
    ({"method": "hazop", "inputs": {"L": 6}}, "method"),
    ({"inputs": {"L": 6, "E": 6, "C": 15}}, "method"),
    ({"method": "lec"}, "inputs"),
    ({"method": "lec", "inputs": {"L": 6, "E": 6, "C": 15}, "grade": "blue"}, "grade"),
    ({"method": "lec", "inputs": {"L": 6, "E": 6, "C": 15}, "score": 1}, "score"),
])
def test_bad_assessment_is_422_naming_the_field(client, headers, payload, field):
    point = _create(client, headers)
    resp = client.post(f"/api/v1/risk-points/{point['id']}/assessments", json=payload, headers=headers)
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["fields"]
    assert db.session.query(RiskAssessment).filter_by(risk_point_id=point["id"]).count() == 0


@pytest.mark.parametrize("extra,field", [
    ({"grade": "blue"}, "grade"), ({"score": 3}, "score"), ({"accident_types": ["99"]}, "accident_types"),
    ({"hazard_factors": "x"}, "hazard_factors"), ({"name": ""}, "name"), ({"kind": "ship"}, "kind"),
    ({"controls": {"prayer": ["x"]}}, "controls"),
])
def test_bad_point_is_422(client, headers, extra, field):
    resp = client.post("/api/v1/risk-points", json=BODY | extra, headers=headers)
    assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"]
    assert db.session.query(RiskPoint).count() == 0


def test_patch_and_version_conflict(client, headers):
    point = _create(client, headers)
    resp = client.patch(f"/api/v1/risk-points/{point['id']}", json={"name": "新名称", "version": point["version"]},
                        headers=headers)
    assert resp.status_code == 200 and resp.get_json()["name"] == "新名称"
    stale = client.patch(f"/api/v1/risk-points/{point['id']}", json={"name": "再改", "version": point["version"]},
                         headers=headers)
    assert stale.status_code == 409
    assert client.patch(f"/api/v1/risk-points/{point['id']}", json={"grade": "red"}, headers=headers).status_code == 422


def test_tenancy(client, world, headers):
    point = _create(client, headers)
    other = api_token(client, world.users.manager_b)
    assert client.get(f"/api/v1/risk-points/{point['id']}", headers=other).status_code == 404
    assert client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                       json={"method": "ls", "inputs": {"L": 1, "S": 1}}, headers=other).status_code == 404
    assert client.get(f"/api/v1/risk-points/{point['id']}/assessments", headers=other).status_code == 404
    assert client.get("/api/v1/risk-points", headers=other).get_json()["items"] == []
    # Creating a point in a foreign enterprise looks like a missing enterprise.
    resp = client.post("/api/v1/risk-points", json=BODY | {"enterprise_id": world.enterprises.a.id}, headers=other)
    assert resp.status_code == 404
    # The county inspector sees it but may not assess; staff may not either.
    inspector = api_token(client, world.users.inspector)
    assert client.get(f"/api/v1/risk-points/{point['id']}", headers=inspector).status_code == 200
    assert client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                       json={"method": "ls", "inputs": {"L": 1, "S": 1}}, headers=inspector).status_code == 403
    staff = api_token(client, world.users.staff)
    assert client.patch(f"/api/v1/risk-points/{point['id']}", json={"name": "x"}, headers=staff).status_code == 403
    assert client.get(f"/api/v1/risk-points/{point['id']}", headers=api_token(client, world.users.inspector_b)).status_code == 404


def test_admin_must_name_the_enterprise(client, world):
    admin = api_token(client, world.users.admin)
    resp = client.post("/api/v1/risk-points", json=BODY, headers=admin)
    assert resp.status_code == 422 and "enterprise_id" in resp.get_json()["error"]["fields"]
    resp = client.post("/api/v1/risk-points", json=BODY | {"enterprise_id": world.enterprises.b.id}, headers=admin)
    assert resp.status_code == 201 and resp.get_json()["enterprise_id"] == world.enterprises.b.id


def test_openapi_documents_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/risk-points/{point_id}/assessments" in spec["paths"]
