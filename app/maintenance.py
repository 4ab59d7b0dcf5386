"""Operations commands: ``shuangkong storage check``, ``shuangkong backup`` and ``shuangkong restore``.

Backup order (docs/operations.md): files are written before the transaction that refers to them
commits, so the database is dumped FIRST and the files copied AFTER: every file the dump refers to
already exists when the copy runs (files written meanwhile are merely orphans of the backup). The
other order could miss the file of a row committed between the two steps.

The chain key (``app.integrity``) is deliberately not part of a backup: a copy of the database and the
key together would let whoever holds both rewrite the history. Keep the key apart; ``restore`` checks
that every key id the backup's history uses is configured.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL

from app import storage
from app.clock import utcnow
from app.extensions import db
from app.integrity import chain_keys

MANIFEST = "manifest.json"
PG_DUMP = "database.pgdump"
SQLITE_DUMP = "database.sqlite3"
FILES = "files"

storage_group = click.Group("storage", help="The stored files (evidence photos, documents, site plans).")


# --- storage check -------------------------------------------------------------------------------

def report_storage(remove_orphans: bool = False, grace_seconds: int = 3600) -> bool:
    report = storage.check_files(remove_orphans=remove_orphans, grace_seconds=grace_seconds)
    for digest, who in report.missing:
        click.echo(f"MISSING {digest} (referred to by {who})", err=True)
    for digest in report.altered:
        click.echo(f"ALTERED {digest} (does not match its SHA-256)", err=True)
    for digest in report.orphaned:
        click.echo(f"ORPHANED {digest} (nothing refers to it; --remove-orphans deletes it)", err=True)
    for digest in report.orphans_removed:
        click.echo(f"removed orphan {digest}")
    for name in report.debris_removed:
        click.echo(f"removed debris {name}")
    summary = (f"storage check: {report.checked} files checked, {len(report.missing)} missing, "
               f"{len(report.altered)} altered, {len(report.orphaned)} orphaned, "
               f"{len(report.debris_removed)} temporary files removed.")
    click.echo(summary, err=not report.ok)
    return report.ok


@storage_group.command("check")
@click.option("--remove-orphans", is_flag=True, help="Delete files nothing refers to (older than the grace time).")
@click.option("--grace-seconds", default=3600, show_default=True,
              help="Leave younger files alone: an upload may be between writing its file and committing.")
@with_appcontext
def storage_check_command(remove_orphans, grace_seconds):
    """Report missing, altered and orphaned files; remove debris of interrupted writes. Exit 1 on problems."""
    if not report_storage(remove_orphans, grace_seconds):
        sys.exit(1)


# --- backup ----------------------------------------------------------------------------------------

def _pg_env(url: URL) -> dict:
    """libpq settings from the SQLAlchemy URL, passed in the environment (never on the command line,
    where ``ps`` would show the password)."""
    env = dict(os.environ)
    for var, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[var] = str(value)
    return env


def _sha256_of(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise click.ClickException("An in-memory SQLite database cannot be backed up or restored.")
    return Path(url.database)


def _dump_database(dest: Path) -> Path:
    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        target = dest / PG_DUMP
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
                       env=_pg_env(url), check=True)
        return target
    target = dest / SQLITE_DUMP
    source = sqlite3.connect(_sqlite_path(url))
    try:
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # SQLite's online backup: a consistent snapshot while the app runs
        copy.close()
    finally:
        source.close()
    return target


def _copy_files(source: Path, dest: Path) -> int:
    count = 0
    if not source.exists():
        return 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.endswith(storage.TMP_SUFFIX):
            continue
        target = dest / path.relative_to(source)
        if target.exists() and target.stat().st_size == path.stat().st_size:
            continue  # content-addressed: the same name holds the same bytes
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
        count += 1
    return count


def _revision() -> str | None:
    if "alembic_version" not in inspect(db.engine).get_table_names():
        return None
    return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _key_ids() -> list[str]:
    return sorted(k for k in db.session.execute(text("SELECT DISTINCT key_id FROM hazard_events")).scalars() if k)


def backup(dest: Path) -> dict:
    """Dump the database, THEN copy the files (see the module docstring), then write the manifest."""
    dest.mkdir(parents=True, exist_ok=True)
    if any(dest.iterdir()):
        raise click.ClickException(f"{dest} is not empty; a backup goes into a new folder.")
    started = utcnow()
    dump = _dump_database(dest)
    files = _copy_files(Path(current_app.config["UPLOAD_FOLDER"]), dest / FILES)
    manifest = {
        "format": 1, "created_at": started.isoformat() + "Z", "dialect": db.engine.dialect.name,
        "database": dump.name, "database_sha256": _sha256_of(dump), "alembic_revision": _revision(),
        "files": files, "chain_key_ids": _key_ids(),
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def backup_command(dest):
    """Back up the database and the stored files into DEST (a new folder). The chain key is not included."""
    manifest = backup(dest)
    click.echo(f"backup: database ({manifest['dialect']}, revision {manifest['alembic_revision']}) and "
               f"{manifest['files']} files written to {dest}.")
    click.echo(f"backup: the history is signed with chain key(s) {', '.join(manifest['chain_key_ids']) or '-'}; "
               "keep the key apart from this backup (docs/operations.md).")


# --- restore ---------------------------------------------------------------------------------------

def _database_is_empty() -> bool:
    return not inspect(db.engine).get_table_names()


def _restore_database(source: Path, manifest: dict) -> None:
    url = db.engine.url
    dump = source / manifest["database"]
    if _sha256_of(dump) != manifest["database_sha256"]:
        raise click.ClickException(f"{dump} does not match the SHA-256 in the manifest; it is damaged.")
    dialect = url.get_backend_name()
    if dialect != manifest["dialect"]:
        raise click.ClickException(f"The backup is of a {manifest['dialect']} database; this one is {dialect}.")
    if not _database_is_empty():
        raise click.ClickException("The target database is not empty; restore goes into a new, empty database.")
    db.session.remove()
    db.engine.dispose()
    if dialect == "postgresql":
        subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
                        f"--dbname={url.database}", str(dump)], env=_pg_env(url), check=True)
        return
    source_db = sqlite3.connect(dump)
    try:
        target = sqlite3.connect(_sqlite_path(url))
        with target:
            source_db.backup(target)
        target.close()
    finally:
        source_db.close()


def restore(source: Path) -> dict:
    manifest_path = source / MANIFEST
    if not manifest_path.exists():
        raise click.ClickException(f"{manifest_path} not found: not a shuangkong backup.")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))

    missing_keys = sorted(set(manifest.get("chain_key_ids") or []) - set(chain_keys().secrets))
    if missing_keys:
        raise click.ClickException(
            f"The backup's history is signed with chain key(s) {', '.join(missing_keys)}, which are not "
            "configured here: set SHUANGKONG_CHAIN_KEY (or the key file) to the original keys first.")
    _restore_database(source, manifest)
    _copy_files(source / FILES, Path(current_app.config["UPLOAD_FOLDER"]))
    return manifest


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@with_appcontext
def restore_command(source):
    """Restore a backup into an EMPTY database and the upload folder, then run audit verify and storage check."""
    from app.hazards.cli import report_audit  # the core's commands import no feature at load time

    manifest = restore(source)
    click.echo(f"restore: database ({manifest['dialect']}, revision {manifest['alembic_revision']}) and "
               f"{manifest['files']} files restored.")
    intact = report_audit()
    if not report_storage(grace_seconds=0) or not intact:
        sys.exit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(storage_group)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
