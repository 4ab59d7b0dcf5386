"""The push as a background job, and the scan step that asks for the pushes that are due."""

from __future__ import annotations

from app import jobs
from app.exchange import service


@jobs.job("exchange.push")
def push_job(*, enterprise_id: int) -> None:
    """Push one enterprise. A failed delivery asks for itself again after the status's backoff (RQ's
    scheduler with Redis; in-process a timer, which a restart loses: the scan step then picks it up)."""
    result = service.push(enterprise_id)
    if "error" in result:
        status = service.status_of(enterprise_id)
        if status.retry_at is not None:
            delay = max(1.0, (status.retry_at - status.last_attempt_at).total_seconds())
            jobs.enqueue("exchange.push", delay=delay, enterprise_id=enterprise_id)


def ask_due_pushes(batch: int | None = None) -> dict:
    """Scan step: one push job per enterprise whose daily push (or retry) is due. Idempotent: a push
    that runs twice sends only what is still unacknowledged."""
    due = service.due_enterprise_ids()
    for enterprise_id in due:
        jobs.enqueue("exchange.push", enterprise_id=enterprise_id)
    return {"pushes_asked": len(due)}
