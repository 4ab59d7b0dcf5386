"""Real servers on loopback for the attack suite: Redis (already running, a database of its own),
gunicorn with the project's gunicorn.conf.py and three workers, and a tiny HTTP client with cookies.

Everything is bounded in time: gunicorn must answer within STARTUP_SECONDS, every request has a
socket timeout, and the server is stopped (SIGTERM, then SIGKILL) when the module's tests end.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import closing
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("SHUANGKONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/5")
STARTUP_SECONDS = 30
REQUEST_SECONDS = 15


def redis_url_or_skip() -> str:
    """The test Redis. Skipped when none answers, unless SHUANGKONG_TEST_REDIS_URL names one (CI
    sets it: there a missing Redis fails instead of skipping)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        if "SHUANGKONG_TEST_REDIS_URL" in os.environ:
            pytest.fail(f"Redis at {REDIS_URL} does not answer: {exc}")
        pytest.skip(f"no Redis at {REDIS_URL} (start redis-server, or set SHUANGKONG_TEST_REDIS_URL)")
    return REDIS_URL


def free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_pids(pid: int) -> list[int]:
    result = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            result.append(int(stat.parent.name))
    return result


@dataclass
class Gunicorn:
    port: int
    process: subprocess.Popen
    env: dict
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_gunicorn(env: dict, workers: int = 3, extra_args: tuple[str, ...] = (), log: Path | None = None,
                   config: str = "gunicorn.conf.py") -> Gunicorn:
    port = free_port()
    log = log or Path(env["SHUANGKONG_INSTANCE_PATH"]) / f"gunicorn-{port}.log"
    cmd = [str(BIN / "gunicorn"), "-c", str(ROOT / config), "--workers", str(workers),
           "--bind", f"127.0.0.1:{port}", *extra_args, "app:create_app()"]
    with open(log, "wb") as out:
        process = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    server = Gunicorn(port, process, env, log)
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-3000:]}")
        try:
            with closing(socket.create_connection(("127.0.0.1", port), timeout=1)):
                pass
            if len(child_pids(process.pid)) >= workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not start in {STARTUP_SECONDS}s: {log.read_text()[-3000:]}")


def prepare_database(env: dict, users: list[tuple[str, str, str]]) -> None:
    """Create the schema (every migration) and ``users`` (username, role, password) in env's database."""
    full = {**os.environ, **env}
    # One process for both (what `shuangkong db upgrade` runs, then the users): starting Python and
    # importing the app twice cost seconds of the suite's wall time.
    script = (
        "import sys, json\n"
        "from flask_migrate import upgrade\n"
        "from app import create_app\n"
        "from app.organisations.accounts import create_user\n"
        "from app.extensions import db\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    upgrade()\n"
        "    for username, role, password in json.loads(sys.argv[1]):\n"
        "        create_user(None, username=username, display_name=username, role=role, password=password)\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script, json.dumps(users)], cwd=ROOT, env=full, check=True,
                   capture_output=True, timeout=120)


def live_env(tmp: Path, **extra) -> dict:
    """Production-like settings for a live server: CSRF on, throttling on Redis, behind one proxy."""
    return {
        "SHUANGKONG_INSTANCE_PATH": str(tmp),
        "SHUANGKONG_DATABASE_URL": f"sqlite:///{tmp / 'live.sqlite3'}",
        "SHUANGKONG_SECRET_KEY": uuid.uuid4().hex * 2,
        "SHUANGKONG_REDIS_URL": REDIS_URL,
        "SHUANGKONG_RATELIMIT_KEY_PREFIX": f"shk-attack-{uuid.uuid4().hex}",
        "SHUANGKONG_TRUSTED_PROXY_COUNT": "1",
        "SHUANGKONG_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast hashes: the test counts, not times
        **extra,
    }


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.body)


@dataclass
class Client:
    """One browser or API client: its own cookies, a new connection per request (so requests spread
    over the workers), an optional forwarded address (we stand in for the trusted proxy)."""

    port: int
    forwarded_for: str | None = None
    cookies: dict = field(default_factory=dict)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_SECONDS)
        try:
            hdrs = dict(headers or {})
            if self.cookies:
                hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            if self.forwarded_for:
                hdrs["X-Forwarded-For"] = self.forwarded_for
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            result = Response(resp.status, resp.headers, resp.read())
        finally:
            conn.close()
        for raw in result.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(raw)
            for name, morsel in cookie.items():
                if morsel["expires"] and "1970" in morsel["expires"] or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return result

    def get(self, path: str, **kw) -> Response:
        return self.request("GET", path, **kw)

    def post_json(self, path: str, data: dict, headers: dict | None = None) -> Response:
        return self.request("POST", path, json.dumps(data).encode(),
                            {"Content-Type": "application/json", **(headers or {})})

    def post_form(self, path: str, data: dict) -> Response:
        """A form post with the CSRF token of the page the form is on (fetched first)."""
        from urllib.parse import urlencode

        page = self.get(path)
        match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        token = match.group(1) if match else ""
        return self.request("POST", path, urlencode({**data, "csrf_token": token}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})

    def post_form_from(self, page_path: str, action: str, data: dict | None = None) -> Response:
        from urllib.parse import urlencode

        page = self.get(page_path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
        return self.request("POST", action, urlencode({**(data or {}), "csrf_token": token}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
