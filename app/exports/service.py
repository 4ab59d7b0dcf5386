"""The use cases of exports: ask for one, build it (the job), hand its file to its owner, let it expire.
No commit inside (views and the job runner commit)."""

from __future__ import annotations

import os
import secrets
import traceback
from datetime import timedelta
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app import access, jobs, xlsx
from app.auth.models import User
from app.cli import SCAN_BATCH, end_batch, lock_skipping
from app.clock import utcnow
from app.errors import NotFound
from app.exports import KINDS
from app.exports.models import Export, ExportState
from app.extensions import db
from app.notifications import service as notifications


def folder() -> Path:
    path = Path(current_app.instance_path) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def kind_of(name: str):
    if name not in KINDS:
        raise LookupError(f"no export named {name!r}")
    return KINDS[name]


def ask(actor: User, name: str, params: dict, *, expected_rows: int = 0) -> Export:
    """Ask for export ``name`` of ``params`` (the page's filters, JSON values) as ``actor``; the job that
    builds it leaves when the transaction commits. ``count`` checks the actor's permission first, so a
    refusal raises here, before anything is recorded."""
    kind = kind_of(name)
    if not expected_rows:
        expected_rows = kind.count(actor, params)
    export = Export(user_id=actor.id, kind=name, params=params, title=kind.title, filename=kind.filename,
                    expected_rows=expected_rows, state=ExportState.pending, created_at=utcnow())
    db.session.add(export)
    db.session.flush()
    jobs.enqueue("exports.build", export_id=export.id)
    return export


@jobs.job("exports.build")
def build(export_id: int) -> None:
    """Write the export's workbook into the instance folder, as the user who asked (his scope today), and
    tell him it is ready. Run twice for one ask, the second run finds it done and changes nothing."""
    export = db.session.get(Export, export_id)
    if export is None or export.state != ExportState.pending:
        return
    user = db.session.get(User, export.user_id)
    path = folder() / f"{export.id}-{secrets.token_hex(8)}.xlsx"
    try:
        sheet = kind_of(export.kind).sheet(user, export.params)
        xlsx.write(sheet, str(path))
    except Exception as exc:
        path.unlink(missing_ok=True)
        export.state, export.finished_at = ExportState.failed, utcnow()
        export.error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
        notifications.notify(user.id, kind="export_failed", dedupe_key=f"export:{export.id}",
                             text=_("The export “%(title)s” could not be prepared.", title=export.title))
        return
    export.state, export.rows, export.size = ExportState.ready, sheet.written, path.stat().st_size
    export.path, export.finished_at = path.name, utcnow()
    export.expires_at = export.finished_at + timedelta(hours=current_app.config["EXPORT_KEEP_HOURS"])
    notifications.notify(user.id, kind="export_ready", dedupe_key=f"export:{export.id}",
                         text=_("Your export “%(title)s” is ready (%(rows)s rows): download it from My exports.",
                                title=export.title, rows=export.rows))


def is_ready(export: Export) -> bool:
    """Its file can be downloaded now (built, and not past its expiry)."""
    return export.state == ExportState.ready and export.expires_at is not None and export.expires_at > utcnow()


def file_of(actor: User, export_id: int) -> tuple[Export, Path]:
    """The export and its file, for its owner only (another's is NotFound, as is one not ready or expired)."""
    export = access.get_visible(Export, export_id, actor)
    if not is_ready(export):
        raise NotFound()
    path = folder() / export.path
    if not path.is_file():
        raise NotFound()
    return export, path


def expire(batch: int | None = None) -> dict:
    """Scan step: delete the files of the exports past their expiry, a batch at a time."""
    batch = batch or SCAN_BATCH
    expired = 0
    while True:
        rows = db.session.scalars(lock_skipping(
            select(Export).where(Export.state == ExportState.ready, Export.expires_at <= utcnow())
            .order_by(Export.id).limit(batch), Export)).all()
        for export in rows:
            if export.path:
                (folder() / os.path.basename(export.path)).unlink(missing_ok=True)
            export.state, export.path = ExportState.expired, None
        expired += len(rows)
        end_batch()
        if len(rows) < batch:
            return {"expired": expired}
