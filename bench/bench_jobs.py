"""Benchmarks of the job queue (prints figures and ratios against a baseline measured in this run; not a test).

1. Fan-out: 10 000 notifications (one per user, each user with the signed-webhook channel on) created in
   one transaction, so 10 000 delivery jobs go onto the Redis queue at the commit; ONE worker process
   (``shuangkong worker --burst``) drains them, each job posting to a local HTTP receiver and recording
   its attempt. Figures: enqueue time, worker wall time (target < 10 s), deliveries/s. Baseline: the same
   10 000 signed POSTs made in a plain loop in this process (no queue, no database); ratio worker/baseline.
2. Added latency of a request that enqueues: the hazard ``confirm`` API request (which notifies the
   responsible person) with the webhook channel configured and wanted (one job to Redis after the
   commit) and with no channel configured (no job), N of each, taking turns; median and p95 of each, their difference (target < 5 ms) and
   ratio.

Needs Redis (default redis://127.0.0.1:6379/7, a database this script empties: --redis-url to change).
Data live in a temporary SQLite file; PostgreSQL with --db-url (an empty database). Usage:

    .venv/bin/python bench/bench_jobs.py [--quick] [--redis-url URL] [--db-url URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def pct(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def make_app(db_url: str, redis_url: str, files: str, hook_url: str):
    from app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": db_url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SECRET_KEY": "bench", "UPLOAD_FOLDER": files,
        "TESTING": True, "REDIS_URL": redis_url, "WEBHOOK_URL": hook_url, "WEBHOOK_SECRET": "bench",
    })


def fan_out(app, n: int, env: dict, hook) -> dict:
    """The worker is started first and waits on the queue (its start-up, a few seconds of imports on a
    busy machine, is not the queue's cost); the clock runs from the first notification to the last
    delivery recorded."""
    from rq import Worker
    from sqlalchemy import insert, select

    from app import jobs
    from app.auth.models import User
    from app.extensions import db
    from app.notifications import service
    from app.notifications.models import NotificationDelivery, NotificationPreference

    with app.app_context():
        db.session.execute(insert(User), [{"username": f"fan{i}", "display_name": f"用户{i}", "role": "admin",
                                           "password_hash": "x", "phone": "", "email": "", "certificate_no": "",
                                           "active": True} for i in range(n)])
        ids = db.session.scalars(select(User.id).where(User.username.like("fan%"))).all()
        db.session.execute(insert(NotificationPreference), [
            {"user_id": uid, "email": False, "sms": False, "wecom": False, "dingtalk": False, "webhook": True,
             "quiet_hours": ""} for uid in ids])
        db.session.commit()
        conn = jobs.get_queue().connection
    worker = subprocess.Popen([str(Path(sys.executable).parent / "shuangkong"), "worker"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while Worker.count(connection=conn) < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        with app.app_context():
            t0 = time.perf_counter()
            for uid in ids:
                service.notify(uid, kind="bench", text="请验收 YH-2026-0018 储罐区法兰泄漏", dedupe_key="fan")
            db.session.commit()
            enqueue_s = time.perf_counter() - t0
            queued = jobs.get_queue().count
            count = select(db.func.count(NotificationDelivery.id))
            while db.session.scalar(count) < n and time.perf_counter() - t0 < 600:
                db.session.rollback()
                time.sleep(0.05)
            total_s = time.perf_counter() - t0
            sent = db.session.scalar(count.where(NotificationDelivery.result == "sent"))
    finally:
        worker.terminate()
        worker.wait(timeout=60)
    return {"enqueue_s": enqueue_s, "queued": queued, "total_s": total_s, "sent": sent, "received": hook.count}


def direct_baseline(n: int, hook_url: str) -> float:
    from app.notifications.channels import Message, Webhook

    config = {"WEBHOOK_URL": hook_url, "WEBHOOK_SECRET": "bench", "NOTIFY_HTTP_TIMEOUT": 5.0}
    adapter = Webhook()
    t0 = time.perf_counter()
    for i in range(n):
        adapter.send(config, Message(i, "bench", "请验收 YH-2026-0018 储罐区法兰泄漏", f"fan{i}", "", "", ""))
    return time.perf_counter() - t0


def request_latency(app, n: int) -> dict:
    from app.extensions import db
    from app.notifications import service
    from tests.conftest import PASSWORD, Factory
    from tests.hazards.helpers import make_hazard

    with app.app_context():
        f = Factory()
        region = f.region("基准县", level="county")
        ent = f.enterprise(region)
        staff_on = f.user("enterprise_staff", enterprise=ent)
        staff_off = f.user("enterprise_staff", enterprise=ent)
        manager = f.user("enterprise_manager", enterprise=ent)
        on = {"email": False, "sms": False, "wecom": False, "dingtalk": False, "webhook": True}
        service.save_preferences(staff_on, channels=on, quiet_hours="")
        service.save_preferences(staff_off, channels={**on, "webhook": False}, quiet_hours="")
        w = SimpleNamespace(users=SimpleNamespace(staff=staff_on, inspector=None), enterprises=SimpleNamespace(a=ent))
        hazards = [make_hazard(w, state="reported", enterprise=ent, reporter=staff_on).id for _ in range(2 * n)]
        db.session.commit()
        ids = {"on": staff_on.id, "off": staff_off.id}
        username = manager.username
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    samples = {"on": [], "off": []}
    hook_url = app.config["WEBHOOK_URL"]
    for i, hid in enumerate(hazards):
        which = "on" if i % 2 == 0 else "off"
        # "off": no channel configured at all, so the request enqueues nothing (the baseline).
        app.config["WEBHOOK_URL"] = hook_url if which == "on" else None
        t0 = time.perf_counter()
        r = client.post(f"/api/v1/hazards/{hid}/transitions", headers=headers, json={
            "trigger": "confirm", "level": "general", "deadline": "2099-01-01", "responsible_user_id": ids[which],
            "measures": "加锁"})
        samples[which].append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, r.get_json()
    app.config["WEBHOOK_URL"] = hook_url
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--db-url", default=None)
    args = parser.parse_args()
    n_fan = 2_000 if args.quick else 10_000
    n_req = 30 if args.quick else 150

    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from redis import Redis

    class Hook(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            hook.count += 1
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *a):
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    hook.count = 0
    hook.daemon_threads = True
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    hook_url = f"http://127.0.0.1:{hook.server_address[1]}/hook"
    redis = Redis.from_url(args.redis_url)
    redis.flushdb()

    with tempfile.TemporaryDirectory() as tmp:
        db_url = args.db_url or f"sqlite:///{tmp}/bench_jobs.sqlite3"
        env = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGKONG_")}
        env.update(SHUANGKONG_DATABASE_URL=db_url, SHUANGKONG_REDIS_URL=args.redis_url,
                   SHUANGKONG_INSTANCE_PATH=tmp, SHUANGKONG_WEBHOOK_URL=hook_url, SHUANGKONG_WEBHOOK_SECRET="bench")
        app = make_app(db_url, args.redis_url, f"{tmp}/files", hook_url)
        from app.extensions import db

        with app.app_context():
            db.create_all()
        label = "postgresql" if db_url.startswith("postgresql") else "sqlite"

        base = direct_baseline(n_fan, hook_url)
        print(f"[baseline] {n_fan} signed webhook POSTs in a plain loop: {base:.2f} s ({n_fan / base:.0f}/s)")
        hook.count = 0
        r = fan_out(app, n_fan, env, hook)
        print(f"[{label}] {n_fan} notifications created and their delivery jobs ({r['queued']} waiting at the "
              f"commit) enqueued: {r['enqueue_s']:.2f} s")
        print(f"[{label}] first notification to last delivery recorded, one worker: {r['total_s']:.2f} s "
              f"(target < 10 s): {r['sent']} sent, {r['received']} received, {n_fan / r['total_s']:.0f}/s; "
              f"ratio to the plain loop {r['total_s'] / base:.2f}")
        deliver_s = r["total_s"] - r["enqueue_s"]
        print(f"[{label}]   of which the commit to the last delivery: {deliver_s:.2f} s ({n_fan / deliver_s:.0f}/s); "
              f"ratio to the plain loop of the same POSTs {deliver_s / base:.2f}")
        redis.flushdb()

        samples = request_latency(app, n_req)
        on, off = samples["on"], samples["off"]
        m_on, m_off = statistics.median(on), statistics.median(off)
        print(f"[{label}] confirm request, {n_req} each, taking turns: with a job enqueued median {m_on:.2f} ms "
              f"(p95 {pct(on, .95):.2f}); without median {m_off:.2f} ms (p95 {pct(off, .95):.2f})")
        print(f"[{label}] added by enqueueing: {m_on - m_off:.2f} ms (target < 5 ms); ratio {m_on / m_off:.3f}")
        redis.flushdb()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    hook.shutdown()


if __name__ == "__main__":
    main()
