"""Malformed input answers 404 or 422, the same on SQLite and PostgreSQL, and changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.hazards.models import Hazard
from tests.conftest import login

HUGE_IDS = [2**31, 2**63, 10**30]


def _hazards() -> int:
    return db.session.scalar(select(func.count()).select_from(Hazard))


@pytest.mark.parametrize("big", HUGE_IDS)
def test_ids_beyond_the_integer_range_are_not_found(client, world, tokens, big):
    r = client.get(f"/api/v1/hazards/{big}", headers=tokens("manager"))
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"
    r = client.post(f"/api/v1/hazards/{big}/transitions", json={"trigger": "confirm"}, headers=tokens("manager"))
    assert r.status_code == 404
    r = client.get(f"/api/v1/risk-points/{big}/assessments", headers=tokens("manager"))
    assert r.status_code == 404
    login(client, world.users.manager)
    assert client.get(f"/hazards/{big}").status_code == 404
    assert client.get(f"/hazards/files/{big}").status_code == 404


@pytest.mark.parametrize("big", HUGE_IDS)
def test_ui_page_number_beyond_range_is_not_found(client, world, big):
    login(client, world.users.manager)
    for path in ("/hazards/", "/notifications/", "/risks/"):
        r = client.get(f"{path}?page={big}")
        assert r.status_code == 404, path
    assert client.get("/hazards/?page=2").status_code == 200


@pytest.mark.parametrize("big", HUGE_IDS)
def test_ui_query_ids_beyond_range_answer_422_on_both_databases(client, world, big):
    login(client, world.users.admin)
    for path in ("/hazards/", "/supervision/listings"):
        r = client.get(f"{path}?enterprise_id={big}")
        assert r.status_code == 422, path
    assert client.get(f"/hazards/?enterprise_id={world.enterprises.a.id}").status_code == 200


@pytest.mark.parametrize("big", HUGE_IDS)
def test_numbers_beyond_range_in_json_name_the_field(client, world, tokens, big):
    before = _hazards()
    r = client.post("/api/v1/hazards", json={"title": "配电箱未上锁", "risk_point_id": big}, headers=tokens("manager"))
    assert r.status_code == 422
    assert "risk_point_id" in r.get_json()["error"]["fields"]
    r = client.get(f"/api/v1/hazards?enterprise_id={big}", headers=tokens("manager"))
    assert r.status_code == 422 and "enterprise_id" in r.get_json()["error"]["fields"]
    assert _hazards() == before


@pytest.mark.parametrize("text", ["配电箱\x00未上锁", "\x00"])
def test_nul_characters_are_refused_in_json(client, world, tokens, text):
    before = _hazards()
    r = client.post("/api/v1/hazards", json={"title": text, "location": "二车间"}, headers=tokens("manager"))
    assert r.status_code == 422, r.get_data(as_text=True)
    error = r.get_json()["error"]
    assert error["code"] == "validation_failed" and "title" in error["fields"]
    assert "NUL" in error["fields"]["title"][0] or "空字符" in error["fields"]["title"][0]
    assert _hazards() == before


def test_lone_surrogates_are_refused_in_json(client, world, tokens):
    before = _hazards()
    body = b'{"title": "\\ud800 broken", "description": {"x": 1}}'
    r = client.post("/api/v1/hazards", data=body, content_type="application/json", headers=tokens("manager"))
    assert r.status_code == 422
    assert "title" in r.get_json()["error"]["fields"]
    body = b'{"title": "ok", "location": "\\udfff"}'
    r = client.post("/api/v1/hazards", data=body, content_type="application/json", headers=tokens("manager"))
    assert r.status_code == 422 and "location" in r.get_json()["error"]["fields"]
    assert _hazards() == before


def test_json_nested_100000_deep_is_refused(client, world, tokens):
    deep = b"[" * 100_000 + b"]" * 100_000
    r = client.post("/api/v1/hazards", data=b'{"title": "x", "description": ' + deep + b"}",
                    content_type="application/json", headers=tokens("manager"))
    assert r.status_code == 422
    assert r.get_json()["error"]["code"] == "validation_failed"
    medium = b"[" * 200 + b"]" * 200  # below the recursion limit, above the depth bound
    r = client.post("/api/v1/hazards", data=b'{"title": "x", "description": ' + medium + b"}",
                    content_type="application/json", headers=tokens("manager"))
    assert r.status_code == 422


def test_json_body_size_is_bounded(client, world, tokens):
    r = client.post("/api/v1/hazards", json={"title": "x", "description": "长" * 1_000_000},
                    headers=tokens("manager"))
    assert r.status_code == 413, r.get_json()
    assert r.get_json()["error"]["code"] == "too_large"


def test_nul_in_the_report_form_is_refused_in_chinese(client, world):
    login(client, world.users.manager)
    before = _hazards()
    r = client.post("/hazards/new", data={"title": "配电箱\x00未上锁", "location": "二车间"})
    assert r.status_code == 422
    assert "空字符" in r.get_data(as_text=True)
    assert _hazards() == before


def test_nul_in_a_query_string_is_refused(client, world, tokens):
    login(client, world.users.manager)
    assert client.get("/hazards/?q=%00abc").status_code == 422
    r = client.get("/api/v1/hazards?state=%00", headers=tokens("manager"))
    assert r.status_code == 422 and "state" in r.get_json()["error"]["fields"]


def test_nul_in_a_path_segment_is_not_found(client, world):
    assert client.get("/public/risk-cards/abc%00def").status_code == 404
    login(client, world.users.manager)
    assert client.get("/hazards/1/do/con%00firm").status_code == 404
