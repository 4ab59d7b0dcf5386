"""The lifecycle machine on its own (no app, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import pytest

from workflows import hazard as m
from workflows.hazard_states import TRIGGERS, HazardState

S = HazardState
TODAY = date(2026, 5, 1)

# docs/design.md's table: (state, trigger) -> destination; every other pair is invalid.
EXPECTED = {
    (S.reported, "confirm"): S.rectifying,
    (S.reported, "void"): S.voided,
    (S.reported, "regrade"): S.reported,
    (S.rectifying, "submit"): S.pending_review,
    (S.rectifying, "extend"): S.rectifying,
    (S.rectifying, "regrade"): S.rectifying,
    (S.pending_review, "accept"): S.closed,
    (S.pending_review, "reject"): S.rectifying,
    (S.rectifying, "reassign"): S.rectifying,
    (S.rectifying, "request_extension"): S.rectifying,
    (S.rectifying, "decide_extension"): S.rectifying,
}

GOOD = {
    "confirm": {"level": "general", "deadline": TODAY + timedelta(days=7), "responsible_user_id": 5,
                "measures": "更换"},
    "void": {"reason": "重复"},
    "submit": {"rectification": "已换", "after_evidence": 1},
    "accept": {"actor_id": 9},
    "reject": {"reason": "不合格"},
    "extend": {"reason": "备件未到", "deadline": TODAY + timedelta(days=60)},
    "regrade": {"reason": "复核", "level": "major"},
    "reassign": {"reason": "调岗", "responsible_user_id": 6},
    "request_extension": {"reason": "备件未到", "deadline": TODAY + timedelta(days=60)},
    "decide_extension": {"granted": True, "deadline": TODAY + timedelta(days=60)},
}


def hazard(state, **kw):
    base = {"state": state, "level": "general", "deadline": TODAY + timedelta(days=30), "submitted_by_id": 3,
            "responsible_user_id": 5, "extension_requested": TODAY + timedelta(days=60)}
    base.update(kw)
    return SimpleNamespace(**base)


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("trigger", TRIGGERS)
def test_transition_table(state, trigger):
    obj = hazard(state)
    expected = EXPECTED.get((state, trigger))
    if expected is None:
        with pytest.raises(m.InvalidTrigger):
            m.fire(obj, trigger, today=TODAY, **GOOD[trigger])
        assert obj.state == state  # nothing changed
    else:
        assert m.fire(obj, trigger, today=TODAY, **GOOD[trigger]) == expected
        assert obj.state == expected


def test_no_automatic_transitions():
    assert set(m.MACHINE.events) == set(TRIGGERS)
    assert not any(name.startswith("to_") for name in m.MACHINE.events)


def test_every_guard_name_exists_and_names_a_field():
    for t in m.TRANSITIONS:
        for name in t["conditions"]:
            assert name in m.GUARDS, name
            assert name in m.GUARD_FIELDS, name


def test_triggers_from():
    assert m.triggers_from("reported") == ["confirm", "void", "regrade"]
    assert m.triggers_from(S.rectifying) == ["submit", "extend", "regrade", "reassign", "request_extension",
                                             "decide_extension"]
    assert m.triggers_from(S.pending_review) == ["accept", "reject"]
    assert m.triggers_from(S.closed) == [] and m.triggers_from(S.voided) == []


def test_confirm_guards_name_every_missing_field():
    obj = hazard(S.reported, level=None)
    with pytest.raises(m.GuardFailed) as exc:
        m.fire(obj, "confirm", today=TODAY)
    assert set(exc.value.failures.values()) == {"level", "responsible_user_id", "deadline", "measures"}
    assert obj.state == S.reported


def test_deadline_in_the_past_refused_today_accepted():
    ctx = dict(GOOD["confirm"])
    with pytest.raises(m.GuardFailed) as exc:
        m.fire(hazard(S.reported), "confirm", today=TODAY, **{**ctx, "deadline": TODAY - timedelta(days=1)})
    assert exc.value.failures == {"deadline_not_past": "deadline"}
    assert m.fire(hazard(S.reported), "confirm", today=TODAY, **{**ctx, "deadline": TODAY}) == S.rectifying


def test_major_needs_an_approved_plan_to_confirm_and_to_submit():
    ctx = {**GOOD["confirm"], "level": "major"}
    with pytest.raises(m.GuardFailed) as exc:
        m.fire(hazard(S.reported), "confirm", today=TODAY, **ctx)
    assert exc.value.failures == {"major_has_approved_plan": "plan"}
    assert m.fire(hazard(S.reported), "confirm", today=TODAY, plan_approved=True, **ctx) == S.rectifying
    # upgraded to major while rectifying: progress stops until the plan exists
    with pytest.raises(m.GuardFailed):
        m.fire(hazard(S.rectifying, level="major"), "submit", today=TODAY, **GOOD["submit"])


def test_submit_needs_after_evidence():
    with pytest.raises(m.GuardFailed) as exc:
        m.fire(hazard(S.rectifying), "submit", today=TODAY, rectification="done", after_evidence=0)
    assert exc.value.failures == {"has_after_evidence": "attachments"}


def test_reviewer_is_never_the_submitter():
    with pytest.raises(m.GuardFailed):
        m.fire(hazard(S.pending_review, submitted_by_id=9), "accept", actor_id=9)


def test_extend_needs_a_later_deadline():
    obj = hazard(S.rectifying, deadline=TODAY + timedelta(days=30))
    with pytest.raises(m.GuardFailed):
        m.fire(obj, "extend", today=TODAY, reason="x", deadline=TODAY + timedelta(days=30))
    assert m.fire(obj, "extend", today=TODAY, reason="x", deadline=TODAY + timedelta(days=31)) == S.rectifying


def test_regrade_must_change_the_level():
    with pytest.raises(m.GuardFailed) as exc:
        m.fire(hazard(S.rectifying, level="general"), "regrade", today=TODAY, reason="x", level="general")
    assert exc.value.failures == {"level_changes": "level"}


def test_mermaid_is_generated_from_the_table_and_docs_are_current():
    from pathlib import Path

    diagram = m.mermaid()
    for t in m.TRANSITIONS:
        assert f": {t['trigger']} [" in diagram
    assert "pending_review --> closed: accept [reviewer_is_not_submitter]" in diagram
    docs = (Path(__file__).resolve().parents[2] / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert diagram in docs, "docs/workflow.md is stale: run `shuangkong workflow diagram`"


def test_the_four_eyes_rule_is_stated_once():
    from types import SimpleNamespace

    from app.hazards import policy as hazard_policy
    from workflows.hazard import failing_guards, may_review_submission

    assert may_review_submission(7, None) and may_review_submission(7, 8) and not may_review_submission(7, 7)
    hazard = SimpleNamespace(state="pending_review", submitted_by_id=7)
    assert failing_guards(hazard, "accept", actor_id=7) == {"reviewer_is_not_submitter": "actor"}
    assert failing_guards(hazard, "accept", actor_id=8) == {}
    assert hazard_policy.is_submitter(SimpleNamespace(id=7), hazard)
    assert not hazard_policy.is_submitter(SimpleNamespace(id=8), hazard)
