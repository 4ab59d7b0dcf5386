"""Embedded mode (no Redis configured): jobs run in this process after the commit, never after a rollback;
a job that raises is listed for the admin, who retries it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.jobs.models import FailedJob
from tests.conftest import login

RAN: list[str] = []
BROKEN = {"on": False}


@jobs.job("test.record")
def record(value: str) -> None:
    if BROKEN["on"]:
        raise RuntimeError(f"receiver down for {value}")
    RAN.append(value)


jobs.register(record)


@pytest.fixture(autouse=True)
def _reset():
    RAN.clear()
    BROKEN["on"] = False


def test_a_job_runs_only_after_the_commit(db_session):
    jobs.enqueue("test.record", value="committed")
    assert RAN == []  # not before the commit
    db_session.commit()
    assert RAN == ["committed"]


def test_a_job_of_a_rolled_back_transaction_never_runs(db_session):
    jobs.enqueue("test.record", value="rolled back")
    db_session.rollback()
    db_session.commit()
    assert RAN == []


def test_an_unknown_job_is_refused_at_once(db_session):
    with pytest.raises(LookupError):
        jobs.enqueue("no.such.job")


def test_failed_job_listed_for_admin_and_retried_from_the_page(client, world, db_session):
    BROKEN["on"] = True
    jobs.enqueue("test.record", value="YH-7")
    db_session.commit()
    row = db_session.scalars(select(FailedJob)).one()
    assert row.name == "test.record" and row.kwargs == {"value": "YH-7"} and "receiver down for YH-7" in row.error

    login(client, world.users.manager)
    assert client.get("/jobs/failed").status_code == 403
    login(client, world.users.admin)
    page = client.get("/jobs/failed").get_data(as_text=True)
    assert "失败的任务" in page and "receiver down for YH-7" in page and "重试" in page

    BROKEN["on"] = False
    # buffered: the test client reads the body and closes the response, as a WSGI server does once it
    # has sent it; embedded jobs run then, so the user never waits for them.
    r = client.post(f"/jobs/failed/{row.id}/retry", buffered=True)
    assert r.status_code == 302
    assert RAN == ["YH-7"]
    page = client.get("/jobs/failed").get_data(as_text=True)
    assert "receiver down for YH-7" not in page and "没有失败的任务" in page
    assert client.post(f"/jobs/failed/{row.id}/retry", buffered=True).status_code == 409  # once per failure
    assert RAN == ["YH-7"]


def test_jobs_failed_and_retry_commands(runner, db_session):
    BROKEN["on"] = True
    jobs.enqueue("test.record", value="cli")
    db_session.commit()
    row_id = db_session.scalar(select(FailedJob.id))
    out = runner.invoke(args=["jobs", "failed"]).output
    assert f"{row_id}\t" in out and "test.record" in out and "receiver down for cli" in out
    BROKEN["on"] = False
    result = runner.invoke(args=["jobs", "retry", str(row_id)])
    assert result.exit_code == 0, result.output
    assert RAN == ["cli"]
    assert runner.invoke(args=["jobs", "failed"]).output.strip() == "no failed jobs"
    assert runner.invoke(args=["jobs", "retry", "999999"]).exit_code != 0


def test_enqueue_scan_runs_the_scan_in_process(runner, world, db_session):
    from datetime import timedelta

    from app.clock import today
    from app.hazards.models import HazardEvent
    from tests.hazards.helpers import make_hazard

    hazard = make_hazard(world, state="rectifying")
    hazard.deadline = today() - timedelta(days=2)
    db_session.commit()
    result = runner.invoke(args=["enqueue", "scan"])
    assert result.exit_code == 0 and "ran scan" in result.output, result.output
    overdue = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id,
                                                           HazardEvent.trigger == "overdue")).all()
    assert len(overdue) == 1
    assert runner.invoke(args=["enqueue", "scan"]).exit_code == 0  # idempotent
    assert "hazards.overdue: overdue=0" in runner.invoke(args=["scan"]).output
    assert runner.invoke(args=["enqueue", "nope"]).exit_code != 0


def test_a_job_that_cannot_reach_redis_waits_in_failed_jobs(app, db_session, monkeypatch):
    from tests.jobs.receivers import free_port

    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/0")  # nobody listens
    monkeypatch.delitem(app.extensions, "shk_queue", raising=False)
    try:
        jobs.enqueue("test.record", value="redis down")
        db_session.commit()  # the commit stands
    finally:
        app.extensions.pop("shk_queue", None)
    row = db_session.scalars(select(FailedJob)).one()
    assert row.name == "test.record" and row.kwargs == {"value": "redis down"} and "Connection" in row.error
    assert RAN == []
