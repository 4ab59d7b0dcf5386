"""What a report becomes (issue 19 item 2): a government-found hazard through the API, as the page does,
and an inspection of the report's enterprise started from the report's page (the inspection form,
prefilled), linked both ways and shown on both pages; the API links an inspection recorded otherwise."""

from __future__ import annotations

from datetime import time, timedelta
from urllib.parse import parse_qs, urlparse

from sqlalchemy import func, select

from app.clock import today
from app.extensions import db
from app.hazards.models import Hazard
from app.public_reports.models import PublicReport
from app.supervision import inspections
from app.supervision.inspections import Problem
from app.supervision.models import Inspection
from tests.public_reports.conftest import file_report
from tests.supervision.conftest import as_user, login_as


def _accepted(world, client, **fields) -> PublicReport:
    filed = file_report(client, enterprise_name=world.enterprises.a.name, location="罐区", **fields)
    assert filed.status_code == 201, filed.get_json()
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == filed.get_json()["ticket"]))
    resp = client.post(f"/api/v1/reports/{report.id}/decision", json={"action": "accept"},
                       headers=as_user(client, world.users.inspector))
    assert resp.status_code == 200, resp.get_json()
    return report


def _hazards() -> int:
    return db.session.scalar(select(func.count()).select_from(Hazard))


def test_the_api_makes_the_government_found_hazard_like_the_page(world, client):
    report = _accepted(world, client)
    inspector = as_user(client, world.users.inspector)
    before = _hazards()
    bad = client.post(f"/api/v1/reports/{report.id}/hazard", json={"title": "x", "level": "huge"}, headers=inspector)
    assert bad.status_code == 422 and "level" in bad.get_json()["error"]["fields"] and _hazards() == before
    foreign = client.post(f"/api/v1/reports/{report.id}/hazard", json={"enterprise_id": world.enterprises.b.id},
                          headers=inspector)
    assert foreign.status_code == 422 and "enterprise_id" in foreign.get_json()["error"]["fields"]
    assert _hazards() == before
    assert client.post(f"/api/v1/reports/{report.id}/hazard", json={},
                       headers=as_user(client, world.users.manager)).status_code in (403, 404)

    made = client.post(f"/api/v1/reports/{report.id}/hazard", json={"title": "报警器关闭"},
                       headers=as_user(client, world.users.inspector))
    assert made.status_code == 200, made.get_json()
    body = made.get_json()
    hazard = db.session.get(Hazard, body["hazard_id"])
    assert hazard.title == "报警器关闭" and hazard.source.value == "public_report"
    assert hazard.enterprise_id == world.enterprises.a.id
    assert hazard.found_by_authority_id == world.authorities.county_a.id
    again = client.post(f"/api/v1/reports/{report.id}/hazard", json={}, headers=as_user(client, world.users.inspector))
    assert again.status_code == 409 and _hazards() == before + 1
    # Linked both ways: the hazard's page names the report, the report's page the hazard.
    login_as(client, world.users.inspector)
    assert f"/reports/{report.id}" in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert f"/hazards/{hazard.id}" in client.get(f"/reports/{report.id}").get_data(as_text=True)
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/reports/{report_id}/hazard"]
    assert "post" in spec["paths"]["/api/v1/reports/{report_id}/inspection"]


