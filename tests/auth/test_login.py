"""Logging in and out, the wrong-password message, throttling, CSRF, cookies and the secret key."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import func, select

from app import config, create_app
from app.extensions import db
from app.organisations.models import Enterprise
from tests.conftest import PASSWORD, Factory, login


def text(resp) -> str:
    return resp.get_data(as_text=True)


def test_login_then_logout(client, world):
    resp = client.post("/login", data={"username": "t_manager", "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/"
    assert world.users.manager.display_name in text(client.get("/"))
    resp = client.post("/logout", follow_redirects=True)
    assert "您已退出登录" in text(resp)
    assert client.get("/enterprises").headers["Location"].startswith("/login")


def test_username_is_case_insensitive_and_next_is_followed_only_inside_the_site(client, world):
    resp = client.post("/login", data={"username": "T_Manager", "password": PASSWORD, "next": "/enterprises"})
    assert resp.headers["Location"] == "/enterprises"
    client.post("/logout")
    resp = client.post("/login", data={"username": "t_manager", "password": PASSWORD,
                                       "next": "//evil.example/x"})
    assert resp.headers["Location"] == "/"


def test_wrong_password_says_so_and_keeps_the_username(client, world):
    resp = client.post("/login", data={"username": "t_manager", "password": "wrong-password"})
    html = text(resp)
    assert resp.status_code == 200 and "用户名或密码错误" in html
    assert 'value="t_manager"' in html
    assert client.get("/enterprises").status_code == 302  # still not logged in


def test_unknown_user_and_retired_user_with_a_wrong_password_get_the_same_message(client, world):
    """Only the holder of the right password learns that the account is retired (issue 15 item 4)."""
    assert "用户名或密码错误" in text(client.post("/login", data={"username": "nobody", "password": PASSWORD}))
    world.users.staff.active = False
    db.session.commit()
    resp = client.post("/login", data={"username": "t_staff", "password": "wrong-password"})
    assert resp.status_code == 200 and "用户名或密码错误" in text(resp)
    resp = client.post("/login", data={"username": "t_staff", "password": PASSWORD})
    assert resp.status_code == 200 and "此账号已被管理员停用" in text(resp)
    assert client.get("/enterprises").status_code == 302  # not logged in


def test_a_deactivated_user_loses_his_open_session(client, world):
    login(client, world.users.staff)
    assert client.get("/enterprises").status_code == 200
    world.users.staff.active = False
    db.session.commit()
    assert client.get("/enterprises").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, world):
    resp = client.post("/login", data={"username": "t_manager", "password": PASSWORD})
    cookie = next(c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


# --- throttling -------------------------------------------------------------------------------

def _make_user(username):
    user = Factory().user("admin", username=username)
    db.session.commit()
    return user


def test_sixth_failed_login_is_refused_in_chinese(throttled_app):
    _make_user("throttled")
    client = throttled_app.test_client()
    for _ in range(5):
        resp = client.post("/login", data={"username": "throttled", "password": "wrong-password"})
        assert resp.status_code == 200 and "用户名或密码错误" in text(resp)
    resp = client.post("/login", data={"username": "throttled", "password": PASSWORD})  # even the right one
    assert resp.status_code == 429 and "尝试次数过多" in text(resp)
    # Another account from the same address is not locked out.
    _make_user("someone_else")
    assert client.post("/login", data={"username": "someone_else", "password": PASSWORD}).status_code == 302


def test_successful_logins_do_not_count(throttled_app):
    _make_user("regular")
    client = throttled_app.test_client()
    attempts = ["wrong"] * 3 + [PASSWORD] * 6 + ["wrong"] * 2
    for password in attempts:
        resp = client.post("/login", data={"username": "regular", "password": password})
        assert resp.status_code in (200, 302)
        if resp.status_code == 302:
            client.post("/logout")
    assert client.post("/login", data={"username": "regular", "password": "wrong"}).status_code == 429


def test_token_endpoint_is_throttled_too(throttled_app):
    _make_user("api_user")
    client = throttled_app.test_client()
    for _ in range(5):
        assert client.post("/api/v1/auth/token", json={"username": "api_user", "password": "x"}).status_code == 401
    resp = client.post("/api/v1/auth/token", json={"username": "api_user", "password": PASSWORD})
    assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "too_many_requests"


# --- CSRF -------------------------------------------------------------------------------------

def _csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_forms_without_csrf_token_are_refused(csrf_app):
    admin = _make_user("csrf_admin")
    client = csrf_app.test_client()
    assert client.post("/login", data={"username": "csrf_admin", "password": PASSWORD}).status_code == 400
    token = _csrf_token(text(client.get("/login")))
    resp = client.post("/login", data={"username": "csrf_admin", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302

    before = db.session.scalar(select(func.count()).select_from(Enterprise))
    resp = client.post("/enterprises/new", data={"name": "无令牌企业", "credit_code": "x"})
    assert resp.status_code == 400
    resp = client.post(f"/users/{admin.id}/retire")
    assert resp.status_code == 400
    db.session.refresh(admin)
    assert admin.active
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == before


def test_api_needs_no_csrf_token(csrf_app):
    _make_user("csrf_api")
    client = csrf_app.test_client()
    resp = client.post("/api/v1/auth/token", json={"username": "csrf_api", "password": PASSWORD})
    assert resp.status_code == 200
    headers = {"Authorization": f"Bearer {resp.get_json()['token']}"}
    resp = client.post("/api/v1/regions", json={"code": "120000", "name": "无令牌区", "level": "province"},
                       headers=headers)
    assert resp.status_code == 201


# --- secret key -------------------------------------------------------------------------------

def test_production_refuses_the_development_secret_key(monkeypatch):
    monkeypatch.setenv("SHUANGKONG_ENV_NAME", "production")
    monkeypatch.delenv("SHUANGKONG_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SHUANGKONG_SECRET_KEY") as excinfo:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "development SECRET_KEY" in str(excinfo.value)


@pytest.mark.parametrize("url", [None, "http://127.0.0.1:5000", "http://localhost:8000/", "https://[::1]/",
                                 "http://0.0.0.0", "http://127.8.9.1", ""])
def test_production_refuses_a_loopback_public_base_url(monkeypatch, tmp_path, url):
    """QR codes on printed (immutable) documents would lead nowhere: refuse to start, and say why."""
    monkeypatch.setenv("SHUANGKONG_ENV_NAME", "production")
    monkeypatch.setenv("SHUANGKONG_SECRET_KEY", "a-long-random-value-0123456789abcdef")
    if url is None:  # left at its default
        monkeypatch.delenv("SHUANGKONG_PUBLIC_BASE_URL", raising=False)
    else:
        monkeypatch.setenv("SHUANGKONG_PUBLIC_BASE_URL", url)
    bare = Flask("probe", instance_path=str(tmp_path))
    with pytest.raises(RuntimeError, match="SHUANGKONG_PUBLIC_BASE_URL") as excinfo:
        config.load(bare, None)
    assert "QR codes" in str(excinfo.value)


def test_development_keeps_the_loopback_public_base_url(monkeypatch, tmp_path):
    monkeypatch.delenv("SHUANGKONG_ENV_NAME", raising=False)
    monkeypatch.delenv("SHUANGKONG_PUBLIC_BASE_URL", raising=False)
    bare = Flask("probe", instance_path=str(tmp_path))
    config.load(bare, None)
    assert bare.config["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"


def test_production_with_a_real_key_starts_with_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SHUANGKONG_ENV_NAME", "production")
    monkeypatch.setenv("SHUANGKONG_SECRET_KEY", "a-long-random-value-0123456789abcdef")
    monkeypatch.setenv("SHUANGKONG_PUBLIC_BASE_URL", "https://shuangkong.example.gov.cn")
    bare = Flask("probe", instance_path=str(tmp_path))
    config.load(bare, None)
    assert bare.config["SESSION_COOKIE_SECURE"] is True
    assert bare.config["SECRET_KEY"] == "a-long-random-value-0123456789abcdef"


# --- language ---------------------------------------------------------------------------------

def test_chinese_by_default_english_on_request(client):
    resp = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "登录" in text(resp)
    client.get("/lang/en")
    assert "Log in" in text(client.get("/login"))
    client.post("/lang/zh_CN")
    assert "登录" in text(client.get("/login"))


def test_a_user_changes_his_own_password(client, world):
    login(client, world.users.staff)
    resp = client.post("/account/password", data={"current": "wrong-one", "password": "new-password-1",
                                                  "confirm": "new-password-1"})
    assert resp.status_code == 422 and "密码错误" in text(resp)
    resp = client.post("/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"})
    assert resp.status_code == 422 and "至少需要 8 个字符" in text(resp)
    resp = client.post("/account/password", data={"current": PASSWORD, "password": "new-password-1",
                                                  "confirm": "new-password-2"})
    assert resp.status_code == 422 and "两次输入的密码不一致" in text(resp)
    assert world.users.staff.check_password(PASSWORD)
    resp = client.post("/account/password", data={"current": PASSWORD, "password": "new-password-1",
                                                  "confirm": "new-password-1"})
    assert resp.status_code == 302
    db.session.refresh(world.users.staff)
    assert world.users.staff.check_password("new-password-1")
