"""Login throttling in one process: per account from any address, per address over any username, the
address behind a trusted proxy, Redis storage, and the same work for unknown and known usernames.
(Three gunicorn workers against Redis: tests/attack/test_workers.py.)"""

from __future__ import annotations

import uuid

import pytest

from app.auth import service
from app.extensions import limiter
from tests.auth.conftest import isolated_app
from tests.conftest import PASSWORD

from .test_login import _make_user, text


def _token(client, username, password="wrong-password", addr="192.0.2.1", **headers):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": addr}, headers=headers).status_code


def test_five_failures_per_account_from_any_mix_of_addresses_and_endpoints(throttled_app):
    _make_user("victim")
    client = throttled_app.test_client()
    for i in range(3):
        assert _token(client, "victim", addr=f"198.51.100.{i}") == 401
    for i in range(2):  # the login form shares the account's budget
        resp = client.post("/login", data={"username": "VICTIM", "password": "x"},
                           environ_base={"REMOTE_ADDR": f"203.0.113.{i}"})
        assert resp.status_code == 200
    assert _token(client, "victim", PASSWORD, addr="198.51.100.99") == 429  # locked, even the right one
    assert _token(client, "someone", addr="198.51.100.99") == 401  # the address itself is not locked


def test_spraying_one_password_over_many_usernames_meets_the_address_limit(app):
    with isolated_app({"RATELIMIT_ENABLED": True, "LOGIN_ADDRESS_FAILURE_LIMIT": "8 per 5 minutes"}) as a:
        limiter.reset()
        _make_user("office_user")
        client = a.test_client()
        codes = [_token(client, f"guess{i}", addr="192.0.2.7") for i in range(10)]
        assert codes == [401] * 8 + [429] * 2
        # Another address (another office) is not affected.
        assert _token(client, "office_user", PASSWORD, addr="192.0.2.8") == 200


def test_five_random_username_failures_do_not_lock_out_the_address(throttled_app):
    _make_user("colleague")
    client = throttled_app.test_client()
    for _ in range(6):
        assert _token(client, uuid.uuid4().hex) == 401
    assert _token(client, "colleague", PASSWORD) == 200


def test_the_address_comes_from_the_trusted_proxy_only(app):
    extra = {"RATELIMIT_ENABLED": True, "LOGIN_ADDRESS_FAILURE_LIMIT": "3 per 5 minutes",
             "TRUSTED_PROXY_COUNT": 1}
    with isolated_app(extra) as a:
        limiter.reset()
        client = a.test_client()
        proxy = "127.0.0.1"
        for i in range(3):
            assert _token(client, f"x{i}", addr=proxy, **{"X-Forwarded-For": "203.0.113.5"}) == 401
        assert _token(client, "x9", addr=proxy, **{"X-Forwarded-For": "203.0.113.5"}) == 429
        # Another client behind the same proxy has its own budget; a forged earlier hop changes nothing.
        assert _token(client, "x10", addr=proxy, **{"X-Forwarded-For": "203.0.113.6"}) == 401
        assert _token(client, "x11", addr=proxy, **{"X-Forwarded-For": "10.9.9.9, 203.0.113.5"}) == 429
    with isolated_app({"RATELIMIT_ENABLED": True, "LOGIN_ADDRESS_FAILURE_LIMIT": "3 per 5 minutes"}) as a:
        limiter.reset()
        client = a.test_client()
        # No proxy configured: a client cannot escape the limit by inventing X-Forwarded-For.
        codes = [_token(client, f"y{i}", addr="192.0.2.50", **{"X-Forwarded-For": f"10.0.0.{i}"})
                 for i in range(4)]
        assert codes == [401, 401, 401, 429]


def test_redis_storage_is_shared_and_does_not_crash(app, redis_url):
    import redis

    prefix = f"shk-test-{uuid.uuid4().hex}"
    extra = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": prefix}
    with isolated_app(extra) as a:
        _make_user("redis_user")
        client = a.test_client()
        for _ in range(5):
            resp = client.post("/login", data={"username": "redis_user", "password": "wrong"})
            assert resp.status_code == 200 and "用户名或密码错误" in text(resp)
        assert _token(client, "redis_user", PASSWORD) == 429
        # The counters are in Redis, where every worker process reads them.
        conn = redis.Redis.from_url(redis_url)
        keys = conn.keys(f"*{prefix}*")
        assert any(b"login-account" in k and b"redis_user" in k for k in keys)
        conn.delete(*keys)


def test_unknown_inactive_and_known_usernames_cost_one_password_hash_each(world, monkeypatch):
    """Login takes the same time whether the user exists or not (bench/bench_login_timing.py has the
    figures): an unknown username is checked against a dummy hash of the same method."""
    from app.auth import models

    calls = []
    real = service.check_password_hash

    def counting(pwhash, password):
        calls.append(pwhash.split("$", 1)[0])
        return real(pwhash, password)

    monkeypatch.setattr(service, "check_password_hash", counting)
    monkeypatch.setattr(models, "check_password_hash", counting)
    method = world.users.staff.password_hash.split("$", 1)[0]
    assert service.authenticate("no-such-user", PASSWORD) is None
    assert service.authenticate("t_staff", "wrong-password") is None
    world.users.manager.active = False
    assert service.authenticate("t_manager", PASSWORD) is None
    assert service.authenticate("t_staff", PASSWORD) is not None
    assert calls == [method] * 4


@pytest.fixture
def redis_url():
    from tests.attack.servers import redis_url_or_skip

    return redis_url_or_skip()


def test_a_redis_that_is_down_neither_breaks_login_nor_lifts_the_limit(app):
    extra = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:9/0",
             "RATELIMIT_KEY_PREFIX": f"down-{uuid.uuid4().hex}"}
    with isolated_app(extra) as a:
        _make_user("during_outage")
        client = a.test_client()
        for _ in range(5):
            resp = client.post("/login", data={"username": "during_outage", "password": "wrong"})
            assert resp.status_code == 200 and "用户名或密码错误" in text(resp)
        assert _token(client, "during_outage", PASSWORD) == 429  # counted in process memory meanwhile
