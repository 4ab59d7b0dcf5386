"""The one place where imports, reference-data changes and rule-set changes are recorded.

Every use case of ``app.imports`` and ``app.rulesets`` that changes administrative data calls
``record`` once, inside its own transaction, with who did what to which object and the before → after
values; the entry goes to the audit log (``app.audit``, issue 15 item 7) with the caller's commit.
Actions follow the log's vocabulary: ``import``, ``merge``, ``create``, ``reconfigure``.
"""

from __future__ import annotations

from app.audit import record as _audit_record


def record(actor, action: str, obj_or_type, *, object_id=None, before=None, after=None, summary: str = "",
           region_id: int | None = None) -> None:
    _audit_record(actor, action, obj_or_type, object_id=object_id, before=before, after=after, summary=summary,
                  region_id=region_id)
