"""``shuangkong user``: create users from a script (organisations administers users; auth logs them in)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup
from sqlalchemy import select

from app.auth.models import Role
from app.errors import Invalid
from app.extensions import db
from app.organisations import accounts
from app.organisations.models import Authority, Enterprise

user_cli = AppGroup("user", help="Manage users.")
OPTION_NAMES = {"enterprise_id": "--enterprise", "authority_id": "--authority", "display_name": "--name",
                "username": "--username", "role": "--role", "certificate_no": "--certificate"}


@user_cli.command("create")
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--name", "display_name", help="Display name (default: the username).")
@click.option("--enterprise", "credit_code", help="Credit code of the enterprise (enterprise roles).")
@click.option("--authority", "authority_ref", help="Authority id or exact name (inspector, supervisor).")
@click.option("--certificate", "certificate_no", default="",
              help="Law-enforcement certificate number (执法证号; required for inspectors).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create(username, role, display_name, credit_code, authority_ref, certificate_no, password_stdin):
    """Create a user (the first admin, or anyone) from a script."""
    enterprise = authority = None
    if credit_code:
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == credit_code.upper()))
        if enterprise is None:
            raise click.ClickException(f"No enterprise with credit code {credit_code}.")
    if authority_ref is not None:
        ref = authority_ref.strip()
        authority = db.session.get(Authority, int(ref)) if ref.isdigit() else \
            db.session.scalar(select(Authority).where(Authority.name == ref))
        if authority is None:
            raise click.ClickException(f"No authority with id or name {ref}.")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = accounts.create_user(None, username=username, display_name=display_name or username, role=role,
                                   password=password, enterprise=enterprise, authority=authority,
                                   certificate_no=certificate_no)
    except Invalid as exc:
        db.session.rollback()
        details = "; ".join(f"{OPTION_NAMES.get(k, k)}: {' '.join(v)}" for k, v in exc.fields.items())
        raise click.ClickException(details) from None
    db.session.commit()
    click.echo(f"Created user {user.username} ({user.role.value}), id {user.id}.")
