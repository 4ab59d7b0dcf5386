from __future__ import annotations

from sqlalchemy import select

from app.cli import run_demo
from app.extensions import db
from app.hazards import history
from app.hazards.models import Hazard, HazardAttachment


def test_demo_covers_every_state_level_source_and_overdue(db_session):
    ctx = run_demo()
    hazards = db.session.scalars(select(Hazard)).all()
    assert {h.state.value for h in hazards} == {"reported", "rectifying", "pending_review", "closed", "voided"}
    assert {h.level.value for h in hazards if h.level} == {"general", "major"}
    assert {h.source.value for h in hazards} >= {"self_inspection", "government_inspection"}
    assert any(h.overdue for h in hazards)
    from app.hazards.models import HazardEvent

    overdue_events = db.session.scalars(select(HazardEvent).where(HazardEvent.trigger == "overdue")).all()
    # the hazards demo runs the overdue scan for its own hazards (later demo steps may add more)
    assert overdue_events and {e.hazard_id for e in overdue_events} <= {h.id for h in hazards if h.overdue}
    assert any(h.plan is not None and h.plan.is_approved for h in hazards)
    photos = db.session.scalars(select(HazardAttachment)).all()
    assert photos and all(p.mime == "image/jpeg" and p.taken_at is not None for p in photos)
    assert history.verify() == {}
    assert {h.id for h in ctx["hazards"]} <= {h.id for h in hazards}  # other features' demos add theirs


def test_every_demo_page_renders(client, db_session):
    from app.auth.models import User
    from app.hazards import service
    from tests.conftest import login

    run_demo()
    users = {u.username: u for u in db.session.scalars(select(User))}
    hazards = db.session.scalars(select(Hazard)).all()
    for username in ("admin", "sr_inspector", "jiangfeng_manager", "jiangfeng_principal", "jiangfeng_staff"):
        user = users[username]
        login(client, user)
        assert client.get("/hazards/").status_code == 200
        assert client.get("/hazards/?overdue=1&grade=red").status_code == 200
        for h in hazards:
            expected = 200 if service.policy.is_visible(h, user) else 404
            assert client.get(f"/hazards/{h.id}").status_code == expected
            if expected == 200:
                for trigger in service.allowed_triggers(h, user):
                    assert client.get(f"/hazards/{h.id}/do/{trigger}").status_code == 200, (h.id, trigger)
                assert client.get(f"/hazards/{h.id}/plan").status_code == 200
