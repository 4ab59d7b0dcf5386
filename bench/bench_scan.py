"""Benchmark of the periodic scan and of ``audit verify`` on PostgreSQL (prints figures; not a test).

Builds ``bench_scan`` (dropped and re-created): 1 000 enterprises, N hazards in every state (one signed
``report`` event each, so every chain verifies), about a fifth of them open and past their deadline.
Then runs the real commands as subprocesses (``shuangkong scan`` twice, ``shuangkong audit verify``)
and prints wall time and peak memory (max RSS of the child) with the ratios; then the scan of the next
day (the clock moved one day on, in a process of its own: what falls due in a day, the daily case; the
first run catches up a backlog of every hazard seeded past its deadline) twice, and an incremental
verification after it. Usage:

    .venv/bin/python bench/bench_scan.py [--hazards 100000] [--pg-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DB = "bench_scan"
KEY = "bench:" + "k" * 64


def seed(n_hazards: int) -> None:
    from bench_hazards import seed_organisations
    from sqlalchemy import insert

    from app.clock import today, utcnow
    from app.extensions import db
    from app.hazards.history import canonical
    from app.hazards.models import Hazard, HazardEvent

    enterprise_ids, _users = seed_organisations(1000)
    rnd = random.Random(18)
    states = ["reported", "rectifying", "rectifying", "pending_review", "closed", "closed", "closed", "voided"]
    now, day = utcnow(), today()
    created = now.replace(microsecond=0)
    hazards, events = [], []

    def flush():
        db.session.execute(insert(Hazard), hazards)
        db.session.execute(insert(HazardEvent), events)
        hazards.clear()
        events.clear()

    for hazard_id in range(1, n_hazards + 1):
        state = rnd.choice(states)
        confirmed = state not in ("reported", "voided")
        level = rnd.choice(["general"] * 9 + ["major"]) if confirmed else None
        deadline = day + timedelta(days=rnd.randint(-60, 60)) if confirmed else None
        data = {"title": f"隐患{hazard_id}", "source": "self_inspection", "level": level,
                "deadline": deadline.isoformat() if deadline else None}
        event = SimpleNamespace(hazard_id=hazard_id, seq=1, trigger="report", from_state=None, to_state=state,
                                actor_id=None, actor_role=None, comment="", data=data, created_at=created,
                                prev_hash=None, key_id="bench")
        digest = hmac.new(KEY.split(":", 1)[1].encode(), canonical(event), hashlib.sha256).hexdigest()
        hazards.append({
            "id": hazard_id, "enterprise_id": enterprise_ids[hazard_id % len(enterprise_ids)],
            "code": f"YH-2026-{hazard_id:07d}", "title": f"隐患{hazard_id}", "description": "", "location": "",
            "source": "self_inspection", "level": level, "deadline": deadline,
            "state": state, "version": 1, "measures": "", "rectification": "", "production_suspension": "none",
            "created_at": created, "updated_at": created, "chain_seq": 1, "chain_hash": digest})
        events.append({**vars(event), "hash": digest})
        if len(hazards) >= 5000:
            flush()
    if hazards:
        flush()
    db.session.execute(db.text("SELECT setval('hazards_id_seq', :n)"), {"n": n_hazards})
    db.session.commit()


_WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def run_cli(args: list[str], env: dict) -> tuple[float, float, str]:
    """(seconds, peak RSS MB of this command alone, its last lines of output)."""
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(ROOT / ".venv/bin/shuangkong"), *args], env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    peak = next((int(x.split()[1]) for x in lines if x.startswith("MAXRSS")), 0) / 1024
    return elapsed, peak, " | ".join(x for x in lines if not x.startswith("MAXRSS"))[-240:]


# The next day's scan: the same command's work with the clock one day on (deadlines that fall due
# today, reminder tiers reached today), in a process of its own like cron's.
_NEXT_DAY = """
from datetime import timedelta
from app import clock, create_app
from app.cli import run_scan
with create_app().app_context(), clock.moved_to(clock.utcnow() + timedelta(days=1)):
    run_scan(print)
