"""Moving an enterprise to another region is a recorded transfer (who, when, from, to, why), never a
silent edit of its region; what an authority found, issued or inspected before stays with it, visible
to both the old and the new authority (issue 11 item 9)."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from app.organisations.models import Enterprise, EnterpriseTransfer
from app.supervision import inspections
from app.supervision.inspections import Problem
from tests.access import Row, check_row, rows_as_params
from tests.conftest import api_token, login
from tests.hazards.helpers import make_hazard
from tests.organisations.test_pages import error_beside


def transfers() -> int:
    return db.session.scalar(select(func.count()).select_from(EnterpriseTransfer))


@pytest.fixture
def moved(world, db_session):
    """County a's inspector inspected enterprise a (a government-found hazard and a numbered order);
    the enterprise also found a hazard itself. Then the admin moves it to county b."""
    u = world.users
    inspection = inspections.record(
        u.inspector, enterprise_id=world.enterprises.a.id, inspected_on=today(), start_time=time(9, 0),
        end_time=time(11, 0), place="储罐区", second_officer_id=u.inspector2.id, findings="危化品储存",
        problems=[Problem("储罐区可燃气体报警器失效", deadline=today() + timedelta(days=10))])
    db_session.commit()
    found = inspection.items[0].hazard
    own = make_hazard(world, "rectifying", title="自查发现的护栏缺失")
    from app.organisations import service

    service.transfer_enterprise(u.admin, world.enterprises.a, region=world.regions.county_b, reason="行政区划调整")
    db_session.commit()
    return {"inspection": inspection.id, "order": inspection.order_document_id, "found": found.id,
            "own": own.id}


# Who sees what after the move. The old authority (county a: "inspector", "supervisor") keeps what it
# found, issued and inspected, but no longer the enterprise nor its own findings; the enterprise's
# users see everything of theirs. (The new authority's view is checked below: it is not a role here.)
ROWS = [
    Row("GET", "/enterprises/{ent_a}", inspector=404, supervisor=404, authority_admin=404, enterprise_staff=200,
        enterprise_principal=200, enterprise_manager=200, admin=200),
    Row("GET", "/hazards/{found}", default=200),
    Row("GET", "/api/v1/hazards/{found}", default=200),
    Row("GET", "/hazards/{own}", default=200, inspector=404, supervisor=404, authority_admin=404),
    Row("GET", "/api/v1/hazards/{own}", default=200, inspector=404, supervisor=404, authority_admin=404),
    Row("GET", "/documents/{order}", default=200, enterprise_staff=404),
    Row("GET", "/api/v1/documents/{order}", default=200, enterprise_staff=404),
    Row("GET", "/supervision/inspections/{inspection}", inspector=200, supervisor=200, admin=200),
    # Only admin moves an enterprise; the others get 403 (404 where they do not see it).
    Row("POST", "/api/v1/enterprises/{ent_a}/transfers", json={"region_id": "{county_a}", "reason": "回迁"},
        default=403, inspector=404, supervisor=404, authority_admin=404, admin=201),
]


@pytest.mark.parametrize("row", rows_as_params(ROWS))
def test_who_sees_what_after_a_transfer(app, world, moved, row):
    check_row(app, world, row, **moved)


def test_the_new_and_the_upper_authority_see_it_all(app, world, moved):
    for user in (world.users.inspector_b, world.users.supervisor_b, world.users.city_inspector):
        client = app.test_client()
        login(client, user)
        for url in (f"/enterprises/{world.enterprises.a.id}", f"/hazards/{moved['found']}",
                    f"/hazards/{moved['own']}", f"/documents/{moved['order']}",
                    f"/supervision/inspections/{moved['inspection']}"):
            assert client.get(url).status_code == 200, (user.username, url)
    # The other county's enterprise stays foreign to the old authority (nothing else leaked).
    client = app.test_client()
    login(client, world.users.inspector)
    assert client.get(f"/enterprises/{world.enterprises.b.id}").status_code == 404


def test_the_old_authority_keeps_its_lists(app, world, moved):
    """The order and the hazard it found still appear in the old inspector's lists."""
    client = app.test_client()
    headers = api_token(client, world.users.inspector)
    hazards = client.get("/api/v1/hazards", headers=headers, query_string={"per_page": 100}).get_json()["items"]
    assert {h["id"] for h in hazards} == {moved["found"]}
    from app.documents.models import Document

    number = db.session.get(Document, moved["order"]).number
    login(client, world.users.inspector)
    assert number in client.get("/documents/").get_data(as_text=True)


def test_the_transfer_is_recorded_and_shown(client, world, moved):
    login(client, world.users.admin)
    headers = api_token(client, world.users.admin)
    rows = client.get(f"/api/v1/enterprises/{world.enterprises.a.id}/transfers", headers=headers).get_json()
    assert len(rows) == 1
    assert (rows[0]["from_region_id"], rows[0]["to_region_id"], rows[0]["reason"],
            rows[0]["transferred_by_id"]) == (world.regions.county_a.id, world.regions.county_b.id, "行政区划调整",
                                              world.users.admin.id)
    assert rows[0]["transferred_at"]
    html = client.get(f"/enterprises/{world.enterprises.a.id}").get_data(as_text=True)
    assert "区域转移记录" in html and "行政区划调整" in html and "甲县" in html and "乙县" in html


def test_no_silent_move_by_editing_the_region(client, world):
    """The edit (UI and API) no longer moves the enterprise: the API says to use a transfer."""
    enterprise = world.enterprises.a
    headers = api_token(client, world.users.admin)
    resp = client.patch(f"/api/v1/enterprises/{enterprise.id}", json={"region_id": world.regions.county_b.id},
                        headers=headers)
    assert resp.status_code == 422
    assert "区域转移" in resp.get_json()["error"]["fields"]["region_id"][0]
    login(client, world.users.admin)
    page = client.get(f"/enterprises/{enterprise.id}/edit").get_data(as_text=True)
    assert 'name="region_id"' not in page
    data = {"name": enterprise.name, "credit_code": enterprise.credit_code, "industry_id": enterprise.industry_id,
            "region_id": world.regions.county_b.id, "standardisation_level": "none", "scale": "small"}
    assert client.post(f"/enterprises/{enterprise.id}/edit", data=data).status_code == 302
    db.session.expire_all()
    assert db.session.get(Enterprise, enterprise.id).region_id == world.regions.county_a.id
    assert transfers() == 0


def test_a_transfer_needs_a_reason_and_another_region(client, world):
    login(client, world.users.admin)
    url = f"/enterprises/{world.enterprises.a.id}/transfer"
    resp = client.post(url, data={"region_id": world.regions.county_b.id, "reason": ""})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "必填" in error_beside(html, "reason")
    resp = client.post(url, data={"region_id": world.regions.county_a.id, "reason": "无变化"})
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert "已在该区域" in error_beside(html, "region_id") and "无变化" in html
    headers = api_token(client, world.users.admin)
    resp = client.post(f"/api/v1/enterprises/{world.enterprises.a.id}/transfers",
                       json={"region_id": 999999, "reason": "x" * 501}, headers=headers)
    assert resp.status_code == 422
    assert {"region_id", "reason"} <= resp.get_json()["error"]["fields"].keys()
    assert transfers() == 0
    resp = client.post(url, data={"region_id": world.regions.county_b.id, "reason": "行政区划调整"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Enterprise, world.enterprises.a.id).region_id == world.regions.county_b.id
    assert transfers() == 1
