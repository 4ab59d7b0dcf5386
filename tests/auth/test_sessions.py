"""Sessions end: logout, password change and deactivation invalidate captured cookies; idle and absolute
limits; API tokens die with the password, can be revoked, are bounded per user and expire."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from app.auth.models import ApiToken
from app.auth.sessions import LOGIN_AT, SEEN_AT
from app.extensions import db
from tests.conftest import PASSWORD, api_token


def text(resp) -> str:
    return resp.get_data(as_text=True)


def _form_login(client, username="t_manager", password=PASSWORD):
    resp = client.post("/login", data={"username": username, "password": password})
    assert resp.status_code == 302, text(resp)
    return client.get_cookie("session").value


def _replay(app, cookie: str):
    """A second browser (the attacker's) carrying a captured session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_a_cookie_captured_before_logout_no_longer_works(app, client, world):
    captured = _form_login(client)
    assert _replay(app, captured).get("/enterprises").status_code == 200
    client.post("/logout")
    thief = _replay(app, captured)
    resp = thief.get("/enterprises")
    assert resp.status_code == 302 and resp.headers["Location"].startswith("/login")
    assert "会话已结束" in text(thief.get(resp.headers["Location"]))


def test_a_password_change_ends_other_sessions_but_not_the_own(app, client, world):
    captured = _form_login(client)
    resp = client.post("/account/password", data={"current": PASSWORD, "password": "new-password-1",
                                                  "confirm": "new-password-1"})
    assert resp.status_code == 302
    assert client.get("/enterprises").status_code == 200  # the browser that changed it goes on
    assert _replay(app, captured).get("/enterprises").status_code == 302


def test_an_admin_password_reset_and_a_deactivation_end_sessions(app, client, world):
    from app.organisations import accounts

    captured = _form_login(client, "t_staff")
    accounts.reset_password(None, world.users.staff, "another-password-1")
    db.session.commit()
    assert _replay(app, captured).get("/enterprises").status_code == 302
    captured = _form_login(app.test_client(), "t_staff", "another-password-1")
    accounts.set_active(world.users.admin, world.users.staff, False)
    accounts.set_active(world.users.admin, world.users.staff, True)  # back on: old cookie stays dead
    db.session.commit()
    assert _replay(app, captured).get("/enterprises").status_code == 302


def test_idle_timeout_ends_the_session_with_a_chinese_message(app, client, world):
    _form_login(client)
    with client.session_transaction() as sess:
        sess[SEEN_AT] = int(time.time()) - 29 * 60
    assert client.get("/enterprises").status_code == 200  # 29 minutes idle: still fine (and refreshed)
    with client.session_transaction() as sess:
        assert sess[SEEN_AT] > time.time() - 60
        sess[SEEN_AT] = int(time.time()) - 31 * 60
    resp = client.get("/enterprises")
    assert resp.status_code == 302
    page = text(client.get(resp.headers["Location"]))
    assert "会话已过期，请重新登录" in page


def test_absolute_lifetime_ends_a_busy_session(app, client, world):
    _form_login(client)
    with client.session_transaction() as sess:
        sess[LOGIN_AT] = int(time.time()) - 12 * 3600 - 60
    assert client.get("/enterprises").status_code == 302


def test_lifetimes_are_configurable(app, client, world):
    _form_login(client)
    with client.session_transaction() as sess:
        sess[SEEN_AT] = int(time.time()) - 10 * 60
    app.config["SESSION_IDLE_MINUTES"] = 5
    try:
        assert client.get("/enterprises").status_code == 302
    finally:
        app.config["SESSION_IDLE_MINUTES"] = 30
    assert app.permanent_session_lifetime.total_seconds() == 12 * 3600  # the signed cookie's age limit


def test_a_cookie_in_the_old_format_is_refused(app, client, world):
    with client.session_transaction() as sess:  # what a login before this release put in the cookie
        sess["_user_id"] = str(world.users.manager.id)
        sess["_fresh"] = True
    assert client.get("/enterprises").status_code == 302


# --- API tokens -------------------------------------------------------------------------------

def test_tokens_die_when_the_password_changes(client, world):
    headers = api_token(client, world.users.inspector)
    assert client.get("/api/v1/enterprises", headers=headers).status_code == 200
    _form_login(client, "t_inspector")
    client.post("/account/password", data={"current": PASSWORD, "password": "new-password-1",
                                           "confirm": "new-password-1"})
    assert client.get("/api/v1/enterprises", headers=headers).status_code == 401


def test_delete_revokes_the_callers_token_only(client, world):
    first = api_token(client, world.users.inspector)
    second = api_token(client, world.users.inspector)
    resp = client.delete("/api/v1/auth/token", headers=first)
    assert resp.status_code == 204 and resp.get_data() == b""
    assert client.get("/api/v1/enterprises", headers=first).status_code == 401
    assert client.delete("/api/v1/auth/token", headers=first).status_code == 401
    assert client.get("/api/v1/enterprises", headers=second).status_code == 200
    assert client.delete("/api/v1/auth/token").status_code == 401


def test_tokens_per_user_are_bounded_the_oldest_revoked(app, client, world):
    limit = app.config["API_TOKENS_PER_USER"]
    tokens = [api_token(client, world.users.inspector) for _ in range(limit + 2)]
    assert [client.get("/api/v1/enterprises", headers=h).status_code for h in tokens] == \
        [401, 401] + [200] * limit
    count = db.session.scalar(select(func.count()).select_from(ApiToken)
                              .where(ApiToken.user_id == world.users.inspector.id))
    assert count == limit


def test_tokens_expire_and_the_openapi_document_lists_revocation(app, client, world):
    resp = client.post("/api/v1/auth/token", json={"username": "t_inspector", "password": PASSWORD})
    from datetime import datetime

    body = resp.get_json()
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")).replace(tzinfo=None)
    from app.clock import utcnow

    hours = (expires - utcnow()).total_seconds() / 3600
    assert app.config["API_TOKEN_HOURS"] - 0.1 < hours <= app.config["API_TOKEN_HOURS"]
    doc = client.get("/api/v1/openapi.json").get_json()
    assert "delete" in doc["paths"]["/api/v1/auth/token"]
