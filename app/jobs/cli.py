"""``shuangkong worker``, ``shuangkong enqueue NAME``, ``shuangkong jobs failed|retry``."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import with_appcontext

from app import jobs
from app.clock import to_local
from app.errors import ServiceError
from app.extensions import db
from app.jobs import service


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty (tests, one-off runs).")
@with_appcontext
def worker_command(burst):
    """Run jobs from the Redis queue (needs SHUANGKONG_REDIS_URL). One process, jobs one after another."""
    from rq import SimpleWorker  # only with Redis configured

    if not jobs.redis_url():
        raise click.ClickException(
            "SHUANGKONG_REDIS_URL is not set: jobs run inside the web process (embedded); no worker needed.")
    queue = jobs.get_queue()
    # SimpleWorker: no fork per job (fast; the database pool stays valid); the job timeout still holds.
    worker = SimpleWorker([queue], connection=queue.connection)
    worker.work(burst=burst, with_scheduler=True, logging_level="INFO")


@click.command("enqueue")
@click.argument("name")
@click.option("--kwargs", "kwargs_json", default="{}", help='Arguments as JSON, e.g. \'{"id": 3}\'.')
@with_appcontext
def enqueue_command(name, kwargs_json):
    """Ask for a job (cron: `shuangkong enqueue scan`). Embedded: it runs now, in this process."""
    if name not in jobs.JOBS:
        raise click.ClickException(f"unknown job {name!r}; known: {', '.join(sorted(jobs.JOBS))}")
    jobs.enqueue(name, **json.loads(kwargs_json))
    db.session.commit()
    click.echo(f"enqueued {name}" if jobs.redis_url() else f"ran {name}")


@click.group("jobs")
def jobs_group():
    """Failed jobs: list and retry."""


@jobs_group.command("failed")
@with_appcontext
def failed_command():
    """List the failed jobs not retried yet."""

    rows = service.failed()
    for row in rows:
        click.echo(f"{row.id}\t{to_local(row.failed_at):%Y-%m-%d %H:%M}\t{row.name}\t"
                   f"{json.dumps(row.kwargs, ensure_ascii=False)}\t{row.error.splitlines()[-1] if row.error else ''}")
    if not rows:
        click.echo("no failed jobs")


@jobs_group.command("retry")
@click.argument("failed_id", type=int)
@with_appcontext
def retry_command(failed_id):
    """Run a failed job again with the same arguments."""

    try:
        row = service.retry(failed_id)
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from exc
    db.session.commit()
    click.echo(f"retried {row.name} (failed job {row.id})")


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(enqueue_command)
    app.cli.add_command(jobs_group)
