"""``shuangkong workflow diagram`` and ``shuangkong audit verify``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import select

from app.extensions import db
from app.integrity import ChainKeyError
from workflows import hazard as machine

workflow_group = click.Group("workflow", help="The hazard lifecycle machine.")
audit_group = click.Group("audit", help="Integrity checks of the history.")


@workflow_group.command("diagram")
def diagram_command():
    """Print the lifecycle as a Mermaid state diagram (generated from workflows/hazard.py)."""
    click.echo(machine.mermaid(), nl=False)


def report_audit(jobs: int = 1) -> bool:
    """Run every check of the history, print what is wrong (stderr), True when all is intact."""

    # the audit's models and history, loaded when the command runs (maintenance imports this module)
    from app.hazards import history
    from app.hazards.models import Hazard
    from app.organisations.models import Enterprise

    try:
        problems = history.verify(jobs=jobs)
    except ChainKeyError as exc:
        raise click.ClickException(str(exc)) from None
    missing = history.missing_hazards()
    if not problems and not missing:
        click.echo("audit verify: every hazard history is intact.")
        return True
    rows = db.session.execute(select(Hazard.id, Hazard.code, Enterprise.name).join(Enterprise).where(
        Hazard.id.in_(list(problems)))).all()
    names = {r.id: f"{r.code} ({r.name})" for r in rows}
    for hazard_id, problem in sorted(problems.items()):
        click.echo(f"ALTERED hazard {hazard_id} {names.get(hazard_id, '')}: {problem}", err=True)
    enterprises = {row.id: row.name for row in db.session.execute(select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.in_({e for e, _code in missing})))}
    for enterprise_id, code in missing:
        click.echo(f"MISSING hazard {code} ({enterprises.get(enterprise_id, enterprise_id)}): its code was "
                   "issued but the hazard and its history are gone", err=True)
    click.echo(f"audit verify: {len(problems)} hazard histories altered, {len(missing)} hazards missing.",
               err=True)
    return False


@audit_group.command("verify")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes sharing the hazards by id range.")
@with_appcontext
def verify_command(jobs: int):
    """Recompute every hazard's keyed chain and check each hazard's row and evidence against it, and that no
    hazard was deleted; exit 1 naming each hazard whose history was altered."""
    if not report_audit(jobs):
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(workflow_group)
    app.cli.add_command(audit_group)
