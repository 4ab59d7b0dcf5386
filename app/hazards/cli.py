"""``shuangkong workflow diagram`` and ``shuangkong audit verify``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext

from workflows import hazard as machine

workflow_group = click.Group("workflow", help="The hazard lifecycle machine.")
audit_group = click.Group("audit", help="Integrity checks of the history.")


@workflow_group.command("diagram")
def diagram_command():
    """Print the lifecycle as a Mermaid state diagram (generated from workflows/hazard.py)."""
    click.echo(machine.mermaid(), nl=False)


@audit_group.command("verify")
@with_appcontext
def verify_command():
    """Recompute every hazard's keyed chain and check each hazard's row and evidence against it; exit 1
    naming each hazard whose history was altered."""
    from sqlalchemy import select

    from app.extensions import db
    from app.hazards import history
    from app.hazards.models import Hazard
    from app.integrity import ChainKeyError
    from app.organisations.models import Enterprise

    try:
        problems = history.verify()
    except ChainKeyError as exc:
        raise click.ClickException(str(exc)) from None
    if not problems:
        click.echo("audit verify: every hazard history is intact.")
        return
    rows = db.session.execute(select(Hazard.id, Hazard.code, Enterprise.name).join(Enterprise).where(
        Hazard.id.in_(list(problems)))).all()
    names = {r.id: f"{r.code} ({r.name})" for r in rows}
    for hazard_id, problem in sorted(problems.items()):
        click.echo(f"ALTERED hazard {hazard_id} {names.get(hazard_id, '')}: {problem}", err=True)
    click.echo(f"audit verify: {len(problems)} hazard histories altered.", err=True)
    sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(workflow_group)
    app.cli.add_command(audit_group)
