"""The national model's API (issue 13): analysis objects with 包保 persons, events, measures, 停用/检修.

Bad input answers 422 naming the field and changes nothing; a foreign id answers 404."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskPoint, Suspension
from tests.conftest import api_token


@pytest.fixture
def headers(client, world):
    return api_token(client, world.users.manager)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _object(client, headers, **extra):
    resp = client.post("/api/v1/risk-objects", json={"name": "液氯储罐区"} | extra, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _duties(world) -> dict:
    u = world.users
    return {"principal_user_id": u.principal.id, "technical_user_id": u.manager.id, "operator_user_id": u.staff.id}


def test_objects_list_create_read_patch(client, world, headers):
    plain = _object(client, headers, name="成品仓库", kind="仓库")
    assert plain["major_hazard_level"] is None and plain["enterprise_id"] == world.enterprises.a.id
    major = _object(client, headers, major_hazard_level=3, hazard_source_code="320500-0001", **_duties(world))
    assert (major["major_hazard_level"], major["hazard_source_code"]) == (3, "320500-0001")
    assert major["principal_user_id"] == world.users.principal.id
    page = client.get("/api/v1/risk-objects", headers=headers).get_json()
    assert {k: page[k] for k in ("page", "per_page", "total", "has_next")} == {
        "page": 1, "per_page": 50, "total": 2, "has_next": False}
    assert [o["name"] for o in page["items"]] == ["成品仓库", "液氯储罐区"]
    majors = client.get("/api/v1/risk-objects?major=true", headers=headers).get_json()
    assert [o["id"] for o in majors["items"]] == [major["id"]]
    resp = client.patch(f"/api/v1/risk-objects/{plain['id']}", json={"name": "成品库"}, headers=headers)
    assert resp.status_code == 200 and resp.get_json()["name"] == "成品库"
    assert client.get(f"/api/v1/risk-objects/{plain['id']}", headers=headers).get_json()["name"] == "成品库"


@pytest.mark.parametrize("body,fields", [
    ({"major_hazard_level": 2}, {"principal_user_id", "technical_user_id", "operator_user_id"}),
    ({"major_hazard_level": 2, "principal_user_id": "P", "technical_user_id": "T"}, {"operator_user_id"}),
    ({"major_hazard_level": 5, "principal_user_id": "P", "technical_user_id": "T", "operator_user_id": "O"},
     {"major_hazard_level"}),
    ({"major_hazard_level": 0}, {"major_hazard_level"}),
    ({"principal_user_id": "B"}, {"principal_user_id"}),  # a user of another enterprise
    ({"name": ""}, {"name"}),
    ({"grade": "red"}, {"grade"}),
])
def test_bad_objects_are_422_naming_the_fields(client, world, headers, body, fields):
    ids = {"P": world.users.principal.id, "T": world.users.manager.id, "O": world.users.staff.id,
           "B": world.users.staff_b.id}
    body = {"name": "液氯储罐区"} | {k: ids.get(v, v) if isinstance(v, str) and k.endswith("_user_id") else v
                                  for k, v in body.items()}
    resp = client.post("/api/v1/risk-objects", json=body, headers=headers)
    assert resp.status_code == 422, resp.get_json()
    assert set(resp.get_json()["error"]["fields"]) == fields
    assert _count(RiskObject) == 0


def test_a_major_hazard_source_keeps_its_three_persons(client, world, headers):
    major = _object(client, headers, major_hazard_level=2, **_duties(world))
    resp = client.patch(f"/api/v1/risk-objects/{major['id']}", json={"technical_user_id": None}, headers=headers)
    assert resp.status_code == 422 and list(resp.get_json()["error"]["fields"]) == ["technical_user_id"]
    assert db.session.get(RiskObject, major["id"]).technical_user_id == world.users.manager.id
    # No longer a major hazard source: the persons are optional again.
    resp = client.patch(f"/api/v1/risk-objects/{major['id']}", json={"major_hazard_level": None,
                                                                     "technical_user_id": None}, headers=headers)
    assert resp.status_code == 200 and resp.get_json()["technical_user_id"] is None


def test_foreign_objects_are_404_and_others_may_not_write(client, world, headers):
    other = client.post("/api/v1/risk-objects", json={"name": "乙的车间", "enterprise_id": world.enterprises.b.id},
                        headers=api_token(client, world.users.admin))
    assert other.status_code == 201
    oid = other.get_json()["id"]
    assert client.get(f"/api/v1/risk-objects/{oid}", headers=headers).status_code == 404
    assert client.patch(f"/api/v1/risk-objects/{oid}", json={"name": "x"}, headers=headers).status_code == 404
    assert client.post(f"/api/v1/risk-objects/{oid}/suspensions", json={
        "starts_at": "2026-12-01T08:00:00", "ends_at": "2026-12-02T08:00:00", "reason": "检修"},
        headers=headers).status_code == 404
    assert client.post("/api/v1/risk-objects", json={"name": "x", "enterprise_id": world.enterprises.b.id},
                       headers=headers).status_code == 404
    staff = api_token(client, world.users.staff)
    assert client.post("/api/v1/risk-objects", json={"name": "x"}, headers=staff).status_code == 403
    # the county's inspector sees enterprise a's objects, enterprise b's manager does not
    mine = _object(client, headers, name="罐区")
    assert client.get(f"/api/v1/risk-objects/{mine['id']}",
                      headers=api_token(client, world.users.inspector)).status_code == 200
    assert client.get(f"/api/v1/risk-objects/{mine['id']}",
                      headers=api_token(client, world.users.manager_b)).status_code == 404


def _point(client, headers, **extra):
    body = {"name": "液氯储罐", "accident_types": ["17", "19"],
            "controls": {"engineering": ["泄漏报警仪"], "emergency": ["启动应急预案"]}} | extra
    resp = client.post("/api/v1/risk-points", json=body, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def test_a_point_belongs_to_an_object_and_has_one_event_with_its_measures(client, world, headers):
    obj = _object(client, headers, name="罐区")
    point = _point(client, headers, object_id=obj["id"])
    assert point["object_id"] == obj["id"]
    evs = client.get(f"/api/v1/risk-points/{point['id']}/events", headers=headers).get_json()
    assert evs["total"] == 1 and evs["items"][0]["name"] == "液氯储罐" and evs["items"][0]["accident_type"] == "17"
    measures = client.get(f"/api/v1/risk-events/{evs['items'][0]['id']}/measures", headers=headers).get_json()
    assert [(m["description"], m["classify1"], m["classify2"], m["data_source"]) for m in measures["items"]] == [
        ("泄漏报警仪", "1", "1-5", "manual"), ("启动应急预案", "4", "4-5", "manual")]
    bad = client.patch(f"/api/v1/risk-points/{point['id']}", json={"object_id": 999999}, headers=headers)
    assert bad.status_code == 422 and "object_id" in bad.get_json()["error"]["fields"]


def test_events_are_graded_and_the_unit_takes_the_strictest(client, world, headers):
    point = _point(client, headers)
    first = client.get(f"/api/v1/risk-points/{point['id']}/events", headers=headers).get_json()["items"][0]
    resp = client.post(f"/api/v1/risk-points/{point['id']}/events", json={"name": "液氯泄漏中毒", "accident_type": "19"},
                       headers=headers)
    assert resp.status_code == 201
    second = resp.get_json()
    # Several events: an assessment names its event.
    no_event = client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                           json={"method": "lec", "inputs": {"L": 1, "E": 6, "C": 7}}, headers=headers)
    assert no_event.status_code == 422 and "event_id" in no_event.get_json()["error"]["fields"]
    low = client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                      json={"event_id": first["id"], "method": "lec", "inputs": {"L": 1, "E": 6, "C": 7}},
                      headers=headers)
    assert low.status_code == 201 and low.get_json()["event_id"] == first["id"] and low.get_json()["grade"] == "blue"
    high = client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                       json={"event_id": second["id"], "method": "lec", "inputs": {"L": 6, "E": 6, "C": 15}},
                       headers=headers)
    assert high.get_json()["grade"] == "red"
    unit = client.get(f"/api/v1/risk-points/{point['id']}", headers=headers).get_json()
    assert unit["grade"] == unit["effective_grade"] == "red"
    got = {e["id"]: (e["initial_grade"], e["current_grade"]) for e in client.get(
        f"/api/v1/risk-points/{point['id']}/events", headers=headers).get_json()["items"]}
    assert got == {first["id"]: ("blue", "blue"), second["id"]: ("red", "red")}
    # Re-assessing the red event lower: the unit follows its strictest event again.
    client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                json={"event_id": second["id"], "method": "lec", "inputs": {"L": 3, "E": 6, "C": 7}}, headers=headers)
    unit = client.get(f"/api/v1/risk-points/{point['id']}", headers=headers).get_json()
    assert unit["grade"] == "yellow"
    wrong = client.post(f"/api/v1/risk-points/{point['id']}/assessments",
                        json={"event_id": 999999, "method": "lec", "inputs": {"L": 1, "E": 6, "C": 7}}, headers=headers)
    assert wrong.status_code == 422 and "event_id" in wrong.get_json()["error"]["fields"]


@pytest.mark.parametrize("body,field", [
    ({"classify1": 1, "classify2": "1-9"}, "classify2"),
    ({"classify1": 5, "classify2": "1-2"}, "classify1"),
    ({"classify1": 2, "classify2": "1-2"}, "classify2"),
    ({"classify1": 1, "classify2": "1-2", "data_source": "robot"}, "data_source"),
    ({"classify1": 1, "classify2": "1-2", "description": ""}, "description"),
])
def test_bad_measures_are_422_naming_the_field(client, headers, body, field):
    point = _point(client, headers)
    event = client.get(f"/api/v1/risk-points/{point['id']}/events", headers=headers).get_json()["items"][0]
    before = _count(ControlMeasure)
    resp = client.post(f"/api/v1/risk-events/{event['id']}/measures",
                       json={"description": "紧急切断阀"} | body, headers=headers)
    assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"]
    assert _count(ControlMeasure) == before


def test_measures_with_the_national_classes_show_in_the_five_categories(client, headers):
    point = _point(client, headers)
    event = client.get(f"/api/v1/risk-points/{point['id']}/events", headers=headers).get_json()["items"][0]
    resp = client.post(f"/api/v1/risk-events/{event['id']}/measures", json={
        "description": "紧急切断阀联锁", "classify1": 1, "classify2": "1-4", "data_source": "automatic",
        "check_content": "检查切断阀联锁投用状态"}, headers=headers)
    assert resp.status_code == 201
    measure = resp.get_json()
    assert (measure["classify1"], measure["classify2"], measure["data_source"], measure["check_content"]) == (
        "1", "1-4", "automatic", "检查切断阀联锁投用状态")
    unit = client.get(f"/api/v1/risk-points/{point['id']}", headers=headers).get_json()
    assert unit["controls"]["engineering"] == ["泄漏报警仪", "紧急切断阀联锁"]
    # retiring it removes it from the card's view, the row stays
    assert client.patch(f"/api/v1/measures/{measure['id']}", json={"active": False},
                        headers=headers).status_code == 200
    unit = client.get(f"/api/v1/risk-points/{point['id']}", headers=headers).get_json()
    assert unit["controls"]["engineering"] == ["泄漏报警仪"]
    assert db.session.get(ControlMeasure, measure["id"]).active is False


def test_suspensions(client, world, headers):
    obj = _object(client, headers, name="罐区")
    point = _point(client, headers, object_id=obj["id"])
    resp = client.post(f"/api/v1/risk-objects/{obj['id']}/suspensions", json={
        "starts_at": "2026-12-01T08:00:00", "ends_at": "2026-12-03T08:00:00", "reason": "年度检修"}, headers=headers)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    # China time in, UTC out (+08:00 → Z)
    assert (body["starts_at"], body["ends_at"], body["object_id"]) == (
        "2026-12-01T00:00:00Z", "2026-12-03T00:00:00Z", obj["id"])
    resp = client.post(f"/api/v1/risk-points/{point['id']}/suspensions", json={
        "starts_at": "2026-12-05T08:00:00+08:00", "ends_at": "2026-12-05T20:00:00+08:00", "reason": "停车"},
        headers=headers)
    assert resp.status_code == 201 and resp.get_json()["risk_point_id"] == point["id"]
    listed = client.get(f"/api/v1/risk-objects/{obj['id']}/suspensions", headers=headers).get_json()
    assert listed["total"] == 1 and listed["items"][0]["reason"] == "年度检修"
    before = _count(Suspension)
    for body, field in [({"starts_at": "2026-12-03T08:00:00", "ends_at": "2026-12-01T08:00:00"}, "ends_at"),
                        ({"starts_at": "2026-12-03T08:00:00", "ends_at": "2026-12-03T08:00:00"}, "ends_at"),
                        ({"starts_at": "soon", "ends_at": "2026-12-03T08:00:00"}, "starts_at")]:
        resp = client.post(f"/api/v1/risk-objects/{obj['id']}/suspensions", json=body | {"reason": "检修"},
                           headers=headers)
        assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"], body
    assert _count(Suspension) == before


def test_events_and_measures_of_another_enterprise_are_404(client, world, headers):
    admin = api_token(client, world.users.admin)
    resp = client.post("/api/v1/risk-points", json={"name": "乙的点", "enterprise_id": world.enterprises.b.id,
                                                    "controls": {"management": ["巡检"]}}, headers=admin)
    point_id = resp.get_json()["id"]
    event = db.session.scalar(select(RiskEvent).where(RiskEvent.risk_point_id == point_id))
    measure = db.session.scalar(select(ControlMeasure).where(ControlMeasure.event_id == event.id))
    assert client.get(f"/api/v1/risk-points/{point_id}/events", headers=headers).status_code == 404
    assert client.post(f"/api/v1/risk-points/{point_id}/events", json={"name": "x"}, headers=headers).status_code == 404
    assert client.get(f"/api/v1/risk-events/{event.id}/measures", headers=headers).status_code == 404
    assert client.post(f"/api/v1/risk-events/{event.id}/measures", json={
        "description": "x", "classify1": 1, "classify2": "1-1"}, headers=headers).status_code == 404
    assert client.patch(f"/api/v1/measures/{measure.id}", json={"active": False}, headers=headers).status_code == 404
    assert db.session.get(RiskPoint, point_id).controls == {"management": ["巡检"]}
