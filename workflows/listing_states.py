"""The lifecycle of a listing for supervision (挂牌督办), with ``transitions``.

proposed → listed (the supervisor lists; the supervision notice is issued)
proposed → dismissed (the supervisor dismisses, with a reason)
listed → delisted (the listing authority's inspector accepts the rectification; delisting notice)

One shared machine drives every listing (no machine per row); the state lives in the ``state``
column. ``fire`` raises ``MachineError`` for a trigger invalid in the current state, and returns
False when a guard refuses.
"""

from __future__ import annotations

import enum

from transitions import Machine


class ListingState(enum.StrEnum):
    proposed = "proposed"
    listed = "listed"
    dismissed = "dismissed"
    delisted = "delisted"


ACTIVE_LISTING_STATES = frozenset({ListingState.proposed, ListingState.listed})
LISTING_TRIGGERS = ("list", "dismiss", "delist")

S = ListingState
TRANSITIONS = [
    {"trigger": "list", "source": S.proposed, "dest": S.listed},
    {"trigger": "dismiss", "source": S.proposed, "dest": S.dismissed, "conditions": "_has_reason"},
    {"trigger": "delist", "source": S.listed, "dest": S.delisted},
]


class _Guards:
    """Guards are looked up on the model; listings mix this in (plain, framework-free)."""

    def _has_reason(self, event) -> bool:
        return bool((event.kwargs.get("reason") or "").strip())


MACHINE = Machine(model=None, states=ListingState, transitions=TRANSITIONS, initial=None,
                  auto_transitions=False, send_event=True, model_attribute="state")


def fire(obj, trigger: str, **data) -> bool:
    return MACHINE.events[trigger].trigger(obj, **data)


def triggers_from(state: ListingState) -> list[str]:
    return MACHINE.get_triggers(state.name)


ListingGuards = _Guards
