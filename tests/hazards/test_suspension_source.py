"""The production suspension is the on-site measures decisions' (issue 17 item 2): no free field in the
plan or the confirmation, shown and printed from the decisions, older free values kept in history."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from app.clock import today
from app.extensions import db
from app.hazards import history
from app.hazards.models import Hazard, HazardEvent, ProductionSuspension
from tests.conftest import login
from tests.hazards.helpers import PLAN, make_hazard
from tests.supervision.conftest import as_user


def text(resp) -> str:
    return resp.get_data(as_text=True)


def _migration():
    path = next(Path("migrations/versions").glob("*_production_suspension_from_decisions.py"))
    spec = importlib.util.spec_from_file_location("suspension_migration", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_plan_api_refuses_the_free_field_and_the_page_has_none(client, world, db_session):
    h = make_hazard(world)
    db_session.commit()
    headers = as_user(client, world.users.manager)
    resp = client.put(f"/api/v1/hazards/{h.id}/plan", headers=headers,
                      json={**PLAN, "production_suspension": "full"})
    assert resp.status_code == 422 and "production_suspension" in resp.get_json()["error"]["fields"]
    assert client.put(f"/api/v1/hazards/{h.id}/plan", headers=headers, json=PLAN).status_code == 200
    got = client.get(f"/api/v1/hazards/{h.id}", headers=headers).get_json()
    assert got["production_suspension"] == "none"
    confirm = client.post(f"/api/v1/hazards/{h.id}/transitions", headers=headers, json={
        "trigger": "confirm", "level": "general", "deadline": (today() + timedelta(days=9)).isoformat(),
        "responsible_user_id": world.users.staff.id, "measures": "更换垫片", "production_suspension": "full"})
    assert confirm.status_code == 422 and "production_suspension" in confirm.get_json()["error"]["fields"]
    assert client.get(f"/api/v1/hazards/{h.id}", headers=headers).get_json()["state"] == "reported"
    login(client, world.users.manager)
    page = client.get(f"/hazards/{h.id}/plan")
    assert 'name="production_suspension"' not in page.get_data(as_text=True) and "未停产" in text(page)


def test_the_decision_sets_what_the_plan_page_and_the_api_show(client, world, db_session):
    h = make_hazard(world, "rectifying")
    db_session.commit()
    resp = client.post("/api/v1/onsite-measures", headers=as_user(client, world.users.inspector), json={
        "hazard_id": h.id, "second_officer_id": world.users.inspector2.id, "facts": "储罐区可燃气体报警器失效",
        "suspension": "full", "until": (today() + timedelta(days=20)).isoformat()})
    assert resp.status_code == 201, resp.get_json()
    headers = as_user(client, world.users.manager)
    assert client.get(f"/api/v1/hazards/{h.id}", headers=headers).get_json()["production_suspension"] == "full"
    # saving the plan afterwards leaves the decision's status
    assert client.put(f"/api/v1/hazards/{h.id}/plan", headers=headers, json=PLAN).status_code == 200
    login(client, world.users.manager)
    assert "全部停产" in text(client.get(f"/hazards/{h.id}/plan"))
    assert history.verify() == {}


def test_an_older_free_value_stays_in_history_and_the_migration_recomputes_the_row(world, db_session):
    h = make_hazard(world)
    # as the free field used to record it: the plan_saved event carries it, the row holds it
    history.append(h, "plan_saved", from_state=h.state, to_state=h.state, actor=world.users.manager,
                   data={"goal": "x", "production_suspension": "partial"})
    h.production_suspension = ProductionSuspension.partial
    db_session.commit()
    assert "production_suspension" in history.verify()[h.id]
    _migration().recompute(db.session.connection())
    db_session.commit()
    db.session.expire_all()
    assert db.session.get(Hazard, h.id).production_suspension == ProductionSuspension.none
    assert history.verify() == {}
    old = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == h.id,
                                                       HazardEvent.trigger == "plan_saved")).one()
    assert old.data["production_suspension"] == "partial"  # history is not rewritten
