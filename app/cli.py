"""The ``shuangkong`` command: Flask's CLI bound to the factory, plus the project's commands.

``shuangkong scan`` runs every registered periodic step (overdue hazards, due reviews, listing
rules...) in order; each step must be idempotent.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from app import clock
from app.extensions import db
from app.registry import point

# name -> fn() -> dict of counts; features add theirs in init_app (``SCAN_STEPS.add(name, fn)``), run in
# that order (the order of app.FEATURES).
SCAN_STEPS = point("scan.steps", "name -> fn() -> dict of counts")
# name -> (fn(ctx: dict) -> None, phase); demo seeders, added in init_app (``add_demo_step``), run in
# feature order within their phase; ctx carries what earlier ones made. Phases: "setup" (the
# organisations and registers the story starts from), "story" (adds dated actions to ctx["story"],
# played in date order once every story step has added its own), "after" (runs on today's state, once
# the story has been played).
DEMO_STEPS = point("demo.steps", "name -> (fn(ctx), phase)")
DEMO_PHASES = ("setup", "story", "after")
# How many days before today the demo's story starts: organisations and risk registers are set up
# then; every dated action of the story lies after it.
DEMO_START_DAYS = 75


# How many rows a scan step takes per batch (and per transaction under ``shuangkong scan``).
SCAN_BATCH = 500
_COMMIT_BATCHES: ContextVar[bool] = ContextVar("scan_commit_batches", default=False)


@contextmanager
def committing_batches() -> Iterator[None]:
    """Within it, each batch of a scan step commits (``shuangkong scan``): the work done stays done, and
    no transaction spans the whole table, so a user's row lock never waits on the scan for long."""
    token = _COMMIT_BATCHES.set(True)
    try:
        yield
    finally:
        _COMMIT_BATCHES.reset(token)


def end_batch() -> None:
    """The end of one bounded batch of a scan step: commit it under ``shuangkong scan``; elsewhere (the
    demo's story, tests calling ``run_scan``) the caller's transaction carries on."""
    if _COMMIT_BATCHES.get():
        db.session.commit()
    else:
        db.session.flush()


def lock_skipping(stmt, *of):
    """``stmt`` locking the rows it returns, skipping those another transaction holds (PostgreSQL):
    the scan takes them next run instead of waiting for (or blocking) a user. SQLite has one writer
    at a time anyway: a plain SELECT."""
    if db.engine.dialect.name == "sqlite":
        return stmt
    return stmt.with_for_update(skip_locked=True, of=list(of) or None)


def add_demo_step(name: str, fn: Callable[[dict], None], phase: str = "setup") -> None:
    if phase not in DEMO_PHASES:
        raise ValueError(f"demo step {name!r}: phase {phase!r} is not one of {DEMO_PHASES}")
    DEMO_STEPS.add(name, (fn, phase))


class Story:
    """The demo's past weeks: actions dated ``days_ago`` (at a local time of day), played in date order
    through the real services with the clock moved to each one's moment. The periodic scan runs
    every night of the story, as cron would, and once more at the end (today, real time), so
    overdue events, reminders and listing proposals happen when they would have."""

    def __init__(self) -> None:
        self._actions: list[tuple[int, str, int, Callable[[], object]]] = []

    def at(self, days_ago: int, hhmm: str, fn: Callable[[], object]) -> None:
        # Today is left out: its hours may still lie ahead of the real clock.
        if not 1 <= days_ago < DEMO_START_DAYS:
            raise ValueError(f"a demo action {days_ago} days ago lies outside the story")
        self._actions.append((days_ago, hhmm, len(self._actions), fn))

    def play(self) -> None:


        actions, self._actions = sorted(self._actions, key=lambda a: (-a[0], a[1], a[2])), []
        if not actions:
            return
        first = actions[0][0]
        start = clock.today()
        by_day: dict[int, list] = {}
        for action in actions:
            by_day.setdefault(action[0], []).append(action)
        for days_ago in range(first, 0, -1):
            day = start - timedelta(days=days_ago)
            with clock.moved_to(clock.local_moment(day, 2, 0)):  # the nightly scan
                scan_in_transaction()
            for _d, hhmm, _n, fn in by_day.get(days_ago, ()):
                hour, minute = (int(x) for x in hhmm.split(":"))
                with clock.moved_to(clock.local_moment(day, hour, minute)):
                    fn()
                    db.session.flush()
        scan_in_transaction()  # now


