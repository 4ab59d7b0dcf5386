"""With Redis configured: jobs go through a real Redis (database 7) to a real worker process that the test
starts and bounds in time. The database is a SQLite file both processes open."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app import jobs
from app.extensions import db
from tests.conftest import Factory, api_token, login, make_app
from tests.jobs import worker_jobs  # noqa: F401  (registers test.touch here too)
from tests.jobs.receivers import HttpReceiver, wait_for

# A database of its own (the test empties it): several checkouts on one machine each set their own.
REDIS = os.environ.get("SHUANGKONG_TEST_WORKER_REDIS_URL", "redis://127.0.0.1:6379/7")
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_conn():
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    conn = Redis.from_url(REDIS)
    try:
        conn.ping()
    except RedisDown:
        if os.environ.get("CI"):
            raise
        pytest.skip("Redis is not running on 127.0.0.1:6379 (.ci/run starts it)")
    conn.flushdb()  # database 7 is this suite's own
    yield conn
    conn.flushdb()


@pytest.fixture
def wapp(tmp_path, redis_conn):
    url = f"sqlite:///{tmp_path / 'jobs.sqlite3'}"
    app = make_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}, "REDIS_URL": REDIS,
                    "UPLOAD_FOLDER": str(tmp_path / "files")}, db_url=url)
    app.config["TEST_DB_URL"] = url
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def start_worker(app, tmp_path, *, burst: bool = True, env: dict | None = None) -> subprocess.Popen:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGKONG_")}
    environ.update({"SHUANGKONG_DATABASE_URL": app.config["TEST_DB_URL"], "SHUANGKONG_REDIS_URL": REDIS,
                    "SHUANGKONG_INSTANCE_PATH": str(tmp_path / "instance"),
                    "SHUANGKONG_UPLOAD_FOLDER": str(tmp_path / "files"), **(env or {})})
    args = ["worker", "--burst"] if burst else ["worker"]
    code = f"import tests.jobs.worker_jobs; from app.cli import cli; cli({args!r})"
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=environ,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def run_burst(app, tmp_path, env: dict | None = None) -> str:
    proc = start_worker(app, tmp_path, env=env)
    try:
        out, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 0, out
    return out


def queued(app) -> int:
    with app.app_context():
        q = jobs.get_queue()
        return q.count + q.scheduled_job_registry.count


def test_job_enqueued_in_a_request_runs_in_the_worker(wapp, tmp_path):
    from app.notifications import service
    from tests.hazards.helpers import make_hazard

    with HttpReceiver(204) as hook:
        hook_env = {"SHUANGKONG_WEBHOOK_URL": hook.url + "/hook", "SHUANGKONG_WEBHOOK_SECRET": "shared"}
        wapp.config.update(WEBHOOK_URL=hook.url + "/hook", WEBHOOK_SECRET="shared")
        with wapp.app_context():
            f = Factory()
            region = f.region("甲县", level="county")
            ent = f.enterprise(region)
            staff = f.user("enterprise_staff", enterprise=ent)
            manager = f.user("enterprise_manager", enterprise=ent)
            service.save_preferences(staff, channels={"email": False, "sms": False, "wecom": False,
                                                      "dingtalk": False, "webhook": True}, quiet_hours="")
            w = SimpleNamespace(users=SimpleNamespace(staff=staff, inspector=None),
                                enterprises=SimpleNamespace(a=ent))
            hazard = make_hazard(w, state="reported", enterprise=ent, reporter=staff)
            hid, code, staff_id, manager = hazard.id, hazard.code, staff.id, SimpleNamespace(username=manager.username)
        before = queued(wapp)  # the new report's hand-off to the manager (who has no webhook)
        client = wapp.test_client()
        r = client.post(f"/api/v1/hazards/{hid}/transitions", headers=api_token(client, manager), json={
            "trigger": "confirm", "level": "general", "deadline": "2099-01-01", "responsible_user_id": staff_id,
            "measures": "加锁"})
        assert r.status_code == 200, r.get_json()
        # The request is answered; the delivery waits in Redis, nobody has called the receiver yet.
        assert queued(wapp) == before + 1 and hook.requests == []
        out = run_burst(wapp, tmp_path, env=hook_env)
        assert len(hook.requests) == 1, out
        body = hook.json()
        assert code in body["text"] and body["kind"] == "hazard_confirm"
        from app.notifications.channels import verify_webhook

        req = hook.requests[0]
        assert verify_webhook("shared", req["body"], req["headers"]["X-Shuangkong-Timestamp"],
                              req["headers"]["X-Shuangkong-Signature"])


def test_job_of_a_rolled_back_transaction_never_reaches_the_worker(wapp, tmp_path):
    out = tmp_path / "out.txt"
    with wapp.app_context():
        jobs.enqueue("test.touch", path=str(out))
        db.session.rollback()
        db.session.commit()
    assert queued(wapp) == 0
    run_burst(wapp, tmp_path)
    assert not out.exists()


def test_failing_job_is_listed_and_a_retry_runs_it(wapp, tmp_path):
    from app.jobs.models import FailedJob

    out, flag = tmp_path / "out.txt", tmp_path / "receiver-down"
    flag.touch()
    with wapp.app_context():
        admin = Factory().user("admin")
        jobs.enqueue("test.touch", path=str(out), flag=str(flag))
        db.session.commit()
        admin_id = admin.id
    run_burst(wapp, tmp_path)
    assert not out.exists()
    with wapp.app_context():
        row = db.session.scalars(select(FailedJob)).one()
        assert row.name == "test.touch" and "receiver down (receiver-down present)" in row.error
        row_id = row.id
        from app.auth.models import User

        admin = db.session.get(User, admin_id)
        client = login(wapp.test_client(), admin)
    page = client.get("/jobs/failed").get_data(as_text=True)
    assert "receiver down (receiver-down present)" in page and "重试" in page
    flag.unlink()
    assert client.post(f"/jobs/failed/{row_id}/retry").status_code == 302
    assert queued(wapp) == 1
    run_burst(wapp, tmp_path)
    assert out.read_text() == "ran\n"
    assert "没有失败的任务" in client.get("/jobs/failed").get_data(as_text=True)


def test_a_receiver_answering_500_is_retried_with_backoff_then_failed(wapp, tmp_path):
    from app.notifications import service
    from app.notifications.models import NotificationDelivery

    with HttpReceiver(500) as hook:
        env = {"SHUANGKONG_WEBHOOK_URL": hook.url, "SHUANGKONG_WEBHOOK_SECRET": "s",
               "SHUANGKONG_NOTIFY_RETRY_BASE_SECONDS": "0.5", "SHUANGKONG_NOTIFY_MAX_ATTEMPTS": "3"}
        wapp.config.update(WEBHOOK_URL=hook.url, WEBHOOK_SECRET="s")
        with wapp.app_context():
            user = Factory().user("admin")
            service.save_preferences(user, channels={"email": False, "sms": False, "wecom": False,
                                                     "dingtalk": False, "webhook": True}, quiet_hours="")
            nid = service.notify(user.id, kind="test", text="请验收", dedupe_key="x")
            db.session.commit()

        def attempts():
            with wapp.app_context():
                rows = db.session.scalars(select(NotificationDelivery).where(
                    NotificationDelivery.notification_id == nid).order_by(NotificationDelivery.attempt)).all()
                return [(r.attempt, r.result, r.error) for r in rows]

        worker = start_worker(wapp, tmp_path, burst=False, env=env)
        try:
            done = wait_for(lambda: len(attempts()) == 3, timeout=60, step=0.3)
        finally:
            worker.terminate()
            out = worker.communicate(timeout=30)[0]
        assert done, out
        assert attempts() == [(1, "retry", "HTTP 500"), (2, "retry", "HTTP 500"), (3, "failed", "HTTP 500")]
        times = [r["at"] for r in hook.requests]
        assert len(times) == 3
        assert times[1] - times[0] >= 0.5 and times[2] - times[1] >= 1.0  # base * 2**(attempt-1)


def test_worker_refuses_to_start_without_redis(runner):
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "SHUANGKONG_REDIS_URL" in result.output


def test_a_fan_out_travels_in_batches_and_every_reminder_is_delivered_once(wapp, tmp_path):
    from sqlalchemy import insert

    from app.auth.models import User
    from app.notifications import service
    from app.notifications.models import NotificationDelivery, NotificationPreference

    with HttpReceiver(204) as hook:
        env = {"SHUANGKONG_WEBHOOK_URL": hook.url, "SHUANGKONG_WEBHOOK_SECRET": "s"}
        wapp.config.update(WEBHOOK_URL=hook.url, WEBHOOK_SECRET="s")
        with wapp.app_context():
            db.session.execute(insert(User), [{"username": f"fan{i}", "display_name": "x", "role": "admin",
                                               "password_hash": "x"} for i in range(450)])
            ids = db.session.scalars(select(User.id).where(User.username.like("fan%"))).all()
            db.session.execute(insert(NotificationPreference), [
                {"user_id": uid, "email": False, "webhook": True} for uid in ids])
            for uid in ids:
                service.notify(uid, kind="scan", text="逾期提醒", dedupe_key="fan")
            db.session.commit()
        assert queued(wapp) == 3  # 200 + 200 + 50, not 450 jobs
        run_burst(wapp, tmp_path, env=env)
        delivered = [hook.json(i)["id"] for i in range(len(hook.requests))]
        assert len(delivered) == 450 and len(set(delivered)) == 450
        with wapp.app_context():
            assert db.session.scalar(select(db.func.count(NotificationDelivery.id)).where(
                NotificationDelivery.result == "sent")) == 450
