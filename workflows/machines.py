"""A guarded ``transitions`` machine in the idiom of ``workflows/hazard.py``, for the newer lifecycles.

Framework-free. A table of transitions names its guards; the guards are plain functions ``guard(event)``
reading ``event.model`` and ``event.kwargs``; ``fire`` raises the hazard machine's own exception types
(``InvalidTrigger`` for a trigger not valid in the state, ``GuardFailed`` naming every failing guard and
its field), so the app's services answer them the same way (409 / 422) whatever the object.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence

from transitions import Machine, MachineError

from workflows.hazard import GuardFailed, InvalidTrigger

__all__ = ["GuardedMachine", "GuardFailed", "InvalidTrigger"]


class _Probe:
    def __init__(self, model, kwargs):
        self.model, self.kwargs = model, kwargs


class GuardedMachine:
    def __init__(self, states: type[enum.Enum], transitions: Sequence[dict], guards: Mapping[str, Callable],
                 guard_fields: Mapping[str, str], model_attribute: str = "state"):
        self.states, self.transitions = states, [dict(t) for t in transitions]
        self.guards, self.guard_fields, self.attribute = dict(guards), dict(guard_fields), model_attribute
        missing = {g for t in self.transitions for g in t["conditions"]} - set(self.guards)
        if missing or set(self.guards) - set(self.guard_fields):
            raise ValueError(f"guards without a function or a field: {sorted(missing)}")
        self.triggers = tuple(dict.fromkeys(t["trigger"] for t in self.transitions))
        resolved = [{**t, "conditions": [self.guards[n] for n in t["conditions"]]} for t in self.transitions]
        self.machine = Machine(model=None, states=states, transitions=resolved, initial=None,
                               auto_transitions=False, send_event=True, model_attribute=model_attribute)

    def _state(self, value):
        return self.states(value)

    def triggers_from(self, state) -> list[str]:
        state = self._state(state)
        return [t for t in self.triggers if self.machine.events[t].transitions.get(state.name)]

    def destination(self, state, trigger: str):
        state = self._state(state)
        if trigger not in self.machine.events or not self.machine.events[trigger].transitions.get(state.name):
            raise InvalidTrigger(trigger, state)
        dest = self.machine.events[trigger].transitions[state.name][0].dest
        return state if dest is None else self.states(dest)

    def failing_guards(self, obj, trigger: str, **ctx) -> dict[str, str]:
        state = self._state(getattr(obj, self.attribute))
        self.destination(state, trigger)
        t = next(t for t in self.transitions if t["trigger"] == trigger and (
            state in t["source"] if isinstance(t["source"], list) else state == t["source"]))
        probe = _Probe(obj, ctx)
        return {n: self.guard_fields[n] for n in t["conditions"] if not self.guards[n](probe)}

    def fire(self, obj, trigger: str, **ctx):
        state = self._state(getattr(obj, self.attribute))
        failures = self.failing_guards(obj, trigger, **ctx)
        if failures:
            raise GuardFailed(failures)
        try:
            done = self.machine.events[trigger].trigger(obj, **ctx)
        except MachineError as exc:  # cannot happen after destination(); kept for safety
            raise InvalidTrigger(trigger, state) from exc
        if not done:
            raise GuardFailed(self.failing_guards(obj, trigger, **ctx) or {"unknown": "state"})
        return self._state(getattr(obj, self.attribute))

    def mermaid(self, initial, finals: Sequence) -> str:
        lines = ["stateDiagram-v2", f"    [*] --> {self._state(initial).value}"]
        for t in self.transitions:
            for src in t["source"] if isinstance(t["source"], list) else [t["source"]]:
                dest = src if t["dest"] == "=" else t["dest"]
                lines.append(f"    {src.value} --> {self.states(dest).value}: {t['trigger']} "
                             f"[{', '.join(t['conditions'])}]")
        lines += [f"    {self._state(f).value} --> [*]" for f in finals]
        return "\n".join(lines) + "\n"
