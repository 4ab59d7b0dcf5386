"""Load test: conflicting hazard lifecycles through the HTTP API against gunicorn (3 workers) on a
PostgreSQL cluster of its own, restarted in the middle. Ends with nothing lost (every 201 a client saw
exists), nothing doubled (one hazard per Idempotency-Key, one event per transition), no 500, and
``shuangkong audit verify`` intact.

Marked ``pgrestart``: outside the default run; ``.ci/run`` runs it in its PostgreSQL step. It creates the
cluster with ``pg_createcluster`` on a spare loopback port and drops it at the end, so the machine's
main cluster is not disturbed. Bounded: HAZARDS x CLIENTS lifecycles, DEADLINE seconds.

    .venv/bin/pytest -m pgrestart tests/hardening/test_pg_restart.py -q
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

pytestmark = pytest.mark.pgrestart

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CLUSTER = "shkload"
CLIENTS = 4
HAZARDS_PER_CLIENT = 8
WORKERS = 3
DEADLINE = 240  # seconds for the whole load
RETRYABLE = {429, 502, 503, 504}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_version() -> str:
    versions = sorted(os.listdir("/usr/lib/postgresql"), key=int) if os.path.isdir("/usr/lib/postgresql") else []
    return versions[-1] if versions else ""


def _run(*cmd: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, check=check, capture_output=True, text=True, timeout=120)


@pytest.fixture
def cluster():
    """A PostgreSQL cluster of our own on a spare port (trust on loopback), dropped afterwards."""
    version = _pg_version()
    if not version or not shutil.which("pg_createcluster"):
        pytest.skip("needs Debian's PostgreSQL cluster tools (pg_createcluster)")
    _run("pg_dropcluster", "--stop", version, CLUSTER, check=False)  # debris of an interrupted run
    port = _free_port()
    _run("pg_createcluster", version, CLUSTER, "--port", str(port), "--start-conf", "manual", "--",
         "--auth-local=trust", "--auth-host=trust")
    try:
        _run("pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, "start")
        _run("createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "shuangkong")
        yield {"version": version, "port": port,
               "url": f"postgresql+psycopg://postgres@127.0.0.1:{port}/shuangkong"}
    finally:
        _run("pg_dropcluster", "--stop", version, CLUSTER, check=False)


def _seed(url: str, instance: Path) -> dict:
    """Migrate the database and create one enterprise with a manager and a staff member."""
    env = {**os.environ, "SHUANGKONG_DATABASE_URL": url, "SHUANGKONG_INSTANCE_PATH": str(instance)}
    _run(str(BIN / "shuangkong"), "db", "upgrade", env=env)
    from app.extensions import db
    from tests.conftest import Factory, make_app

    app = make_app({"UPLOAD_FOLDER": str(instance / "files")}, db_url=url)
    with app.app_context():
        f = Factory()
        region = f.region("负载测试县", level="county")
        enterprise = f.enterprise(region, name="负载测试化工有限公司")
        manager = f.user("enterprise_manager", enterprise=enterprise, username="load_manager")
        staff = f.user("enterprise_staff", enterprise=enterprise, username="load_staff")
        db.session.commit()
        ids = {"manager": manager.id, "staff": staff.id}
        db.session.remove()
        db.engine.dispose()
    return ids


@pytest.fixture
def server(cluster, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    users = _seed(cluster["url"], instance)
    port = _free_port()
    env = {**os.environ, "SHUANGKONG_DATABASE_URL": cluster["url"], "SHUANGKONG_INSTANCE_PATH": str(instance),
           "SHUANGKONG_SECRET_KEY": "load-test-secret", "SHUANGKONG_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
    log = open(tmp_path / "gunicorn.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(BIN / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
                             "app:create_app()"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    import requests

    try:
        for _ in range(120):
            try:
                if requests.get(base + "/api/v1/openapi.json", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail("gunicorn did not start: " + (tmp_path / "gunicorn.log").read_text()[-3000:])
        yield {"base": base, "users": users, "env": env, "log": tmp_path / "gunicorn.log"}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


class Client:
    """One API client that retries what failed for want of a database, with the same Idempotency-Key."""

    def __init__(self, base: str, stats: Counter, lock: threading.Lock, deadline: float):
        import requests

        self.session = requests.Session()
        self.base, self.stats, self.lock, self.deadline = base, stats, lock, deadline

    def call(self, method: str, path: str, token: str, key: str | None = None, **kw):
        import requests

        headers = {"Authorization": f"Bearer {token}"}
        if key:
            headers["Idempotency-Key"] = key
        while True:
            if time.monotonic() > self.deadline:
                raise TimeoutError(f"{method} {path}: out of time")
            try:
                r = self.session.request(method, self.base + path, headers=headers, timeout=20, **kw)
            except requests.RequestException:
                self._count("connection_error")
                time.sleep(0.3)
                continue
            self._count(r.status_code)
            if r.status_code in RETRYABLE:
                time.sleep(min(float(r.headers.get("Retry-After", "0.5")), 1.0))
                continue
            return r

    def _count(self, what) -> None:
        with self.lock:
            self.stats[what] += 1


def _token(base: str, username: str) -> str:
    import requests

    from tests.conftest import PASSWORD

    r = requests.post(base + "/api/v1/auth/token", json={"username": username, "password": PASSWORD}, timeout=20)
    assert r.status_code == 200, r.text
    return r.json()["token"]


def _jpeg(seed: int) -> bytes:
    from tests.hazards.helpers import jpeg_bytes

    return jpeg_bytes(colour=(seed % 256, (seed * 7) % 256, (seed * 13) % 256))


def test_conflicting_lifecycles_survive_a_database_restart(server, cluster):
    from app.clock import today

    base = server["base"]
    tokens = {"manager": _token(base, "load_manager"), "staff": _token(base, "load_staff")}
    stats: Counter = Counter()
    lock = threading.Lock()
    deadline = time.monotonic() + DEADLINE
    created: dict[str, int] = {}  # creation key -> hazard id the client was answered (201)
    won: Counter = Counter()  # (hazard id, trigger) -> how many clients were answered 200
    errors: list[str] = []
    barrier = threading.Barrier(CLIENTS)
    restarted = threading.Event()

    def restart_when_busy():
        # In the middle of the load: after the first creations, while lifecycles start.
        while sum(v for k, v in stats.items() if isinstance(k, int)) < CLIENTS * HAZARDS_PER_CLIENT and \
                time.monotonic() < deadline:
            time.sleep(0.05)
        _run("pg_ctlcluster", "--skip-systemctl-redirect", cluster["version"], CLUSTER, "restart", "-m", "fast")
        restarted.set()

    def client_main(n: int):
        c = Client(base, stats, lock, deadline)
        rnd = random.Random(n)
        try:
            mine = []
            for i in range(HAZARDS_PER_CLIENT):
                key = f"create-{n}-{i}-{uuid.uuid4()}"
                r = c.call("POST", "/api/v1/hazards", tokens["staff"], key,
                           json={"title": f"负载隐患 {n}-{i}", "location": f"{n} 号车间"})
                assert r.status_code == 201, r.text
                with lock:
                    created[key] = r.json()["id"]
                mine.append(r.json()["id"])
            barrier.wait(timeout=DEADLINE)
            everyone = sorted(set(created.values()))
            steps = [
                ("confirm", "manager", {"level": "general", "deadline": (today() + timedelta(days=7)).isoformat(),
                                        "responsible_user_id": server["users"]["staff"], "measures": "整改"}),
                ("attach", "staff", None),
                ("submit", "staff", {"rectification": "已整改"}),
                ("accept", "manager", {}),
            ]
            for trigger, who, data in steps:
                order = mine if trigger == "attach" else rnd.sample(everyone, len(everyone))
                for hid in order:
                    key = f"{trigger}-{n}-{hid}"
                    if trigger == "attach":
                        r = c.call("POST", f"/api/v1/hazards/{hid}/attachments", tokens[who], key,
                                   data={"kind": "after"}, files={"file": ("after.jpg", _jpeg(hid), "image/jpeg")})
                        assert r.status_code == 201, r.text
                        continue
                    r = c.call("POST", f"/api/v1/hazards/{hid}/transitions", tokens[who], key,
                               json={"trigger": trigger, **data})
                    assert r.status_code in (200, 409), (trigger, hid, r.status_code, r.text)
                    if r.status_code == 200:
                        with lock:
                            won[(hid, trigger)] += 1
                barrier.wait(timeout=DEADLINE)
        except Exception as exc:  # reported below, with the others
            errors.append(f"client {n}: {exc!r}")
            barrier.abort()

    restarter = threading.Thread(target=restart_when_busy, daemon=True)
    restarter.start()
    threads = [threading.Thread(target=client_main, args=(n,)) for n in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=DEADLINE + 30)
    restarter.join(timeout=60)
    print("answers:", dict(stats))

    assert errors == [], errors
    assert restarted.is_set(), "the cluster was not restarted during the load"
    assert stats[500] == 0, server["log"].read_text()[-5000:]
    assert len(created) == CLIENTS * HAZARDS_PER_CLIENT

    # What the database holds, read directly.
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={cluster['port']} user=postgres dbname=shuangkong") as conn:
        hazards = dict(conn.execute("SELECT id, state FROM hazards").fetchall())
        events = Counter(conn.execute("SELECT hazard_id, trigger FROM hazard_events").fetchall())
    # nothing lost: every 201 exists; nothing doubled: one hazard per key, no other hazard
    assert set(created.values()) <= set(hazards), "a hazard answered 201 is missing"
    assert len(set(created.values())) == len(created), "two keys answered with one hazard"
    assert len(hazards) == len(created), f"{len(hazards)} hazards for {len(created)} keys: a retry wrote twice"
    # each transition happened once per hazard, and a client was told so
    for hid in hazards:
        for trigger in ("report", "confirm", "submit", "accept"):
            assert events[(hid, trigger)] == 1, (hid, trigger, events[(hid, trigger)])
        assert hazards[hid] == "closed"
        for trigger in ("confirm", "submit", "accept"):
            assert won[(hid, trigger)] >= 1, (hid, trigger)
    verify = _run(str(BIN / "shuangkong"), "audit", "verify", env=server["env"], check=False)
    assert verify.returncode == 0, verify.stdout + verify.stderr
