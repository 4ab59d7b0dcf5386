"""The lifecycle of a listing for supervision (挂牌督办), with ``transitions``.

proposed → listed (the supervisor lists; the supervision notice is issued)
proposed → dismissed (the supervisor dismisses, with a reason)
listed → delisted (the listing authority's inspector accepts the rectification; delisting notice)

One shared machine drives every listing (no machine per row); the state lives in the ``state``
column. The machine follows the hazard machine's idiom (``workflows/machines.py``): named guard
functions reading ``event.kwargs``, ``fire`` raising ``InvalidTrigger`` for a trigger not valid in the
state and ``GuardFailed`` naming every failing guard and its field.
"""

from __future__ import annotations

import enum

from workflows.labels import N_, labelled
from workflows.machines import GuardedMachine, GuardFailed, InvalidTrigger


class ListingState(enum.StrEnum):
    proposed = "proposed"
    listed = "listed"
    dismissed = "dismissed"
    delisted = "delisted"


labelled(ListingState, {
    ListingState.proposed: N_("Proposed"), ListingState.listed: N_("Listed"),
    ListingState.dismissed: N_("Dismissed"), ListingState.delisted: N_("Delisted"),
})


ACTIVE_LISTING_STATES = frozenset({ListingState.proposed, ListingState.listed})
LISTING_TRIGGERS = ("list", "dismiss", "delist")


# --- guards ------------------------------------------------------------------------------

def has_reason(event) -> bool:
    return bool((event.kwargs.get("reason") or "").strip())


GUARDS = {fn.__name__: fn for fn in (has_reason,)}
GUARD_FIELDS = {"has_reason": "reason"}

S = ListingState
TRANSITIONS = [
    {"trigger": "list", "source": S.proposed, "dest": S.listed, "conditions": []},
    {"trigger": "dismiss", "source": S.proposed, "dest": S.dismissed, "conditions": ["has_reason"]},
    {"trigger": "delist", "source": S.listed, "dest": S.delisted, "conditions": []},
]

MACHINE = GuardedMachine(ListingState, TRANSITIONS, GUARDS, GUARD_FIELDS)
assert MACHINE.triggers == LISTING_TRIGGERS


def fire(obj, trigger: str, **data) -> ListingState:
    """Run ``trigger``: InvalidTrigger (state), GuardFailed (guards), else the new state."""
    return MACHINE.fire(obj, trigger, **data)


def triggers_from(state: ListingState) -> list[str]:
    return MACHINE.triggers_from(state)


__all__ = ["ACTIVE_LISTING_STATES", "GuardFailed", "InvalidTrigger", "LISTING_TRIGGERS", "ListingState",
           "MACHINE", "fire", "triggers_from"]
