"""Use cases on failed jobs (no commit inside)."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import jobs
from app.clock import utcnow
from app.errors import Conflict, NotFound
from app.extensions import db
from app.jobs.models import FailedJob


def failed(limit: int = 200) -> list[FailedJob]:
    return list(db.session.scalars(select(FailedJob).where(FailedJob.retried_at.is_(None))
                                   .order_by(FailedJob.id.desc()).limit(limit)))


def retry(failed_id: int) -> FailedJob:
    """Ask for the job again with the same arguments (it runs after the commit); once per failure."""
    row = db.session.get(FailedJob, failed_id, with_for_update=True)
    if row is None:
        raise NotFound()
    if row.retried_at is not None:
        raise Conflict(_("This job has already been retried."))
    row.retried_at = utcnow()
    jobs.enqueue(row.name, **row.kwargs)
    db.session.flush()
    return row