def scan_in_transaction() -> dict[str, dict]:
    """Every periodic step once, in order, in the caller's transaction (the demo's nightly scans);
    ``run_scan`` is the same with a commit after each step."""
    return {name: fn() for name, fn in SCAN_STEPS.items()}


def _create_app():
    from app import create_app  # app/__init__ imports this module

    return create_app()


cli = FlaskGroup(create_app=_create_app, help="shuangkong (双控) management commands.")


def run_scan(echo: Callable[[str], None] = lambda line: None) -> None:
    """Every scan step in order, each committed on its own (also the ``scan`` job, app/jobs/tasks.py)."""
    for name, fn in SCAN_STEPS.items():
        started = time.perf_counter()
        with committing_batches():
            counts = fn()
        db.session.commit()
        summary = ", ".join(f"{k}={v}" for k, v in counts.items()) or "nothing to do"
        # Each step's time in cron's log: the step that grows with the data shows itself.
        echo(f"{name}: {summary} ({time.perf_counter() - started:.2f} s)")


@click.command("scan")
@with_appcontext
def scan_command():
    """Periodic run: overdue hazards, reminders, due reviews, listing rules. Idempotent.
    Runs here and now; cron may instead call `shuangkong enqueue scan` to run it on the worker."""
    run_scan(click.echo)


def run_demo() -> dict:
    """Set-up steps on the story's first day, then the story (dated actions, played in order), then
    what is made from today's state."""

    ctx: dict = {"story": Story()}
    start = clock.local_moment(clock.today() - timedelta(days=DEMO_START_DAYS), 8, 30)
    for phase in DEMO_PHASES:
        for fn, step_phase in DEMO_STEPS.values():
            if step_phase != phase:
                continue
            if phase == "setup":
                with clock.moved_to(start):
                    fn(ctx)
                    db.session.commit()  # what is still unflushed gets the story's first day too
            else:
                fn(ctx)
                db.session.commit()
        if phase == "story":
            ctx["story"].play()
            db.session.commit()
    return ctx


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no enterprise yet.")
@with_appcontext
def demo_command(if_empty):
    """Load the demo city: regions, authorities, enterprises, users, risks, hazards."""
    from app.organisations.models import Enterprise  # the core's commands import no feature at load time

    if db.session.scalar(db.select(Enterprise.id).limit(1)) is not None:
        if if_empty:
            click.echo("Database already has data; demo not loaded.")
            return
        raise click.ClickException("The database is not empty; demo data goes into an empty database.")
    ctx = run_demo()
    click.echo(f"Demo loaded: {len(ctx.get('enterprises', []))} enterprises, {len(ctx.get('users', []))} users.")


@click.command("logins")
@with_appcontext
def logins_command():
    """Print the demo logins (the demo module only says which accounts; printing is the CLI's job)."""
    # Inside: the core's commands do not import a feature at load time (organisations imports this module).
    from app.organisations.demo import DEMO_PASSWORD, demo_logins

    rows = demo_logins()
    if not rows:
        click.echo("No demo accounts in this database (create users with `shuangkong user create`).")
        return
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
    for username, role, who in rows:
        click.echo(f"  {username:<24} {role:<22} {who}")
    click.echo("")


def init_app(app: Flask) -> None:
    from app import maintenance  # storage check, backup, restore

    maintenance.init_app(app)
    app.cli.add_command(scan_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(logins_command)
