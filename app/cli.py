"""The ``shuangkong`` command: Flask's CLI bound to the factory, plus the project's commands.

``shuangkong scan`` runs every registered periodic step (overdue hazards, due reviews, listing
rules...) in order; each step must be idempotent.
"""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from app.extensions import db

# (name, fn() -> dict of counts); features append in init_app.
SCAN_STEPS: list[tuple[str, Callable[[], dict]]] = []
# (name, fn(ctx: dict) -> None); demo seeders, run in feature order; ctx carries what earlier ones made.
DEMO_STEPS: list[tuple[str, Callable[[dict], None]]] = []


def scan_step(name: str):
    def decorate(fn):
        SCAN_STEPS.append((name, fn))
        return fn
    return decorate


def demo_step(name: str):
    def decorate(fn):
        DEMO_STEPS.append((name, fn))
        return fn
    return decorate


def _create_app():
    from app import create_app

    return create_app()


cli = FlaskGroup(create_app=_create_app, help="shuangkong (双控) management commands.")


def run_scan(echo: Callable[[str], None] = lambda line: None) -> None:
    """Every scan step in order, each committed on its own (also the ``scan`` job, app/jobs/tasks.py)."""
    for name, fn in SCAN_STEPS:
        counts = fn()
        db.session.commit()
        summary = ", ".join(f"{k}={v}" for k, v in counts.items()) or "nothing to do"
        echo(f"{name}: {summary}")


@click.command("scan")
@with_appcontext
def scan_command():
    """Periodic run: overdue hazards, reminders, due reviews, listing rules. Idempotent.
    Runs here and now; cron may instead call `shuangkong enqueue scan` to run it on the worker."""
    run_scan(click.echo)


def run_demo() -> dict:
    ctx: dict = {}
    for _name, fn in DEMO_STEPS:
        fn(ctx)
        db.session.commit()
    return ctx


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no enterprise yet.")
@with_appcontext
def demo_command(if_empty):
    """Load the demo city: regions, authorities, enterprises, users, risks, hazards."""
    from app.organisations.models import Enterprise

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
    """Print the demo logins."""
    from app.organisations.demo import print_logins

    print_logins()


def init_app(app: Flask) -> None:
    app.cli.add_command(scan_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(logins_command)
