"""``shuangkong workflow diagram`` and ``shuangkong audit verify``."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from app.extensions import db
from app.hazards import checkpoints, history
from app.hazards.models import Hazard
from app.integrity import ChainKeyError, chain_keys
from app.organisations.models import Enterprise
from workflows import hazard as machine

workflow_group = click.Group("workflow", help="The hazard lifecycle machine.")
audit_group = click.Group("audit", help="Integrity checks of the history.")


@workflow_group.command("diagram")
def diagram_command():
    """Print the lifecycle as a Mermaid state diagram (generated from workflows/hazard.py)."""
    click.echo(machine.mermaid(), nl=False)


def report_audit(jobs: int = 1, full: bool = True) -> bool:
    """Run every check of the history, print what is wrong (stderr), True when all is intact.

    ``full=False``: re-verify only the hazards marked as changed since the last verification
    (``app.hazards.checkpoints``), falling back to a full verification when no authentic checkpoint of
    a full one exists. A clean run clears the marks it read and appends a signed checkpoint."""

    try:
        keys = chain_keys()
        incremental = None if full else history.verify_incremental(keys)
        if incremental is None:
            if not full:
                click.echo("audit verify: no full verification to start from (or a chain key was removed since it); "
                           "verifying every hazard.")
            top = checkpoints.max_mark()
            problems = history.verify(jobs=jobs)
            verified = db.session.scalar(select(func.count()).select_from(Hazard)) or 0
        else:
            problems, marks = incremental
            verified = len(marks.hazard_ids)
            click.echo(f"audit verify: {verified} hazards changed since the last verification, re-verified.")
    except ChainKeyError as exc:
        raise click.ClickException(str(exc)) from None
    missing = history.missing_hazards()
    count_problem = history.events_match_heads()
    forged = checkpoints.forged(keys)
    if not problems and not missing and not count_problem and not forged:
        if incremental is None:
            checkpoints.clear_marks_up_to(top)
        else:
            checkpoints.clear_marks(marks.ids)
        events = db.session.scalar(select(func.count()).select_from(history.HazardEvent)) or 0
        checkpoints.sign(keys, full=incremental is None, hazards=verified, events=events)
        db.session.commit()
        click.echo("audit verify: every hazard history is intact.")
        return True
    db.session.rollback()
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
    if count_problem:
        click.echo(f"ALTERED history: {count_problem} (events were deleted or inserted)", err=True)
    for checkpoint_id in forged:
        click.echo(f"FORGED checkpoint #{checkpoint_id}: not signed with the chain key", err=True)
    click.echo(f"audit verify: {len(problems)} hazard histories altered, {len(missing)} hazards missing.",
               err=True)
    return False


@audit_group.command("verify")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes sharing the hazards by id range (full verification).")
@click.option("--full", is_flag=True,
              help="Verify every hazard, not only those changed since the last verification.")
@with_appcontext
def verify_command(jobs: int, full: bool):
    """Recompute the keyed chain of every hazard changed since the last verification (all of them with
    --full, or when no full verification has run) and check its row and evidence against it, that no
    hazard was deleted and no event removed; exit 1 naming each hazard whose history was altered."""
    if not report_audit(jobs, full=full):
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(workflow_group)
    app.cli.add_command(audit_group)
