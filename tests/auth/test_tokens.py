"""API tokens: issue, use, expiry, inactive users; the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.auth.models import ApiToken
from app.clock import utcnow
from app.extensions import db
from tests.conftest import PASSWORD


def test_token_is_issued_and_opens_the_api(client, world):
    resp = client.post("/api/v1/auth/token", json={"username": "t_inspector", "password": PASSWORD})
    assert resp.status_code == 200
    body = resp.get_json()
    assert len(body["token"]) > 30 and body["expires_at"]
    headers = {"Authorization": f"Bearer {body['token']}"}
    assert client.get("/api/v1/enterprises", headers=headers).status_code == 200
    # Only a hash is stored.
    stored = db.session.scalar(select(ApiToken.token_hash).where(ApiToken.user_id == world.users.inspector.id))
    assert stored == ApiToken.hash(body["token"]) and body["token"] not in stored


def test_wrong_password_is_401(client, world):
    resp = client.post("/api/v1/auth/token", json={"username": "t_inspector", "password": "nope"})
    assert resp.status_code == 401
    assert resp.get_json()["error"] == {"code": "invalid_credentials", "message": "用户名或密码错误。",
                                        "fields": {}}


def test_missing_fields_are_422(client, world):
    resp = client.post("/api/v1/auth/token", json={"username": "t_inspector"})
    assert resp.status_code == 422 and "password" in resp.get_json()["error"]["fields"]


def test_expired_token_is_401(client, world):
    token = client.post("/api/v1/auth/token", json={"username": "t_inspector", "password": PASSWORD}).get_json()
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token["token"])))
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    resp = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token['token']}"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_inactive_user_gets_no_token_and_loses_his_tokens(client, world):
    token = client.post("/api/v1/auth/token", json={"username": "t_staff", "password": PASSWORD}).get_json()
    world.users.staff.active = False
    db.session.commit()
    resp = client.get("/api/v1/enterprises", headers={"Authorization": f"Bearer {token['token']}"})
    assert resp.status_code == 401
    assert client.post("/api/v1/auth/token", json={"username": "t_staff", "password": PASSWORD}).status_code == 401


def test_garbage_or_missing_token_is_401(client, world):
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic dDpw"}):
        resp = client.get("/api/v1/users", headers=headers)
        assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_unknown_api_path_is_json_404(client, world):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"


def test_openapi_document_lists_the_paths(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    doc = resp.get_json()
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path, methods in {
        "/api/v1/auth/token": {"post"},
        "/api/v1/enterprises": {"get", "post"}, "/api/v1/enterprises/{enterprise_id}": {"get", "patch"},
        "/api/v1/regions": {"get", "post"}, "/api/v1/regions/{region_id}": {"get", "patch"},
        "/api/v1/authorities": {"get", "post"}, "/api/v1/authorities/{authority_id}": {"get", "patch"},
        "/api/v1/users": {"get", "post"}, "/api/v1/users/{user_id}": {"get", "patch"},
    }.items():
        assert methods <= set(paths[path]), path
    params = {p["name"] for p in paths["/api/v1/enterprises"]["get"]["parameters"]}
    assert {"q", "region_id", "industry", "page", "per_page"} <= params
    assert "bearerAuth" in doc["components"]["securitySchemes"]
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
