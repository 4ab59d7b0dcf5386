"""Every role against every hazard endpoint: the right status, and foreign objects answer 404."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.hazards import service
from app.hazards.models import HazardAttachment
from tests.conftest import api_token, login
from tests.hazards.helpers import PLAN, make_hazard

ROLES = ["staff", "manager", "principal", "inspector", "supervisor", "authority_admin", "city_inspector",
         "city_supervisor", "admin", "manager_b", "staff_b", "inspector_b", "supervisor_b"]
FOREIGN = {"manager_b", "staff_b", "inspector_b", "supervisor_b"}
VISIBLE = set(ROLES) - FOREIGN


def expect(allowed: set, forbidden_status: int = 403, ok: int = 200) -> dict:
    return {r: ok if r in allowed else 404 if r in FOREIGN else forbidden_status for r in ROLES}


UI_CASES = {
    # (method, url template, hazard state) -> role -> status
    ("GET", "/hazards/", None): {r: 200 for r in ROLES},
    ("GET", "/hazards/new", None): {r: 200 if r in {"staff", "manager", "principal", "inspector", "city_inspector",
                                                    "manager_b", "staff_b", "inspector_b"} else 403 for r in ROLES},
    ("GET", "/hazards/{h}", "reported"): expect(VISIBLE),
    ("GET", "/hazards/{h}/do/confirm", "reported"): expect({"manager"}),
    ("GET", "/hazards/{h}/do/void", "reported"): expect({"manager", "inspector", "city_inspector"}),
    ("GET", "/hazards/{h}/do/submit", "rectifying"): expect({"manager", "staff"}),
    ("GET", "/hazards/{h}/do/accept", "pending_review"): expect({"manager"}),
    ("GET", "/hazards/{h}/do/extend", "rectifying"): expect({"manager"}),
    ("GET", "/hazards/{h}/on-the-spot", "reported"): expect({"manager"}),
    ("GET", "/hazards/{h}/plan", "reported"): expect(VISIBLE),
    ("POST", "/hazards/{h}/plan", "reported"): expect({"manager", "principal"}, ok=302),
    ("POST", "/hazards/{h}/plan/approve", "planned"): expect({"principal"}, ok=302),
    ("GET", "/hazards/files/{a}", "reported"): expect(VISIBLE),
    ("GET", "/hazards/files/{a}/thumb", "reported"): expect(VISIBLE),
    ("GET", "/notifications/", None): {r: 200 for r in ROLES},
}


def _hazard(world, state):
    if state is None:
        return None
    if state == "planned":
        h = make_hazard(world)
        service.save_plan(h.id, world.users.manager, workers_congress_reported_on=today(), **PLAN)
        db.session.commit()
        return h
    return make_hazard(world, state=state)


@pytest.mark.parametrize(("method", "url", "state"), list(UI_CASES))
def test_ui_access(client, world, method, url, state):
    h = _hazard(world, state)
    a = db.session.scalar(select(HazardAttachment.id).where(HazardAttachment.hazard_id == h.id)) if h else None
    target = url.format(h=h.id if h else 0, a=a)
    data = PLAN if "plan" in url else {}
    got = {}
    for role in ROLES:
        login(client, getattr(world.users, role))
        resp = client.open(target, method=method, data=data)
        got[role] = resp.status_code
        db.session.rollback()
        if h is not None and method == "POST" and resp.status_code == 302:
            h = _hazard(world, state)  # a fresh one for the next role
            target = url.format(h=h.id, a=a)
    assert got == UI_CASES[(method, url, state)]


def test_guest_is_sent_to_login(client, world):
    h = make_hazard(world)
    for url in ("/hazards/", f"/hazards/{h.id}", "/hazards/new", "/notifications/"):
        resp = client.get(url)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"]


API_CASES = [
    # (method, url, hazard state, JSON body, role -> status)
    ("GET", "/api/v1/hazards/{h}", "reported", None, expect(VISIBLE)),
    ("GET", "/api/v1/hazards/{h}/events", "reported", None, expect(VISIBLE)),
    ("POST", "/api/v1/hazards/{h}/transitions", "pending_review", {"trigger": "accept"}, expect({"manager"})),
    ("POST", "/api/v1/hazards/{h}/transitions", "reported", {"trigger": "void", "reason": "重复"},
     expect({"manager", "inspector", "city_inspector"})),
    ("PUT", "/api/v1/hazards/{h}/plan", "reported", PLAN, expect({"manager", "principal"})),
    ("POST", "/api/v1/hazards/{h}/plan/approval", "planned", None, expect({"principal"})),
]


@pytest.mark.parametrize(("method", "url", "state", "body", "expected"), API_CASES,
                         ids=[f"{c[0]} {c[1]} {c[2]}" for c in API_CASES])
def test_api_access(client, world, method, url, state, body, expected):
    got = {}
    for role in ROLES:
        h = _hazard(world, state)
        headers = api_token(client, getattr(world.users, role))
        resp = client.open(url.format(h=h.id), method=method, json=body, headers=headers)
        got[role] = resp.status_code
    assert got == expected
