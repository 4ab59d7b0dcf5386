"""Attack suite against a real deployment: gunicorn (gunicorn.conf.py) with three workers, throttling on
Redis, production-like settings (CSRF on, behind one trusted proxy that the test stands in for).

Each case is what an attacker would replay (issue 11 items 2, 3, 8): concurrent password guessing
spread over the workers, spraying one password over random usernames, a session cookie captured before
logout or a password change, a token after the password change, the Server banner.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.attack.servers import Client, live_env, prepare_database, redis_url_or_skip, start_gunicorn

PASSWORD = "correct-horse-9"
ADDRESS_LIMIT = 12  # LOGIN_ADDRESS_FAILURE_LIMIT for this server (README: 30 per 5 minutes by default)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    redis_url_or_skip()
    tmp = tmp_path_factory.mktemp("attack")
    env = live_env(tmp, SHUANGKONG_LOGIN_ADDRESS_FAILURE_LIMIT=f"{ADDRESS_LIMIT} per 5 minutes")
    prepare_database(env, [(name, "admin", PASSWORD) for name in
                           ("victim", "bystander", "officer", "changer", "tokenholder", "neighbour")])
    gunicorn = start_gunicorn(env, workers=3)
    yield gunicorn
    gunicorn.stop()
    import redis

    conn = redis.Redis.from_url(env["SHUANGKONG_REDIS_URL"])
    keys = conn.keys(f"*{env['SHUANGKONG_RATELIMIT_KEY_PREFIX']}*")
    if keys:
        conn.delete(*keys)


def _token(port, username, password, addr):
    return Client(port, forwarded_for=addr).post_json(
        "/api/v1/auth/token", {"username": username, "password": password})


def _concurrently(n, fn):
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(lambda i: fn(i), range(n)))


def test_five_failures_per_account_in_total_across_three_workers(server):
    # 15 guesses at once, from 15 addresses, over the API and the login form: 5 get a password check.
    def guess(i):
        addr = f"198.51.100.{i + 1}"
        if i % 3 == 0:
            resp = Client(server.port, forwarded_for=addr).post_form(
                "/login", {"username": "victim", "password": f"guess-{i}"})
            return {200: 401}.get(resp.status, resp.status)  # the form answers 200 with the message
        return _token(server.port, "victim", f"guess-{i}", addr).status

    codes = _concurrently(15, guess)
    assert sorted(codes) == [401] * 5 + [429] * 10, codes
    assert _token(server.port, "victim", PASSWORD, "198.51.100.200").status == 429  # locked for the window
    assert _token(server.port, "bystander", PASSWORD, "198.51.100.200").status == 200


def test_spray_from_one_address_meets_the_address_limit_and_spares_other_addresses(server):
    attacker = "203.0.113.66"
    codes = _concurrently(ADDRESS_LIMIT + 8,
                          lambda i: _token(server.port, f"spray-{uuid.uuid4().hex[:8]}", "Passw0rd!", attacker).status)
    assert sorted(codes) == [401] * ADDRESS_LIMIT + [429] * 8, codes
    # The documented design: that address is refused for the window; every other address is not.
    assert _token(server.port, "officer", PASSWORD, attacker).status == 429
    assert _token(server.port, "officer", PASSWORD, "203.0.113.67").status == 200


def test_a_few_random_username_failures_do_not_lock_out_the_address(server):
    office = "192.0.2.44"  # the office's NAT address, shared by attacker and colleagues
    for _ in range(5):
        assert _token(server.port, uuid.uuid4().hex, "x", office).status == 401
    assert _token(server.port, "neighbour", PASSWORD, office).status == 200
    login = Client(server.port, forwarded_for=office).post_form("/login", {"username": "neighbour",
                                                                           "password": PASSWORD})
    assert login.status == 302


def test_a_captured_cookie_dies_with_logout_on_every_worker(server):
    browser = Client(server.port, forwarded_for="192.0.2.10")
    assert browser.post_form("/login", {"username": "changer", "password": PASSWORD}).status == 302
    captured = dict(browser.cookies)
    thief = Client(server.port, forwarded_for="192.0.2.99", cookies=dict(captured))
    assert thief.get("/users").status == 200
    assert browser.post_form_from("/", "/logout").status == 302
    for _ in range(6):  # new connections: whichever worker answers refuses the cookie
        resp = Client(server.port, cookies=dict(captured)).get("/users")
        assert resp.status == 302 and resp.headers["Location"].startswith("/login")


def test_a_password_change_kills_captured_cookies_and_tokens_on_every_worker(server):
    browser = Client(server.port, forwarded_for="192.0.2.11")
    assert browser.post_form("/login", {"username": "tokenholder", "password": PASSWORD}).status == 302
    captured = dict(browser.cookies)
    token = _token(server.port, "tokenholder", PASSWORD, "192.0.2.11").json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert Client(server.port).get("/api/v1/users", headers=auth).status == 200
    resp = browser.post_form("/account/password", {"current": PASSWORD, "password": "new-password-1",
                                                   "confirm": "new-password-1"})
    assert resp.status == 302
    assert browser.get("/users").status == 200  # the changing browser goes on
    for _ in range(6):
        assert Client(server.port, cookies=dict(captured)).get("/users").status == 302
        assert Client(server.port).get("/api/v1/users", headers=auth).status == 401


def test_token_revocation_and_answers_without_banner(server):
    token = _token(server.port, "bystander", PASSWORD, "192.0.2.12").json()["token"]
    auth = {"Authorization": f"Bearer {token}"}
    resp = Client(server.port).request("DELETE", "/api/v1/auth/token", headers=auth)
    assert resp.status == 204
    for _ in range(3):
        resp = Client(server.port).get("/api/v1/users", headers=auth)
        assert resp.status == 401
        assert resp.headers.get("Server") is None
        assert "no-store" in resp.headers["Cache-Control"]
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
