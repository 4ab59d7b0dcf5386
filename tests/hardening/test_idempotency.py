"""A retried write is not written twice: Idempotency-Key on the API's writes, a client id on the phone
report form."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.extensions import db
from app.hazards.models import Hazard
from app.idempotency import IdempotencyKey
from app.risks.models import RiskPoint
from tests.conftest import login


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_retried_report_returns_the_first_hazard(client, world, tokens):
    headers = {**tokens("manager"), "Idempotency-Key": "c0ffee-1"}
    before = _count(Hazard)
    first = client.post("/api/v1/hazards", json={"title": "配电箱未上锁", "location": "二车间"}, headers=headers)
    assert first.status_code == 201
    again = client.post("/api/v1/hazards", json={"location": "二车间", "title": "配电箱未上锁"}, headers=headers)
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert _count(Hazard) == before + 1
    # the same key for another request is a client bug: 422, nothing written
    other = client.post("/api/v1/hazards", json={"title": "消防通道堵塞"}, headers=headers)
    assert other.status_code == 422 and other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert _count(Hazard) == before + 1
    # without a key, or with another key, each request writes
    assert client.post("/api/v1/hazards", json={"title": "配电箱未上锁"}, headers=tokens("manager")).status_code == 201
    r = client.post("/api/v1/hazards", json={"title": "配电箱未上锁"},
                    headers={**tokens("manager"), "Idempotency-Key": "c0ffee-2"})
    assert r.status_code == 201 and r.get_json()["id"] != first.get_json()["id"]
    assert _count(Hazard) == before + 3


def test_keys_belong_to_their_user(client, world, tokens):
    body = {"title": "配电箱未上锁"}
    a = client.post("/api/v1/hazards", json=body, headers={**tokens("manager"), "Idempotency-Key": "k"})
    b = client.post("/api/v1/hazards", json=body, headers={**tokens("staff"), "Idempotency-Key": "k"})
    assert a.status_code == b.status_code == 201 and a.get_json()["id"] != b.get_json()["id"]


def test_keys_expire(client, world, tokens, app):
    headers = {**tokens("manager"), "Idempotency-Key": "old-key"}
    first = client.post("/api/v1/hazards", json={"title": "配电箱未上锁"}, headers=headers).get_json()
    for row in db.session.scalars(select(IdempotencyKey)):
        row.created_at -= timedelta(hours=app.config["IDEMPOTENCY_KEY_HOURS"] + 1)
    db.session.commit()
    again = client.post("/api/v1/hazards", json={"title": "配电箱未上锁"}, headers=headers)
    assert again.status_code == 201 and again.get_json()["id"] != first["id"]
    assert _count(IdempotencyKey) == 1


def test_a_refused_write_stores_nothing(client, world, tokens):
    headers = {**tokens("manager"), "Idempotency-Key": "fix-and-retry"}
    r = client.post("/api/v1/hazards", json={"title": ""}, headers=headers)
    assert r.status_code == 422
    assert _count(IdempotencyKey) == 0
    r = client.post("/api/v1/hazards", json={"title": ""}, headers=headers)
    assert r.status_code == 422 and "Idempotent-Replayed" not in r.headers


def test_a_retried_transition_returns_the_first_answer(client, world, tokens):
    hid = client.post("/api/v1/hazards", json={"title": "配电箱未上锁"}, headers=tokens("manager")).get_json()["id"]
    from app.clock import today

    body = {"trigger": "confirm", "level": "general", "deadline": (today() + timedelta(days=7)).isoformat(),
            "responsible_user_id": world.users.staff.id, "measures": "加锁"}
    headers = {**tokens("manager"), "Idempotency-Key": "confirm-1"}
    first = client.post(f"/api/v1/hazards/{hid}/transitions", json=body, headers=headers)
    assert first.status_code == 200 and first.get_json()["state"] == "rectifying"
    again = client.post(f"/api/v1/hazards/{hid}/transitions", json=body, headers=headers)
    assert again.status_code == 200 and again.get_json() == first.get_json()  # not 409
    r = client.get(f"/api/v1/hazards/{hid}/events", headers=tokens("manager"))
    assert [e["trigger"] for e in r.get_json()["items"]] == ["report", "confirm"]


def test_a_retried_risk_point_is_created_once(client, world, tokens):
    headers = {**tokens("manager"), "Idempotency-Key": "rp-1"}
    before = _count(RiskPoint)
    body = {"name": "液氯储罐区", "area": "罐区", "kind": "equipment"}
    first = client.post("/api/v1/risk-points", json=body, headers=headers)
    assert first.status_code == 201, first.get_json()
    again = client.post("/api/v1/risk-points", json=body, headers=headers)
    assert again.get_json() == first.get_json() and _count(RiskPoint) == before + 1


def test_an_invalid_key_is_refused(client, world, tokens):
    r = client.post("/api/v1/hazards", json={"title": "x"}, headers={**tokens("manager"), "Idempotency-Key": "a" * 300})
    assert r.status_code == 422 and "Idempotency-Key" in r.get_json()["error"]["fields"]


def test_every_creating_operation_documents_the_key(app):
    from app.extensions import api

    spec = api.spec.to_dict()
    # The public filing of a report has no user to key a stored answer on, and its answer (the secret)
    # must not be stored in clear: its single-use challenge makes a retry file nothing twice instead.
    creating = [(path, method) for path, ops in spec["paths"].items() for method, op in ops.items()
                if isinstance(op, dict) and "201" in op.get("responses", {}) and path != "/api/v1/public/reports"]
    assert len(creating) >= 8
    for path, method in creating:
        names = [p.get("name") for p in spec["paths"][path][method].get("parameters", [])]
        assert "Idempotency-Key" in names, (method, path)


def test_the_report_form_sent_twice_reports_once(client, world):
    login(client, world.users.manager)
    page = client.get("/hazards/new").get_data(as_text=True)
    client_id = re.search(r'name="client_id" type="hidden" value="([0-9a-f]{32})"', page).group(1)
    before = _count(Hazard)
    data = {"title": "配电箱未上锁", "location": "二车间", "client_id": client_id}
    first = client.post("/hazards/new", data=data)
    assert first.status_code == 302
    again = client.post("/hazards/new", data=data)
    assert again.status_code == 302 and again.headers["Location"] == first.headers["Location"]
    assert _count(Hazard) == before + 1
    # a new page, a new report
    other = re.search(r'name="client_id" type="hidden" value="([0-9a-f]{32})"',
                      client.get("/hazards/new").get_data(as_text=True)).group(1)
    assert other != client_id
    assert client.post("/hazards/new", data={**data, "client_id": other}).status_code == 302
    assert _count(Hazard) == before + 2