def test_an_inspection_started_from_the_report_page_is_linked_both_ways(world, client, factory):
    report = _accepted(world, client)
    login_as(client, world.users.inspector)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    start = page.split("data-start-inspection href=\"", 1)[1].split('"', 1)[0].replace("&amp;", "&")
    query = parse_qs(urlparse(start).query)
    assert urlparse(start).path == "/supervision/inspections/new"
    assert query["enterprise_id"] == [str(world.enterprises.a.id)]
    form_page = client.get(start).get_data(as_text=True)  # prefilled: the report's enterprise, the origin
    assert f'<option selected value="{world.enterprises.a.id}">' in form_page \
        or f'value="{world.enterprises.a.id}" selected' in form_page
    origin = query["origin"][0]
    assert f'value="{origin}"' in form_page

    deadline = (today() + timedelta(days=20)).isoformat()
    form = {"enterprise_id": world.enterprises.a.id, "inspected_on": today().isoformat(), "start_time": "09:00",
            "end_time": "10:00", "place": "罐区", "second_officer_id": world.users.inspector2.id,
            "problems-0-title": "可燃气体报警器关闭", "problems-0-deadline": deadline, "origin": origin}
    # Another enterprise than the report's: refused on its field, nothing recorded.
    before = db.session.scalar(select(func.count()).select_from(Inspection))
    resp = client.post("/supervision/inspections/new", data=dict(form, enterprise_id=_neighbour(world, factory).id))
    assert resp.status_code == 422 and "不是举报所涉企业" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == before
    resp = client.post("/supervision/inspections/new", data=form)
    assert resp.status_code == 302, resp.get_data(as_text=True)
    inspection = db.session.scalar(select(Inspection).order_by(Inspection.id.desc()))
    db.session.refresh(report)
    assert report.inspection_id == inspection.id
    # Both pages show the other.
    assert f"/reports/{report.id}" in client.get(f"/supervision/inspections/{inspection.id}").get_data(as_text=True)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert f"/supervision/inspections/{inspection.id}" in page and "data-start-inspection" not in page
    got = client.get(f"/api/v1/reports/{report.id}", headers=as_user(client, world.users.inspector)).get_json()
    assert got["inspection_id"] == inspection.id
    # Once only: a second inspection from the same report is refused, nothing recorded.
    login_as(client, world.users.inspector)
    count = db.session.scalar(select(func.count()).select_from(Inspection))
    assert client.post("/supervision/inspections/new", data=form).status_code == 409
    assert db.session.scalar(select(func.count()).select_from(Inspection)) == count


def _neighbour(world, factory):
    """Another enterprise of the same county (the inspector may inspect it, but it is not the report's)."""
    ent = factory.enterprise(world.regions.county_a, name="甲县邻厂有限公司")
    db.session.commit()
    return ent


def _record(world, enterprise):
    inspection = inspections.record(
        world.users.inspector, enterprise_id=enterprise.id, inspected_on=today(), start_time=time(9, 0),
        end_time=time(10, 0), second_officer_id=world.users.inspector2.id,
        problems=[Problem("消防通道堵塞", deadline=today() + timedelta(days=10))])
    db.session.commit()
    return inspection


def test_the_api_links_an_inspection_of_the_reports_enterprise(world, client, factory):
    report = _accepted(world, client)
    inspector = as_user(client, world.users.inspector)
    wrong = client.post(f"/api/v1/reports/{report.id}/inspection", json={"inspection_id": "x"}, headers=inspector)
    assert wrong.status_code == 422
    unknown = client.post(f"/api/v1/reports/{report.id}/inspection", json={"inspection_id": 999999},
                          headers=inspector)
    assert unknown.status_code == 422 and "inspection_id" in unknown.get_json()["error"]["fields"]
    other = client.post(f"/api/v1/reports/{report.id}/inspection", headers=inspector,
                        json={"inspection_id": _record(world, _neighbour(world, factory)).id})
    assert other.status_code == 422 and "inspection_id" in other.get_json()["error"]["fields"]
    inspection = _record(world, world.enterprises.a)
    linked = client.post(f"/api/v1/reports/{report.id}/inspection", json={"inspection_id": inspection.id},
                         headers=as_user(client, world.users.inspector))
    assert linked.status_code == 200, linked.get_json()
    assert linked.get_json()["inspection_id"] == inspection.id
    again = client.post(f"/api/v1/reports/{report.id}/inspection", json={"inspection_id": inspection.id},
                        headers=as_user(client, world.users.inspector))
    assert again.status_code == 409
    login_as(client, world.users.inspector)
    assert f"/reports/{report.id}" in client.get(f"/supervision/inspections/{inspection.id}").get_data(as_text=True)
    # Another authority's inspector: the report does not exist for him.
    outsider = client.post(f"/api/v1/reports/{report.id}/inspection", json={"inspection_id": inspection.id},
                           headers=as_user(client, world.users.inspector_b))
    assert outsider.status_code == 404
