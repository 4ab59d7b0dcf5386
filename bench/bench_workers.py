"""Several processes for real (issue 18 item 7): gunicorn (gunicorn.conf.py: gthread) with 1 and then N
workers against PostgreSQL, a realistic mix through the API, throughput and p50/p95 per endpoint.

    .venv/bin/python bench/bench_workers.py [--workers 1 3] [--clients 6] [--seconds 30] [--enterprises 6]

Database: SHUANGKONG_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/shk_scale_bench,
created when missing; its schema is DROPPED and rebuilt by every run: never point it at real data).

Each client is one enterprise's staff member and manager (round-robin over the enterprises) and
walks hazards through their lifecycle, with reads between the writes, as the UI would:
  create (POST /hazards) → list ×3 (GET /hazards) → detail → confirm → upload after-photo →
  rectification notice (POST /documents: a numbered PDF) → submit → accept.
Numbers are allocated per issuer, kind and year, and the counter row stays locked until the issuing
transaction commits (gapless numbering), so one issuer's documents are serialised by their rendering;
a separate phase issues documents for ONE enterprise from every client to show that rate
(docs/operations.md "Several processes").

The machine this runs on is shared: the bench prints the scale it used; the ratio N workers / 1 worker
is the figure to read (same run, same data).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/shk_scale_bench"


def reset_database(url: str, instance: Path, enterprises: int) -> list[dict]:
    """Empty schema, every migration, then ``enterprises`` enterprises with a staff member and a manager."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    admin, name = plain.rsplit("/", 1)
    with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    env = {**os.environ, "SHUANGKONG_DATABASE_URL": url, "SHUANGKONG_INSTANCE_PATH": str(instance)}
    subprocess.run([str(BIN / "shuangkong"), "db", "upgrade"], env=env, check=True, capture_output=True)

    from app.extensions import db
    from tests.conftest import Factory, make_app

    app = make_app({"UPLOAD_FOLDER": str(instance / "files")}, db_url=url)
    units = []
    with app.app_context():
        f = Factory()
        county = f.region("压测县", level="county")
        for i in range(enterprises):
            enterprise = f.enterprise(county, name=f"压测化工{i}有限公司")
            staff = f.user("enterprise_staff", enterprise=enterprise, username=f"bench_staff{i}")
            manager = f.user("enterprise_manager", enterprise=enterprise, username=f"bench_manager{i}")
            units.append({"staff": staff.username, "manager": manager.username, "staff_id": staff.id})
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return units


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter = Counter()

    def add(self, label: str, seconds: float, status: int) -> None:
        with self.lock:
            self.times[label].append(seconds)
            self.statuses[status] += 1


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def run_mix(base: str, tokens: dict, units: list[dict], clients: int, seconds: float, recorder: Recorder,
            notices: str | None = None) -> tuple[int, float]:
    """``clients`` threads walking lifecycles until ``seconds`` are up; (lifecycles, wall seconds).
    ``notices``: only create, confirm and issue a notice, every client in enterprise 0 ("one") or in
    its own ("spread")."""
    one_issuer = notices is not None
    import requests

    from tests.hazards.helpers import jpeg_bytes

    stop = time.monotonic() + seconds
    done = Counter()
    deadline = (date.today() + timedelta(days=14)).isoformat()

    def call(session, label, method, path, token, expect, **kw):
        start = time.perf_counter()
        r = session.request(method, base + path, headers={"Authorization": f"Bearer {token}"}, timeout=60, **kw)
        recorder.add(label, time.perf_counter() - start, r.status_code)
        if r.status_code not in expect:
            raise RuntimeError(f"{label}: {r.status_code} {r.text[:300]}")
        return r

    def client(n: int):
        unit = units[0 if notices == "one" else n % len(units)]
        staff, manager = tokens[unit["staff"]], tokens[unit["manager"]]
        s = requests.Session()
        i = 0
        while time.monotonic() < stop:
            i += 1
            hid = call(s, "POST /hazards", "POST", "/api/v1/hazards", staff, {201},
                       json={"title": f"压测隐患 {n}-{i}", "location": f"{n} 号车间"}).json()["id"]
            if not one_issuer:
                for _ in range(3):
                    call(s, "GET /hazards (list)", "GET", "/api/v1/hazards?per_page=20", manager, {200})
                call(s, "GET /hazards/{id}", "GET", f"/api/v1/hazards/{hid}", manager, {200})
            call(s, "POST transitions confirm", "POST", f"/api/v1/hazards/{hid}/transitions", manager, {200},
                 json={"trigger": "confirm", "level": "general", "deadline": deadline,
                       "responsible_user_id": unit["staff_id"], "measures": "整改"})
            if not one_issuer:
                call(s, "POST attachments", "POST", f"/api/v1/hazards/{hid}/attachments", staff, {201},
                     data={"kind": "after"},
                     files={"file": ("after.jpg", jpeg_bytes(colour=(n * 40 % 256, i % 256, 90)), "image/jpeg")})
            call(s, "POST documents (notice)", "POST", "/api/v1/documents", manager, {201},
                 json={"kind": "rectification_notice", "hazard_ids": [hid], "recipient": "安全部"})
            if not one_issuer:
                call(s, "POST transitions submit", "POST", f"/api/v1/hazards/{hid}/transitions", staff, {200},
                     json={"trigger": "submit", "rectification": "已整改"})
                call(s, "POST transitions accept", "POST", f"/api/v1/hazards/{hid}/transitions", manager, {200},
                     json={"trigger": "accept"})
            done[n] += 1

    errors: list[str] = []

    def guarded(n):
        try:
            client(n)
        except Exception as exc:  # printed below; the others go on
            errors.append(f"client {n}: {exc}")

    started = time.perf_counter()
    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print("  errors:", *errors[:5], sep="\n    ")
    return sum(done.values()), time.perf_counter() - started


