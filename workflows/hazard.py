"""The hazard lifecycle (docs/design.md "The hazard lifecycle"): one shared ``transitions`` machine.

Framework-free: no Flask or SQLAlchemy here. The machine drives any object with a ``state``
attribute holding a ``HazardState``; ``fire(obj, trigger, **ctx)`` checks the trigger is valid from
the object's state (``InvalidTrigger`` otherwise), evaluates the guards (``GuardFailed`` naming every
failing guard and the field it concerns), then lets the machine change the state.

Guards are plain functions ``guard(event) -> bool`` reading ``event.model`` (the hazard) and
``event.kwargs`` (the trigger's fields, plus ``today`` for date checks). The caller (the app's
service) passes the values the hazard *would* have after the trigger: e.g. ``level`` defaults to the
hazard's current level, ``after_evidence`` is the number of "after" attachments, ``plan_approved``
tells whether an approved treatment plan with the workers' congress report exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transitions import Machine, MachineError

from workflows.hazard_states import TRIGGERS, HazardLevel, HazardState

S = HazardState


# --- guards ------------------------------------------------------------------------------

def _kw(event, name):
    return event.kwargs.get(name)


def _today(event) -> date:
    return event.kwargs.get("today") or date.today()


def has_level(event) -> bool:
    return _kw(event, "level") in (HazardLevel.general, HazardLevel.major, "general", "major")


def has_responsible(event) -> bool:
    return bool(_kw(event, "responsible_user_id"))


def deadline_not_past(event) -> bool:
    """Today counts (立即整改 has today as its deadline); yesterday does not."""
    deadline = _kw(event, "deadline")
    return isinstance(deadline, date) and deadline >= _today(event)


def has_measures(event) -> bool:
    return bool((_kw(event, "measures") or "").strip())


def major_has_approved_plan(event) -> bool:
    """A major hazard moves only with a complete, approved treatment plan and 双报告 recorded."""
    level = _kw(event, "level") or getattr(event.model, "level", None)
    return level not in (HazardLevel.major, "major") or bool(_kw(event, "plan_approved"))


def has_reason(event) -> bool:
    return bool((_kw(event, "reason") or "").strip())


def has_rectification(event) -> bool:
    return bool((_kw(event, "rectification") or "").strip())


def has_after_evidence(event) -> bool:
    return (_kw(event, "after_evidence") or 0) > 0


def may_review_submission(reviewer_id, submitter_id) -> bool:
    """The four-eyes rule, stated once: whoever submitted a rectification does not review it (the
    machine's guard, the policy's accept/reject rules and 立即整改's "who rectified" all ask this)."""
    return submitter_id is None or reviewer_id != submitter_id


def reviewer_is_not_submitter(event) -> bool:
    return may_review_submission(_kw(event, "actor_id"), getattr(event.model, "submitted_by_id", None))


def optional_deadline_not_past(event) -> bool:
    return _kw(event, "deadline") is None or deadline_not_past(event)


def deadline_later_than_current(event) -> bool:
    deadline, current = _kw(event, "deadline"), getattr(event.model, "deadline", None)
    return (isinstance(deadline, date) and deadline >= _today(event)
            and (current is None or deadline > current))


def responsible_changes(event) -> bool:
    return has_responsible(event) and _kw(event, "responsible_user_id") != getattr(event.model, "responsible_user_id", None)


def has_extension_request(event) -> bool:
    """A decision needs a request waiting (``extension_requested`` on the hazard)."""
    return getattr(event.model, "extension_requested", None) is not None


def has_decision(event) -> bool:
    return _kw(event, "granted") in (True, False)


def granted_deadline_later(event) -> bool:
    """Granted: the new deadline (the one asked for unless the decider gives another) is later."""
    return _kw(event, "granted") is not True or deadline_later_than_current(event)


def refusal_has_reason(event) -> bool:
    return _kw(event, "granted") is not False or has_reason(event)


def level_changes(event) -> bool:
    return has_level(event) and str(_kw(event, "level")) != str(getattr(event.model, "level", None) or "")


GUARDS = {fn.__name__: fn for fn in (
    has_level, has_responsible, deadline_not_past, has_measures, major_has_approved_plan, has_reason,
    has_rectification, has_after_evidence, reviewer_is_not_submitter, optional_deadline_not_past,
    deadline_later_than_current, level_changes, responsible_changes, has_extension_request, has_decision,
    granted_deadline_later, refusal_has_reason,
)}

# The field each guard is about: the app names it in a 422 answer.
GUARD_FIELDS = {
    "has_level": "level",
    "has_responsible": "responsible_user_id",
    "deadline_not_past": "deadline",
    "has_measures": "measures",
    "major_has_approved_plan": "plan",
    "has_reason": "reason",
    "has_rectification": "rectification",
    "has_after_evidence": "attachments",
    "reviewer_is_not_submitter": "actor",
    "optional_deadline_not_past": "deadline",
    "deadline_later_than_current": "deadline",
    "level_changes": "level",
    "responsible_changes": "responsible_user_id",
    "has_extension_request": "granted",
    "has_decision": "granted",
    "granted_deadline_later": "deadline",
    "refusal_has_reason": "reason",
}


# --- the machine -----------------------------------------------------------------------------

TRANSITIONS = [
    {"trigger": "confirm", "source": S.reported, "dest": S.rectifying,
     "conditions": ["has_level", "has_responsible", "deadline_not_past", "has_measures",
                    "major_has_approved_plan"]},
    {"trigger": "void", "source": S.reported, "dest": S.voided, "conditions": ["has_reason"]},
    {"trigger": "submit", "source": S.rectifying, "dest": S.pending_review,
     "conditions": ["has_rectification", "has_after_evidence", "major_has_approved_plan"]},
    {"trigger": "accept", "source": S.pending_review, "dest": S.closed,
     "conditions": ["reviewer_is_not_submitter"]},
    {"trigger": "reject", "source": S.pending_review, "dest": S.rectifying,
     "conditions": ["has_reason", "optional_deadline_not_past"]},
    {"trigger": "extend", "source": S.rectifying, "dest": "=",
     "conditions": ["has_reason", "deadline_later_than_current"]},
    {"trigger": "regrade", "source": [S.reported, S.rectifying], "dest": "=",
     "conditions": ["has_reason", "level_changes"]},
    # The responsible person changes hands (a reason recorded; the new one is told).
    {"trigger": "reassign", "source": S.rectifying, "dest": "=",
     "conditions": ["has_reason", "responsible_changes"]},
    # The responsible person asks for a later deadline; whoever may extend grants or refuses it.
    {"trigger": "request_extension", "source": S.rectifying, "dest": "=",
     "conditions": ["has_reason", "deadline_later_than_current"]},
    {"trigger": "decide_extension", "source": S.rectifying, "dest": "=",
     "conditions": ["has_extension_request", "has_decision", "granted_deadline_later", "refusal_has_reason"]},
]


def _resolved(transitions: list[dict]) -> list[dict]:
    """The same table with guard names replaced by the functions (the machine calls them)."""
    out = []
    for t in transitions:
        t = dict(t)
        t["conditions"] = [GUARDS[name] for name in t["conditions"]]
        out.append(t)
    return out


MACHINE = Machine(
    model=None, states=HazardState, transitions=_resolved(TRANSITIONS), initial=None,
    auto_transitions=False, send_event=True, model_attribute="state",
)

assert tuple(MACHINE.events) == TRIGGERS, "the machine's triggers are docs/design.md's"


# --- public API ------------------------------------------------------------------------------

class InvalidTrigger(Exception):
    """The trigger does not exist or is not valid from the object's current state."""

    def __init__(self, trigger: str, state):
        super().__init__(f"{trigger!r} is not allowed in state {state}")
        self.trigger, self.state = trigger, state


@dataclass
class GuardFailed(Exception):
    """One or more guards refused; ``failures`` maps guard name → field it concerns."""

    failures: dict[str, str]

    def __str__(self) -> str:
        return ", ".join(f"{g} ({f})" for g, f in self.failures.items())


def _state(value) -> HazardState:
    return HazardState(value)


def triggers_from(state) -> list[str]:
    """The triggers valid from ``state`` before guards, in docs/design.md's order."""
    state = _state(state)
    return [t for t in TRIGGERS if MACHINE.events[t].transitions.get(state.name)]


def destination(state, trigger: str) -> HazardState:
    """Where ``trigger`` leads from ``state``; InvalidTrigger if it is not valid there."""
    state = _state(state)
    if trigger not in MACHINE.events or not MACHINE.events[trigger].transitions.get(state.name):
        raise InvalidTrigger(trigger, state)
    dest = MACHINE.events[trigger].transitions[state.name][0].dest
    return state if dest is None else HazardState(dest)


class _Probe:
    """The minimal EventData the guards read, to evaluate them without firing."""

    def __init__(self, model, kwargs):
        self.model, self.kwargs = model, kwargs


def failing_guards(obj, trigger: str, **ctx) -> dict[str, str]:
    """Guards of ``trigger`` (from obj's state) that refuse: {guard name: field}."""
    state = _state(obj.state)
    destination(state, trigger)
    transition = next(t for t in TRANSITIONS if t["trigger"] == trigger and (
        state in t["source"] if isinstance(t["source"], list) else state == t["source"]))
    probe = _Probe(obj, ctx)
    return {name: GUARD_FIELDS[name] for name in transition["conditions"] if not GUARDS[name](probe)}


def fire(obj, trigger: str, **ctx) -> HazardState:
    """Run ``trigger`` on ``obj``: InvalidTrigger (state), GuardFailed (guards), else the new state."""
    state = _state(obj.state)
    failures = failing_guards(obj, trigger, **ctx)  # raises InvalidTrigger first
    if failures:
        raise GuardFailed(failures)
    try:
        done = MACHINE.events[trigger].trigger(obj, **ctx)
    except MachineError as exc:  # cannot happen after destination(); kept for safety
        raise InvalidTrigger(trigger, state) from exc
    if not done:  # a guard changed its mind between the probe and the machine
        raise GuardFailed(failing_guards(obj, trigger, **ctx) or {"unknown": "state"})
    return _state(obj.state)


def mermaid() -> str:
    """The diagram, generated from TRANSITIONS (the same definition the machine uses)."""
    lines = ["stateDiagram-v2", f"    [*] --> {S.reported.value}"]
    for t in TRANSITIONS:
        sources = t["source"] if isinstance(t["source"], list) else [t["source"]]
        for src in sources:
            dest = src if t["dest"] == "=" else t["dest"]
            guards = ", ".join(t["conditions"])
            lines.append(f"    {src.value} --> {HazardState(dest).value}: {t['trigger']} [{guards}]")
    for final in (S.closed, S.voided):
        lines.append(f"    {final.value} --> [*]")
    return "\n".join(lines) + "\n"
