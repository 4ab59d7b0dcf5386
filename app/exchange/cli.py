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
    """Last success, pending rows and the last error (plain Chinese) of every enterprise configured to report."""
    for enterprise in _enterprises(None):
        status = db.session.scalar(select(ExchangeStatus).where(ExchangeStatus.enterprise_id == enterprise.id))
        if status is None:
            try:
                enrolment = profiles.enrolment_of(enterprise.credit_code)
            except profiles.ProfileError as exc:
                click.echo(f"{enterprise.credit_code} {enterprise.name}：尚未上报；配置错误：{exc}")
                continue
            preview = service.preview(enterprise, enrolment)
            click.echo(f"{enterprise.credit_code} {enterprise.name}：尚未上报；首次上报将发送 {preview.pending_rows} 条，"
                       f"其中 {preview.refused_rows} 条需先更正")
            continue
        last = to_local(status.last_success_at).strftime("%Y-%m-%d %H:%M") if status.last_success_at else "无"
        click.echo(f"{enterprise.credit_code} {enterprise.name}：最近成功 {last}；待上报 {status.pending_rows} 条；"
                   f"待更正 {status.refused_rows} 条；最近错误：{status.last_error or '无'}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
