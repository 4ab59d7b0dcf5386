"""The one place where imports, reference-data changes and rule-set changes are recorded.

Every use case of ``app.imports`` and ``app.rulesets`` that changes administrative data calls
``record`` once, in its own transaction, with who did what to which object and the before → after
values (issue 15 item 7: the audit log of administrative actions). Until that log's table exists in
this branch the record goes to the ``shuangkong.admin`` log; ``record`` is the only function that
changes when it does.
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger("shuangkong.admin")


def record(actor, action: str, obj_or_type, *, object_id=None, before=None, after=None, summary: str = "") -> None:
    """Record an administrative action (``import.enterprises``, ``region.merge``, ``rule_set.activate``...)."""
    object_type = obj_or_type if isinstance(obj_or_type, str) else type(obj_or_type).__name__
    if object_id is None and not isinstance(obj_or_type, str):
        object_id = getattr(obj_or_type, "id", None)
    log.info("%s", json.dumps({
        "actor_id": getattr(actor, "id", None), "action": action, "object_type": object_type,
        "object_id": object_id, "before": before, "after": after, "summary": summary,
    }, ensure_ascii=False, default=str))