def report(title: str, recorder: Recorder, lifecycles: int, wall: float) -> float:
    total = sum(len(v) for v in recorder.times.values())
    rate = total / wall
    print(f"\n{title}: {total} requests in {wall:.1f} s = {rate:.1f} req/s, {lifecycles} lifecycles; "
          f"statuses {dict(recorder.statuses)}")
    print(f"  {'endpoint':28} {'n':>5} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for label, values in recorder.times.items():
        print(f"  {label:28} {len(values):5d} {len(values) / wall:7.2f} {_p(values, 0.5):8.0f} {_p(values, 0.95):8.0f}")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--enterprises", type=int, default=6)
    args = parser.parse_args()
    url = os.environ.get("SHUANGKONG_BENCH_DATABASE_URL", DEFAULT_URL)

    import requests

    from tests.attack import servers
    from tests.conftest import PASSWORD

    servers.STARTUP_SECONDS = 180  # a shared, loaded machine: importing the app may take a while

    print(f"scale: {args.clients} clients, {args.enterprises} enterprises, {args.seconds:.0f} s per run, "
          f"workers {args.workers} x {os.environ.get('SHUANGKONG_THREADS', '8')} threads; {os.cpu_count()} CPUs "
          f"(shared); PostgreSQL {url.rsplit('@', 1)[-1]}")
    rates: dict = {}
    doc_rates: dict = {}
    for workers in args.workers:
        with tempfile.TemporaryDirectory() as tmp:
            instance = Path(tmp)
            units = reset_database(url, instance, args.enterprises)
            env = {"SHUANGKONG_DATABASE_URL": url, "SHUANGKONG_INSTANCE_PATH": str(instance),
                   "SHUANGKONG_SECRET_KEY": uuid.uuid4().hex * 2, "SHUANGKONG_RATELIMIT_ENABLED": "false",
                   "SHUANGKONG_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"}
            server = servers.start_gunicorn(env, workers=workers, extra_args=("--access-logfile", "/dev/null"))
            try:
                base = f"http://127.0.0.1:{server.port}"
                tokens = {}
                for unit in units:
                    for who in ("staff", "manager"):
                        r = requests.post(base + "/api/v1/auth/token", json={"username": unit[who], "password": PASSWORD},
                                          timeout=60)
                        tokens[unit[who]] = r.json()["token"]
                warm = Recorder()  # one lifecycle per client first: imports, fonts, pools are warm
                run_mix(base, tokens, units, args.clients, 0.1, warm)
                mix = Recorder()
                lifecycles, wall = run_mix(base, tokens, units, args.clients, args.seconds, mix)
                rates[workers] = report(f"mix, {workers} worker(s)", mix, lifecycles, wall)
                for mode in ("spread", "one"):
                    rec = Recorder()
                    issued, wall = run_mix(base, tokens, units, args.clients, args.seconds / 2, rec, notices=mode)
                    report(f"notices only, issuers {mode} ({'enterprise 0 numbers all' if mode == 'one' else 'one per client'})"
                           f", {workers} worker(s)", rec, issued, wall)
                    doc_rates[(workers, mode)] = len(rec.times["POST documents (notice)"]) / wall
            finally:
                server.stop()
    first = args.workers[0]
    print()
    for workers in args.workers:
        spread, one = doc_rates[(workers, "spread")], doc_rates[(workers, "one")]
        print(f"{workers} worker(s): mix {rates[workers]:.1f} req/s (x{rates[workers] / rates[first]:.2f} of {first} "
              f"worker(s)); documents {spread:.2f}/s from several issuers, {one:.2f}/s from one "
              f"(x{one / spread:.2f})")


if __name__ == "__main__":
    main()
