"""/api/v1/hazards as an integrator or a phone app would use it."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from app import signals
from app.clock import today
from tests.conftest import api_token
from tests.hazards.helpers import PLAN, jpeg_bytes, make_hazard


@pytest.fixture
def tokens(client, world):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = api_token(client, getattr(world.users, name))
        return cache[name]
    return get


def test_report_confirm_submit_accept(client, world, tokens):
    r = client.post("/api/v1/hazards", json={"title": "配电箱未上锁", "description": "二车间", "location": "二车间"},
                    headers=tokens("staff"))
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    hid = body["id"]
    assert body["state"] == "reported" and body["code"].startswith(f"YH-{today().year}-")
    assert body["allowed_triggers"] == []
    r = client.get(f"/api/v1/hazards/{hid}", headers=tokens("manager"))
    assert r.get_json()["allowed_triggers"] == ["confirm", "void", "regrade"]
    assert r.get_json()["listed"] is False
    r = client.post(f"/api/v1/hazards/{hid}/transitions", headers=tokens("manager"), json={
        "trigger": "confirm", "level": "general", "deadline": (today() + timedelta(days=7)).isoformat(),
        "responsible_user_id": world.users.staff.id, "measures": "加锁"})
    assert r.status_code == 200 and r.get_json()["state"] == "rectifying", r.get_json()
    r = client.post(f"/api/v1/hazards/{hid}/transitions", headers=tokens("staff"),
                    json={"trigger": "submit", "rectification": "已加锁"})
    assert r.status_code == 422 and "attachments" in r.get_json()["error"]["fields"]
    r = client.post(f"/api/v1/hazards/{hid}/attachments", headers=tokens("staff"),
                    data={"kind": "after", "file": (io.BytesIO(jpeg_bytes()), "after.jpg")},
                    content_type="multipart/form-data")
    assert r.status_code == 201, r.get_json()
    att = r.get_json()["attachments"][0]
    assert att["kind"] == "after" and "gps_lat" not in att
    r = client.post(f"/api/v1/hazards/{hid}/transitions", headers=tokens("staff"),
                    json={"trigger": "submit", "rectification": "已加锁"})
    assert r.get_json()["state"] == "pending_review"
    r = client.post(f"/api/v1/hazards/{hid}/transitions", headers=tokens("manager"), json={"trigger": "accept"})
    assert r.status_code == 200 and r.get_json()["state"] == "closed"
    r = client.post(f"/api/v1/hazards/{hid}/transitions", headers=tokens("manager"), json={"trigger": "accept"})
    assert r.status_code == 409
    r = client.get(f"/api/v1/hazards/{hid}/events", headers=tokens("inspector"))
    assert [e["trigger"] for e in r.get_json()["items"]] == ["report", "confirm", "attach", "submit", "accept"]
    r = client.get(f"/api/v1/hazards/{hid}/attachments/{att['id']}", headers=tokens("inspector"))
    assert r.status_code == 200 and r.data[:2] == b"\xff\xd8"
    assert client.get(f"/api/v1/hazards/{hid}/attachments/{att['id']}",
                      headers=tokens("manager_b")).status_code == 404


def test_status_codes(client, world, tokens):
    h = make_hazard(world)
    url = f"/api/v1/hazards/{h.id}/transitions"
    assert client.post(url, headers=tokens("staff"), json={"trigger": "confirm"}).status_code == 403
    assert client.post(url, headers=tokens("manager_b"), json={"trigger": "confirm"}).status_code == 404
    assert client.post(url, headers=tokens("inspector_b"), json={"trigger": "confirm"}).status_code == 404
    assert client.post(url, headers=tokens("manager"), json={"trigger": "submit"}).status_code == 409
    r = client.post(url, headers=tokens("manager"), json={"trigger": "confirm", "level": "general"})
    assert r.status_code == 422
    assert set(r.get_json()["error"]["fields"]) == {"responsible_user_id", "deadline", "measures"}
    r = client.post(url, headers=tokens("manager"), json={"trigger": "teleport"})
    assert r.status_code == 422 and "trigger" in r.get_json()["error"]["fields"]
    r = client.post(url, headers=tokens("manager"), json={
        "trigger": "confirm", "level": "general", "deadline": (today() - timedelta(days=1)).isoformat(),
        "responsible_user_id": world.users.staff.id, "measures": "x"})
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["deadline"]
    assert client.get(f"/api/v1/hazards/{h.id}").status_code == 401
    assert client.get("/api/v1/hazards/999999", headers=tokens("admin")).status_code == 404


def test_major_blocked_without_plan_then_plan_and_approval(client, world, tokens):
    h = make_hazard(world)
    confirm = {"trigger": "confirm", "level": "major", "deadline": (today() + timedelta(days=30)).isoformat(),
               "responsible_user_id": world.users.staff.id, "measures": "停用储罐"}
    r = client.post(f"/api/v1/hazards/{h.id}/transitions", headers=tokens("manager"), json=confirm)
    assert r.status_code == 422 and list(r.get_json()["error"]["fields"]) == ["plan"]
    plan = {**PLAN, "workers_congress_reported_on": today().isoformat()}
    r = client.put(f"/api/v1/hazards/{h.id}/plan", headers=tokens("manager"), json=plan)
    assert r.status_code == 200 and r.get_json()["plan"]["complete"] is True
    assert client.post(f"/api/v1/hazards/{h.id}/plan/approval", headers=tokens("manager")).status_code == 403
    r = client.post(f"/api/v1/hazards/{h.id}/plan/approval", headers=tokens("principal"))
    assert r.status_code == 200 and r.get_json()["plan"]["approved"] is True
    r = client.post(f"/api/v1/hazards/{h.id}/transitions", headers=tokens("manager"), json=confirm)
    assert r.status_code == 200 and r.get_json()["effective_grade"] == "red"


def test_inspector_reports_for_an_enterprise(client, world, tokens):
    r = client.post("/api/v1/hazards", headers=tokens("inspector"), json={"title": "安全出口锁闭"})
    assert r.status_code == 422 and "enterprise_id" in r.get_json()["error"]["fields"]
    r = client.post("/api/v1/hazards", headers=tokens("inspector"),
                    json={"title": "安全出口锁闭", "enterprise_id": world.enterprises.a.id})
    assert r.status_code == 201 and r.get_json()["source"] == "government_inspection"
    r = client.post("/api/v1/hazards", headers=tokens("inspector"),
                    json={"title": "x", "enterprise_id": world.enterprises.b.id})
    assert r.status_code == 404
    r = client.post("/api/v1/hazards", headers=tokens("supervisor"),
                    json={"title": "x", "enterprise_id": world.enterprises.a.id})
    assert r.status_code == 403


def test_bad_input_through_api(client, world, tokens):
    r = client.post("/api/v1/hazards", headers=tokens("staff"), json={"title": "x", "description": "长" * 100_000})
    assert r.status_code == 422 and "description" in r.get_json()["error"]["fields"]
    h = make_hazard(world)
    r = client.post(f"/api/v1/hazards/{h.id}/attachments", headers=tokens("staff"),
                    data={"kind": "before", "file": (io.BytesIO(b"GIF89a not really"), "x.jpg")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]
    r = client.post(f"/api/v1/hazards/{h.id}/attachments", headers=tokens("staff"),
                    data={"kind": "before", "file": (io.BytesIO(b"\xff\xd8" + b"0" * (30 * 1024 * 1024)), "big.jpg")},
                    content_type="multipart/form-data")
    assert r.status_code == 422 and "file" in r.get_json()["error"]["fields"]
    r = client.get(f"/api/v1/hazards/{h.id}", headers=tokens("staff"))
    assert len(r.get_json()["attachments"]) == 1  # only the original "before" photo


def test_list_filters_and_scope(client, world, tokens):
    make_hazard(world, state="rectifying", deadline=today() - timedelta(days=2))
    make_hazard(world, state="closed")
    make_hazard(world, state="rectifying", level="major")
    make_hazard(world, enterprise=world.enterprises.b, reporter=world.users.staff_b)
    body = client.get("/api/v1/hazards", headers=tokens("manager")).get_json()
    assert body["total"] == 3 and len(body["items"]) == 3
    body = client.get("/api/v1/hazards?state=rectifying&overdue=true", headers=tokens("manager")).get_json()
    assert [i["overdue"] for i in body["items"]] == [True]
    body = client.get("/api/v1/hazards?grade=red", headers=tokens("manager")).get_json()
    assert [i["level"] for i in body["items"]] == ["major"]
    body = client.get("/api/v1/hazards?level=general", headers=tokens("inspector")).get_json()
    assert body["total"] == 2
    body = client.get("/api/v1/hazards", headers=tokens("city_supervisor")).get_json()
    assert body["total"] == 4
    body = client.get(f"/api/v1/hazards?enterprise_id={world.enterprises.b.id}",
                      headers=tokens("manager")).get_json()
    assert body["total"] == 0
    body = client.get("/api/v1/hazards?per_page=2", headers=tokens("manager")).get_json()
    assert len(body["items"]) == 2 and body["has_next"] is True
    assert client.get("/api/v1/hazards?state=nonsense", headers=tokens("manager")).status_code == 422


def test_listed_flag_from_the_listing_authority_signal(client, world, tokens):
    h = make_hazard(world, state="rectifying")
    with signals.listing_authority.added("test", lambda hz: world.authorities.city if hz.id == h.id else None):
        body = client.get(f"/api/v1/hazards/{h.id}", headers=tokens("manager")).get_json()
        assert body["listed"] is True


def test_openapi_documents_the_hazard_endpoints(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    paths = spec["paths"]
    for path in ("/api/v1/hazards", "/api/v1/hazards/{hazard_id}", "/api/v1/hazards/{hazard_id}/transitions",
                 "/api/v1/hazards/{hazard_id}/plan", "/api/v1/hazards/{hazard_id}/plan/approval",
                 "/api/v1/hazards/{hazard_id}/attachments", "/api/v1/hazards/{hazard_id}/events"):
        assert path in paths, path


def test_workflow_diagram_command(runner):
    result = runner.invoke(args=["workflow", "diagram"])
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2") and "reported --> rectifying: confirm" in result.output


def test_keyset_cursor_walks_the_same_pages_as_page_numbers(client, world, tokens):
    """Issue 18 item 1: ``after`` (the previous page's ``next_after``) gives the next page without
    an offset; the existing fields keep their meaning."""
    for _ in range(5):
        make_hazard(world, commit=False)
    make_hazard(world, enterprise=world.enterprises.b, reporter=world.users.staff_b)
    headers = tokens("manager")
    numbered = [client.get(f"/api/v1/hazards?per_page=2&page={n}", headers=headers).get_json() for n in (1, 2, 3)]
    first = numbered[0]
    assert first["total"] == 5 and first["has_next"] and first["next_after"] == first["items"][-1]["id"]
    walked, body = [], first
    while body["next_after"] is not None:
        walked.append([i["id"] for i in body["items"]])
        body = client.get(f"/api/v1/hazards?per_page=2&after={body['next_after']}", headers=headers).get_json()
    walked.append([i["id"] for i in body["items"]])
    assert walked == [[i["id"] for i in p["items"]] for p in numbered]
    bad = client.get("/api/v1/hazards?after=x", headers=headers)
    assert bad.status_code == 422 and "after" in bad.get_json()["error"]["fields"]
