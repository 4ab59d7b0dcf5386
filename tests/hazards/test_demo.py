from __future__ import annotations

from datetime import date

from sqlalchemy import select

from app.clock import to_local, utcnow
from app.extensions import db
from app.hazards import history
from app.hazards.models import Hazard, HazardAttachment, HazardEvent
from workflows import hazard as machine
from workflows.hazard_states import OPEN_STATES, TRIGGERS, HazardLevel, HazardNature, HazardState


class Replayed:
    """What the workflow machine reads of a hazard, rebuilt from its history alone."""

    def __init__(self):
        self.state, self.level, self.deadline, self.submitted_by_id = None, None, None, None


def replay(hazard: Hazard, events: list) -> Replayed:
    """Run the hazard's recorded triggers through workflows/hazard.py, each with the guards' context
    as it was on the event's (local) day; assert every step is one the machine allows, from the state
    the event says, to the state it says, and that deadlines never lie before the day they were set."""
    obj = Replayed()
    plan_approved, after_photos, reported_on, last_at = False, 0, None, None
    for event in events:
        assert last_at is None or event.created_at >= last_at, (hazard.code, event.seq)
        last_at = event.created_at
        day = to_local(event.created_at).date()
        data = event.data or {}
        if event.trigger == "report":
            assert event.seq == 1 and event.to_state == "reported"
            obj.state, obj.level, reported_on = HazardState.reported, data.get("level"), day
            continue
        assert event.from_state == obj.state, (hazard.code, event.seq, event.trigger, event.from_state, obj.state)
        if event.trigger == "attach":
            after_photos += data.get("kind") == "after"
        elif event.trigger == "plan_saved":
            plan_approved = plan_approved and not data.get("approval_withdrawn")
        elif event.trigger == "plan_approved":
            plan_approved = True
        elif event.trigger == "overdue":
            # The scan found it on a day after the deadline then in force, while it was open.
            assert obj.deadline is not None and data["deadline"] == obj.deadline.isoformat(), (hazard.code, data)
            assert day > obj.deadline and obj.state in OPEN_STATES, (hazard.code, day, obj.deadline)
        elif event.trigger == "reminder":
            # A tier of the reminders (app/handoffs/reminders.py): for the deadline in force, on or after
            # the day it was due (offset days from the deadline), while the hazard was being rectified.
            assert obj.deadline is not None and data["deadline"] == obj.deadline.isoformat(), (hazard.code, data)
            assert (day - obj.deadline).days >= data["offset_days"] and obj.state == HazardState.rectifying
        else:
            assert event.trigger in TRIGGERS, event.trigger
            deadline = date.fromisoformat(data["deadline"]) if data.get("deadline") else None
            ctx = {"today": day, "actor_id": event.actor_id, "plan_approved": plan_approved,
                   "after_evidence": after_photos, "reason": event.comment, "comment": event.comment,
                   "level": data.get("level", obj.level), "deadline": deadline,
                   "responsible_user_id": data.get("responsible_user_id"), "measures": data.get("measures"),
                   "rectification": data.get("rectification")}
            machine.fire(obj, event.trigger, **ctx)  # InvalidTrigger / GuardFailed fail the test
            if deadline is not None:
                assert reported_on <= day <= deadline, (hazard.code, event.trigger, reported_on, day, deadline)
                obj.deadline = deadline
            if event.trigger in ("confirm", "regrade"):
                obj.level = ctx["level"]
            if event.trigger == "submit":
                obj.submitted_by_id = data.get("submitted_by_id")
        assert obj.state == event.to_state, (hazard.code, event.seq, event.trigger)
    return obj


