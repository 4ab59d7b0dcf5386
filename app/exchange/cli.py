"""``shuangkong exchange push [--enterprise ID|credit code]`` and ``shuangkong exchange status``."""

from __future__ import annotations

import click
from flask import Flask
from sqlalchemy import or_, select

from app.clock import to_local
from app.exchange import profiles, service
from app.exchange.models import ExchangeStatus
from app.extensions import db
from app.organisations.models import Enterprise

group = click.Group("exchange", help="Data exchange with the provincial platform (national model).")


def _enterprises(which: str | None) -> list[Enterprise]:
    stmt = select(Enterprise).where(Enterprise.credit_code.in_(list(profiles.enrolments())))
    if which:
        stmt = stmt.where(or_(Enterprise.credit_code == which,
                              Enterprise.id == (int(which) if which.isdigit() else -1)))
    return list(db.session.scalars(stmt.order_by(Enterprise.id)))


@group.command("push")
@click.option("--enterprise", "which", help="id or credit code; default: every enterprise configured to report")
def push_command(which: str | None) -> None:
    """Push now (in this process), one commit per enterprise."""
    targets = _enterprises(which)
    if not targets:
        raise click.ClickException("no enterprise configured to report matches")
    failed = False
    for enterprise in targets:
        result = service.push(enterprise.id)
        db.session.commit()
        failed = failed or "error" in result
        click.echo(f"{enterprise.credit_code} {enterprise.name}: " + ", ".join(f"{k}={v}" for k, v in result.items()))
    if failed:
        raise SystemExit(1)


@group.command("status")
def status_command() -> None:
    """Last success, pending rows and the last error of every enterprise configured to report."""
    for enterprise in _enterprises(None):
        status = db.session.scalar(select(ExchangeStatus).where(ExchangeStatus.enterprise_id == enterprise.id))
        if status is None:
            click.echo(f"{enterprise.credit_code} {enterprise.name}: never pushed")
            continue
        last = to_local(status.last_success_at).strftime("%Y-%m-%d %H:%M") if status.last_success_at else "-"
        click.echo(f"{enterprise.credit_code} {enterprise.name}: last success {last}, "
                   f"pending {status.pending_rows}, refused {status.refused_rows}, "
                   f"error {status.last_error or '-'}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
