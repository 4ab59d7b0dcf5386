"""The to-do lists compared with the data: for every user, the API's items are exactly the objects the
policy lets him act on now (computed here hazard by hazard, the slow way); the page and the counts agree;
an item disappears when it is done."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import access
from app.clock import today
from app.extensions import db
from app.hazards import service
from app.hazards.models import Hazard
from app.supervision.models import Listing, ListingState
from tests.conftest import api_token, login
from tests.hazards.helpers import make_hazard

HAZARD_KINDS = {
    # kind: (state, the rule that must allow the user, extra condition)
    "hazard_confirm": ("reported", "hazard.confirm", lambda h, u: True),
    "hazard_rectify": ("rectifying", None, lambda h, u: h.responsible_user_id == u.id),
    "hazard_review": ("pending_review", "hazard.accept", lambda h, u: True),
    "extension_decide": ("rectifying", "hazard.decide_extension", lambda h, u: h.extension_requested is not None),
}


def expected(user) -> set[tuple[str, int]]:
    out = set()
    for hazard in db.session.scalars(select(Hazard)):
        for kind, (state, rule, extra) in HAZARD_KINDS.items():
            if hazard.state == state and extra(hazard, user) and (rule is None or access.can(user, rule, hazard)):
                out.add((kind, hazard.id))
        plan = hazard.plan
        if (plan is not None and plan.is_complete and plan.approved_at is None and hazard.is_open
                and access.can(user, "hazard.plan_approve", hazard)):
            out.add(("plan_approve", hazard.id))
    for listing in db.session.scalars(select(Listing)):
        if listing.state == ListingState.proposed and access.can(user, "listing.decide", listing):
            out.add(("listing_decide", listing.id))
        if listing.state == ListingState.listed and access.can(user, "listing.report_progress", listing) \
                and not listing.progress_reports:
            out.add(("progress_report", listing.id))
    return out


def api_items(client, user) -> list[dict]:
    resp = client.get("/api/v1/todos?per_page=200", headers=api_token(client, user))
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert set(body) == {"items", "page", "per_page", "total", "has_next"}
    assert body["total"] == len(body["items"]) and body["has_next"] is False
    return body["items"]


def test_every_users_list_is_what_the_data_says(client, world, db_session):
    u = world.users
    make_hazard(world, "reported")
    make_hazard(world, "reported", source="government_inspection")
    make_hazard(world, "rectifying")
    make_hazard(world, "pending_review")
    make_hazard(world, "pending_review", source="government_inspection")
    make_hazard(world, "pending_review", level="major")  # listed? proposed to the city at least
    make_hazard(world, "closed")
    make_hazard(world, "reported", enterprise=world.enterprises.b)
    make_hazard(world, "pending_review", enterprise=world.enterprises.b)
    asking = make_hazard(world, "rectifying", responsible=u.manager)
    service.request_extension(asking.id, u.manager, deadline=asking.deadline + timedelta(days=5), reason="备件")
    planned = service.create_hazard(u.staff, enterprise=world.enterprises.a, title="重大隐患待审批")
    service.save_plan(planned.id, u.manager, goal="g", measures="m", funds="f", organisation="o",
                      time_requirements="t", safety_and_emergency="s", workers_congress_reported_on=today())
    listed = make_hazard(world, "rectifying", level="major")
    listing = db.session.scalar(select(Listing).where(Listing.hazard_id == listed.id))
    from app.supervision import service as supervision

    supervision.decide(listing.id, u.city_supervisor, "list")
    db.session.commit()

    seen_kinds = set()
    for name, user in vars(u).items():
        items = api_items(client, user)
        got = {(i["kind"], i["object_id"]) for i in items}
        assert got == expected(user), name
        seen_kinds |= {k for k, _ in got}
        dues = [i["due"] for i in items if i["due"]]
        assert dues == sorted(dues), "earliest first"
        for item in items:
            assert item["object_type"] in ("hazard", "listing") and item["title"]
    assert seen_kinds >= {"hazard_confirm", "hazard_rectify", "hazard_review", "extension_decide", "plan_approve",
                          "listing_decide", "progress_report"}

    # The page shows the same items with their links, the navigation the count.
    login(client, u.manager)
    page = client.get("/todos").get_data(as_text=True)
    for _kind, hazard_id in expected(u.manager):
        assert f'href="/hazards/{hazard_id}' in page or f'href="/supervision/listings/{hazard_id}"' in page
    count = len(expected(u.manager))
    assert f'title="待办">待办<span class="badge">{count}</span>' in page
    home = client.get("/").get_data(as_text=True)
    assert "待验收的整改" in home and "待确认的隐患" in home

    # Done → gone.
    approve_plan_of = planned.id
    service.approve_plan(approve_plan_of, u.principal)
    db.session.commit()
    assert ("plan_approve", approve_plan_of) not in {(i["kind"], i["object_id"]) for i in api_items(client, u.principal)}


def test_a_user_with_nothing_to_do(client, world, db_session):
    assert api_items(client, world.users.staff_b) == []
    login(client, world.users.staff_b)
    assert "没有等待您办理的事项" in client.get("/todos").get_data(as_text=True)


def test_the_api_pages_and_filters_by_kind(client, world, db_session):
    for _ in range(3):
        make_hazard(world, "reported")
    headers = api_token(client, world.users.manager)
    body = client.get("/api/v1/todos?per_page=2", headers=headers).get_json()
    assert (len(body["items"]), body["total"], body["has_next"]) == (2, 3, True)
    body = client.get("/api/v1/todos?per_page=2&page=2", headers=headers).get_json()
    assert (len(body["items"]), body["has_next"]) == (1, False)
    body = client.get("/api/v1/todos?kind=hazard_review", headers=headers).get_json()
    assert body["items"] == []
    assert client.get("/api/v1/todos?per_page=0", headers=headers).status_code == 422


def test_new_triggers_over_the_api_refuse_bad_input(client, world, db_session):
    u = world.users
    hazard = make_hazard(world, "rectifying")
    url = f"/api/v1/hazards/{hazard.id}/transitions"
    staff, manager = api_token(client, u.staff), api_token(client, u.manager)
    early = (hazard.deadline - timedelta(days=1)).isoformat()
    resp = client.post(url, headers=staff, json={"trigger": "request_extension", "deadline": early, "reason": "x"})
    assert resp.status_code == 422 and "deadline" in resp.get_json()["error"]["fields"]
    resp = client.post(url, headers=manager, json={"trigger": "reassign", "responsible_user_id": u.staff_b.id,
                                                   "reason": "调岗"})
    assert resp.status_code == 422 and "responsible_user_id" in resp.get_json()["error"]["fields"]
    resp = client.post(url, headers=manager, json={"trigger": "reassign", "responsible_user_id": 999999,
                                                   "reason": "调岗"})
    assert resp.status_code == 422
    db.session.expire_all()
    assert db.session.get(Hazard, hazard.id).responsible_user_id == u.staff.id
    later = (hazard.deadline + timedelta(days=4)).isoformat()
    resp = client.post(url, headers=staff, json={"trigger": "request_extension", "deadline": later, "reason": "备件"})
    assert resp.status_code == 200 and resp.get_json()["extension_requested"] == later
    resp = client.post(url, headers=manager, json={"trigger": "decide_extension", "granted": True})
    assert resp.status_code == 200 and resp.get_json()["deadline"] == later
    # Another enterprise's manager does not see it: 404.
    resp = client.post(url, headers=api_token(client, u.manager_b), json={"trigger": "reassign",
                                                                           "responsible_user_id": u.staff_b.id})
    assert resp.status_code == 404


def test_the_pages_of_the_new_triggers(client, world, db_session):
    u = world.users
    hazard = make_hazard(world, "rectifying")
    login(client, u.staff)
    page = client.get(f"/hazards/{hazard.id}/do/request_extension").get_data(as_text=True)
    assert "需要延期的理由" in page
    later = hazard.deadline + timedelta(days=3)
    resp = client.post(f"/hazards/{hazard.id}/do/request_extension", data={
        "deadline": later.isoformat(), "reason": "等待备件", "version": hazard.version})
    assert resp.status_code == 302
    login(client, u.manager)
    resp = client.post(f"/hazards/{hazard.id}/do/decide_extension", data={
        "granted": "false", "reason": "", "version": db.session.get(Hazard, hazard.id).version})
    assert resp.status_code == 422 and "请填写不同意的理由" in resp.get_data(as_text=True)
    resp = client.post(f"/hazards/{hazard.id}/do/reassign", data={
        "responsible_user_id": str(u.principal.id), "reason": "调岗",
        "version": db.session.get(Hazard, hazard.id).version})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Hazard, hazard.id).responsible_user_id == u.principal.id