def test_demo_history_replays_to_every_hazards_state(demo_ctx, demo_runner):
    """Each demo hazard's history, replayed through the workflow machine, ends in the hazard's state,
    level and deadline; deadlines come after report dates; nothing happens in the future; the overdue
    ones were found overdue by the scan; ``audit verify`` passes."""
    ctx = demo_ctx
    hazards = db.session.scalars(select(Hazard).order_by(Hazard.id)).all()
    assert {h.state.value for h in hazards} == {"reported", "rectifying", "pending_review", "closed", "voided"}
    assert {h.level.value for h in hazards if h.level} == {"general", "major"}
    assert {h.source.value for h in hazards} >= {"self_inspection", "government_inspection"}
    assert {h.id for h in ctx["hazards"]} <= {h.id for h in hazards}
    events = db.session.scalars(select(HazardEvent).order_by(HazardEvent.hazard_id, HazardEvent.seq)).all()
    by_hazard: dict[int, list] = {}
    for event in events:
        by_hazard.setdefault(event.hazard_id, []).append(event)
    now, overdue_found = utcnow(), set()
    for hazard in hazards:
        history_ = by_hazard[hazard.id]
        replayed = replay(hazard, history_)
        assert replayed.state == hazard.state, hazard.code
        assert replayed.deadline == hazard.deadline and replayed.level == hazard.level, hazard.code
        assert history_[-1].created_at <= now and hazard.created_at <= now
        assert to_local(hazard.created_at).date() == to_local(history_[0].created_at).date()
        if hazard.confirmed_at is not None:
            assert hazard.deadline >= to_local(hazard.confirmed_at).date() >= to_local(hazard.created_at).date()
        if hazard.overdue:
            assert any(e.trigger == "overdue" and e.data["deadline"] == hazard.deadline.isoformat()
                       for e in history_), hazard.code
            overdue_found.add(hazard.id)
        codes = [h.code for h in hazards if h.enterprise_id == hazard.enterprise_id]
        assert len(codes) == len(set(codes))
    assert overdue_found, "the demo shows overdue hazards"
    # Codes are given in the order hazards were reported, as they would have been.
    for enterprise in ctx["enterprises"].values():
        own = sorted((h for h in hazards if h.enterprise_id == enterprise.id), key=lambda h: h.code)
        assert [h.created_at for h in own] == sorted(h.created_at for h in own), enterprise.name
    assert any(h.plan is not None and h.plan.is_approved for h in hazards)
    photos = db.session.scalars(select(HazardAttachment)).all()
    assert photos and all(p.mime == "image/jpeg" and p.taken_at is not None for p in photos)
    assert history.verify() == {}
    result = demo_runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_demo_is_coherent_per_industry(demo_ctx):
    """Each enterprise's risk points and hazards belong to its industry: the points are those of its
    profile (named as a professional names them, not "受限空间作业11"), each hazard is found at a
    point of its own enterprise and its accident type is one that point can lead to; a treatment
    plan belongs to a major hazard only."""
    from app.hazards.demo import FINDINGS
    from app.risks.demo import PROFILES
    from app.risks.models import RiskPoint

    ctx = demo_ctx
    for key, enterprise in ctx["enterprises"].items():
        profile = PROFILES[key]
        assert enterprise.industry.code == profile["industry"], key
        points = {p.name: p for p in db.session.scalars(select(RiskPoint).where(
            RiskPoint.enterprise_id == enterprise.id))}
        assert set(points) == {p[0] for p in profile["points"]}, key
        assert not any(name[-1].isdigit() for name in points), key
        for finding in FINDINGS.get(key, ()):
            assert finding.point in points, (key, finding.title)
        for hazard in db.session.scalars(select(Hazard).where(Hazard.enterprise_id == enterprise.id)):
            if hazard.risk_point_id is None:
                continue  # found by an inspection, outside the register
            point = db.session.get(RiskPoint, hazard.risk_point_id)
            assert point.enterprise_id == enterprise.id
            assert hazard.accident_type in point.accident_types, (key, hazard.title, point.name)
            if hazard.plan is not None:
                assert hazard.level == HazardLevel.major or hazard.state == HazardState.reported
    assert {f.nature for fs in FINDINGS.values() for f in fs} == set(HazardNature)


def test_every_demo_page_renders(demo_client, demo_session):
    from app.auth.models import User
    from app.hazards import service
    from tests.conftest import login

    client = demo_client
    users = {u.username: u for u in db.session.scalars(select(User))}
    hazards = db.session.scalars(select(Hazard)).all()
    for username in ("admin", "sr_inspector", "jiangfeng_manager", "jiangfeng_principal", "jiangfeng_staff"):
        user = users[username]
        login(client, user)
        assert client.get("/hazards/").status_code == 200
        assert client.get("/hazards/?overdue=1&grade=red").status_code == 200
        for h in hazards:
            expected = 200 if service.access.is_visible(h, user) else 404
            assert client.get(f"/hazards/{h.id}").status_code == expected
            if expected == 200:
                for trigger in service.allowed_triggers(h, user):
                    assert client.get(f"/hazards/{h.id}/do/{trigger}").status_code == 200, (h.id, trigger)
                assert client.get(f"/hazards/{h.id}/plan").status_code == 200