"""


def run_next_day(env: dict) -> tuple[float, float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(ROOT / ".venv/bin/python"), "-c", _NEXT_DAY],
                          env=env, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    peak = next((int(x.split()[1]) for x in lines if x.startswith("MAXRSS")), 0) / 1024
    return elapsed, peak, " | ".join(x for x in lines if not x.startswith("MAXRSS"))[-300:]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2, help="processes of the full verification")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_ADMIN_URL", PG_ADMIN_URL))
    parser.add_argument("--db", default=DB, help="the database to (re)create (engineers sharing a server: "
                                                 "one name each)")
    args = parser.parse_args()
    db_name = args.db
    from sqlalchemy import create_engine, text

    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {db_name}"))
        conn.execute(text(f"CREATE DATABASE {db_name}"))
    url = args.pg_url.rsplit("/", 1)[0] + f"/{db_name}"
    env = {**os.environ, "SHUANGKONG_DATABASE_URL": url, "SHUANGKONG_CHAIN_KEY": KEY,
           "SHUANGKONG_INSTANCE_PATH": tempfile.mkdtemp(), "SHUANGKONG_SECRET_KEY": "bench"}
    os.environ.update(env)
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CHAIN_KEY": KEY})
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        seed(args.hazards)
        print(f"seeded {args.hazards} hazards in {time.perf_counter() - t0:.0f} s")
        db.session.remove()
        db.engine.dispose()
    startup = run_cli(["routes"], env)  # the command's start alone (imports, app), for reference
    full = run_cli(["audit", "verify", "--full", "--jobs", str(args.jobs)], env)
    first = run_cli(["scan"], env)
    second = run_cli(["scan"], env)
    changed = run_cli(["audit", "verify"], env)  # re-reads what the first scan changed
    quiet = run_cli(["audit", "verify"], env)  # nothing changed since
    print(f"hazards: {args.hazards}; a command's start alone (shuangkong routes): {startup[0]:.1f} s")
    print(f"audit verify --full --jobs {args.jobs}: {full[0]:7.1f} s  peak {full[1]:.0f} MB  {full[2]}")
    print(f"scan, first run:   {first[0]:7.1f} s  peak {first[1]:.0f} MB  {first[2]}")
    print(f"scan, second run:  {second[0]:7.1f} s  peak {second[1]:.0f} MB  ratio second/first "
          f"{second[0] / first[0]:.3f}  {second[2]}")
    print(f"audit verify after the scan (incremental): {changed[0]:7.1f} s  peak {changed[1]:.0f} MB  "
          f"ratio to full {changed[0] / full[0]:.3f}  {changed[2]}")
    print(f"audit verify, nothing changed (incremental): {quiet[0]:7.1f} s  peak {quiet[1]:.0f} MB  "
          f"ratio to full {quiet[0] / full[0]:.3f}  {quiet[2]}")
    daily = run_next_day(env)  # a day later: what falls due that day
    daily_again = run_next_day(env)
    after_day = run_cli(["audit", "verify"], env)
    print(f"scan the next day (the clock one day on): {daily[0]:7.1f} s  peak {daily[1]:.0f} MB  {daily[2]}")
    print(f"  and again that day: {daily_again[0]:7.1f} s  peak {daily_again[1]:.0f} MB")
    print(f"audit verify after that day (incremental): {after_day[0]:7.1f} s  peak {after_day[1]:.0f} MB  "
          f"ratio to full {after_day[0] / full[0]:.3f}  {after_day[2]}")
    with create_engine(url).connect() as conn:  # what the reminders step (app/handoffs) recorded
        counts = conn.execute(text("SELECT (SELECT count(*) FROM hazard_events WHERE trigger = 'reminder'), "
                                   "(SELECT count(*) FROM notifications)")).one()
    print(f"reminder events recorded: {counts[0]}; notifications: {counts[1]} (the same after the second run)")


if __name__ == "__main__":
    main()
