"""/api/v1/listings: listing and deciding through the API, with the JSON errors of bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from app.documents.models import Document
from app.extensions import db
from app.supervision.models import Listing, ListingState
from tests.supervision.conftest import as_user as api_token


def test_list_filters_by_state_and_carries_the_contract_fields(client, world, proposal):
    headers = api_token(client, world.users.city_supervisor)
    resp = client.get("/api/v1/listings?state=proposed", headers=headers)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert item["id"] == proposal.id
    assert item["hazard_id"] == proposal.hazard_id
    assert item["rule"] == "red_major_confirmed"
    assert item["authority_id"] == world.authorities.city.id
    assert item["level"] == "city"
    assert item["document_id"] is None
    assert item["state"] == "proposed"
    assert client.get("/api/v1/listings?state=listed", headers=headers).get_json()["total"] == 0


def test_bad_state_filter_is_422(client, world):
    resp = client.get("/api/v1/listings?state=whatever", headers=api_token(client, world.users.supervisor))
    assert resp.status_code == 422
    assert "state" in resp.get_json()["error"]["fields"]


def test_tenancy_of_the_list(client, world, proposal):
    for user, total in [(world.users.supervisor, 1), (world.users.inspector, 1), (world.users.admin, 1),
                        (world.users.supervisor_b, 0), (world.users.inspector_b, 0),
                        (world.users.manager, 0), (world.users.manager_b, 0)]:
        resp = client.get("/api/v1/listings", headers=api_token(client, user))
        assert resp.status_code == 200
        assert resp.get_json()["total"] == total, user.username
    from flask import g

    g.pop("_login_user", None)
    assert client.get("/api/v1/listings").status_code == 401


def test_dismiss_without_reason_is_422_and_changes_nothing(client, world, proposal):
    headers = api_token(client, world.users.city_supervisor)
    resp = client.post(f"/api/v1/listings/{proposal.id}/decision", json={"action": "dismiss"}, headers=headers)
    assert resp.status_code == 422
    assert "reason" in resp.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Listing, proposal.id).state == ListingState.proposed


def test_unknown_action_is_422(client, world, proposal):
    headers = api_token(client, world.users.city_supervisor)
    resp = client.post(f"/api/v1/listings/{proposal.id}/decision", json={"action": "approve"}, headers=headers)
    assert resp.status_code == 422
    assert "action" in resp.get_json()["error"]["fields"]


def test_dismiss_with_reason(client, world, proposal):
    headers = api_token(client, world.users.city_supervisor)
    resp = client.post(f"/api/v1/listings/{proposal.id}/decision",
                       json={"action": "dismiss", "reason": "已责令停产，另案处理"}, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["state"] == "dismissed"
    again = client.post(f"/api/v1/listings/{proposal.id}/decision",
                        json={"action": "dismiss", "reason": "再次"}, headers=headers)
    assert again.status_code == 409


def test_list_through_the_api_issues_the_notice_and_twice_is_409(client, world, proposal):
    headers = api_token(client, world.users.city_supervisor)
    resp = client.post(f"/api/v1/listings/{proposal.id}/decision", json={"action": "list"}, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["state"] == "listed" and body["document_id"] is not None
    count = db.session.scalar(select(func.count()).select_from(Document))
    again = client.post(f"/api/v1/listings/{proposal.id}/decision", json={"action": "list"}, headers=headers)
    assert again.status_code == 409
    assert again.get_json()["error"]["code"] == "invalid_state"
    assert db.session.scalar(select(func.count()).select_from(Document)) == count


def test_deciding_for_another_authority(client, world, proposal):
    url = f"/api/v1/listings/{proposal.id}/decision"
    body = {"action": "list"}
    assert client.post(url, json=body, headers=api_token(client, world.users.supervisor)).status_code == 403
    assert client.post(url, json=body, headers=api_token(client, world.users.city_inspector)).status_code == 403
    assert client.post(url, json=body, headers=api_token(client, world.users.supervisor_b)).status_code == 404
    assert client.post(url, json=body, headers=api_token(client, world.users.manager)).status_code == 404
    assert client.post("/api/v1/listings/999999/decision", json=body,
                       headers=api_token(client, world.users.city_supervisor)).status_code == 404
    db.session.expire_all()
    assert db.session.get(Listing, proposal.id).state == ListingState.proposed


def test_get_one(client, world, proposal):
    resp = client.get(f"/api/v1/listings/{proposal.id}", headers=api_token(client, world.users.inspector))
    assert resp.status_code == 200 and resp.get_json()["hazard_id"] == proposal.hazard_id
    assert client.get(f"/api/v1/listings/{proposal.id}",
                      headers=api_token(client, world.users.inspector_b)).status_code == 404


def test_decision_access_for_every_role(client, world, proposal):
    url = f"/api/v1/listings/{proposal.id}/decision"
    expected = {"admin": 403, "staff": 404, "manager": 404, "principal": 404, "manager_b": 404,
                "inspector": 403, "inspector_b": 404, "supervisor": 403, "supervisor_b": 404,
                "city_inspector": 403}
    for who, status in expected.items():
        resp = client.post(url, json={"action": "dismiss", "reason": "试试"},
                           headers=api_token(client, getattr(world.users, who)))
        assert resp.status_code == status, who
    db.session.expire_all()
    assert db.session.get(Listing, proposal.id).state == ListingState.proposed
