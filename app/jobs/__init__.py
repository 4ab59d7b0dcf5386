"""Background jobs: ONE way to declare a job (``@job("name")``, registered by its feature's init_app
with ``jobs.register(fn)``) and ONE way to ask for it (``enqueue("name", **kwargs)``).

A job is asked for inside a use case's transaction and leaves only when that transaction COMMITS:
``enqueue`` puts it on the SQLAlchemy session (``session.info``); the session's ``after_commit``
hands it on, the end of a transaction that did not commit drops it. So a refused request never starts a job.

* Embedded (no ``REDIS_URL``, the default: ``make run`` needs nothing more): the job runs in this
  process, in a fresh app context — after the response has been sent when a request asked for it,
  else right after the commit (commands, other jobs).
* ``REDIS_URL`` set: the job goes onto an RQ queue in Redis; ``shuangkong worker`` runs it.

The contract every job keeps (at-least-once delivery): its keyword arguments are plain JSON values
(ids, not objects); it may run more than once for one ``enqueue`` (a worker killed mid-job, Redis
restarted, an admin's retry) and must then change nothing twice — look at the database first
("already sent?"), or use unique keys; it never commits (``perform`` commits once when it returns
and rolls back when it raises); a job that raises is recorded in ``failed_jobs`` for the admin.
See docs/jobs.md.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event

from app.clock import utcnow
from app.extensions import db
from app.registry import point

log = logging.getLogger(__name__)

JOBS = point("jobs", "name -> fn(**kwargs)", unique=True)
QUEUE_NAME = "shuangkong"
_PENDING = "shk_pending_jobs"


def job(name: str):
    """Declare ``fn`` as the job ``name`` (keyword arguments only, JSON values); ``register`` adds it."""
    def decorate(fn):
        fn.job_name = name
        return fn
    return decorate


def register(*fns: Callable[..., Any]) -> None:
    """Register jobs declared with ``@job`` (from their feature's init_app)."""
    for fn in fns:
        JOBS.add(fn.job_name, fn)


def enqueue(name: str, *, delay: float = 0, **kwargs) -> None:
    """Ask for job ``name`` once the current transaction commits (``delay`` seconds later at the earliest)."""
    if name not in JOBS:
        raise LookupError(f"no job named {name!r}")
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback or close ends a transaction, and drops the job with it
    session.info.setdefault(_PENDING, []).append((name, kwargs, float(delay)))


def enqueue_batched(name: str, item_arg: str, item, *, size: int = 200, **kwargs) -> None:
    """``enqueue`` for fan-out: ``item`` joins the list argument ``item_arg`` of a job of this transaction with
    the same other arguments, up to ``size`` items a job (a queue costs a few milliseconds per job, so
    10 000 reminders travel as 50 jobs, not 10 000)."""
    if name not in JOBS:
        raise LookupError(f"no job named {name!r}")
    session = db.session()
    for pending_name, pending_kwargs, delay in session.info.get(_PENDING, ()):
        if (pending_name == name and delay == 0 and len(pending_kwargs[item_arg]) < size
                and {k: v for k, v in pending_kwargs.items() if k != item_arg} == kwargs):
            pending_kwargs[item_arg].append(item)
            return
    enqueue(name, **kwargs, **{item_arg: [item]})


def redis_url() -> str | None:
    return current_app.config.get("REDIS_URL") or None


def _after_commit(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending:
        _dispatch(pending)


def _after_transaction_end(session, transaction) -> None:
    # After a commit the list is gone already (after_commit comes first); whatever is left belongs to
    # a transaction that was rolled back or closed: those jobs must never run.
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


def _dispatch(pending: list) -> None:
    app = current_app._get_current_object()
    if redis_url():
        try:
            _to_queue(get_queue(), pending)
        except Exception as exc:  # Redis down: the commit stands; the jobs wait in failed_jobs for a retry
            log.exception("could not enqueue jobs %r", pending)
            with app.app_context():  # a session of its own: this one is finishing its commit
                for name, kwargs, _delay in pending:
                    _record_failure(name, kwargs, exc)
        return
    if has_request_context():
        g.setdefault("shk_jobs_after_response", []).extend(pending)
        return
    for name, kwargs, delay in pending:
        _run_embedded(app, name, kwargs, delay)


def _to_queue(queue, pending: list) -> None:
    """All of a commit's jobs in one Redis round trip (enqueue_many pipelines them); delayed ones into
    RQ's scheduled registry."""
    from rq import Queue  # only with Redis configured

    opts = {"timeout": current_app.config["JOB_TIMEOUT_SECONDS"], "failure_ttl": 30 * 86400,
            "result_ttl": 3600}
    now = [Queue.prepare_data(perform, (name, kwargs), description=name, **opts)
           for name, kwargs, delay in pending if delay <= 0]
    if now:
        queue.enqueue_many(now)
    for name, kwargs, delay in pending:
        if delay > 0:
            # RQ keeps whole seconds: round the time up, so a backoff is never cut short.
            at = datetime.fromtimestamp(math.ceil(time.time() + delay), UTC)
            queue.enqueue_at(at, perform, name, kwargs, description=name, job_timeout=opts["timeout"],
                             failure_ttl=opts["failure_ttl"], result_ttl=opts["result_ttl"])


def _run_embedded(app: Flask, name: str, kwargs: dict, delay: float = 0) -> None:
    def run():
        with app.app_context():
            try:
                perform(name, kwargs)
            except Exception:  # recorded in failed_jobs by perform; the caller's work is done
                log.exception("embedded job %s failed", name)

    if delay > 0:  # in-process: a timer thread; a restart loses it (use Redis where that matters)
        timer = threading.Timer(delay, run)
        timer.daemon = True
        timer.start()
    else:
        run()


def _after_request(response):
    pending = g.pop("shk_jobs_after_response", None)
    if pending:
        app = current_app._get_current_object()

        def run_all():
            for name, kwargs, delay in pending:
                _run_embedded(app, name, kwargs, delay)

        if request.environ.get("SERVER_SOFTWARE", "").startswith("Werkzeug/"):
            # The development server (``shuangkong run``, ``make run``) skips the close when the
            # browser resets the connection after reading the answer (werkzeug's serving.py drains
            # the socket in the ``finally`` before it closes the iterator): the jobs would never
            # run, a large export never be built. There they run in a thread of their own.
            threading.Thread(target=run_all, name="after-response-jobs", daemon=True).start()
        else:
            # Runs when the server has sent the response: the request never waits for its jobs.
            response.call_on_close(run_all)
    return response


def perform(name: str, kwargs: dict) -> None:
    """Run one job in the current app context: commit when it returns, roll back and record when it raises.
    This is the function RQ calls in the worker."""
    fn = JOBS[name]
    try:
        fn(**kwargs)
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        _record_failure(name, kwargs, exc)
        raise
    finally:
        db.session.remove()


def _record_failure(name: str, kwargs: dict, exc: Exception) -> None:
    from app.jobs.models import FailedJob  # the models import this package (a cycle at load time)

    try:
        db.session.add(FailedJob(name=name, kwargs=kwargs, failed_at=utcnow(),
                                 error="".join(traceback.format_exception_only(exc)).strip()[:4000]))
        db.session.commit()
    except Exception:  # the database itself is down: RQ's failed registry still has the job
        db.session.rollback()
        log.exception("could not record the failure of job %s", name)


def get_queue():
    from redis import Redis  # only with Redis configured
    from rq import Queue  # only with Redis configured

    app = current_app._get_current_object()
    queue = app.extensions.get("shk_queue")
    if queue is None:
        queue = Queue(QUEUE_NAME, connection=Redis.from_url(redis_url()))
        app.extensions["shk_queue"] = queue
    return queue


_listening = False


def init_app(app: Flask) -> None:
    global _listening

    # Inside: the app's other modules import this one (``jobs.enqueue``); its pages, commands and
    # navigation need app.access and app.ui, which are loaded only when the app is built.
    from flask_babel import lazy_gettext as _l

    from app import access, ui
    from app.jobs import cli, tasks, views

    app.config.setdefault("REDIS_URL", None)
    app.config.setdefault("JOB_TIMEOUT_SECONDS", 1800)
    if not _listening:
        session_class = db.session.session_factory.class_
        event.listen(session_class, "after_commit", _after_commit)
        event.listen(session_class, "after_transaction_end", _after_transaction_end)
        _listening = True
    register(tasks.scan)
    app.after_request(_after_request)
    app.register_blueprint(views.bp)
    cli.init_app(app)
    ui.nav_item("jobs.failed", _l("Failed jobs"), lambda user: access.can(user, "admin"))
