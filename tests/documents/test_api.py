"""API: POST /api/v1/documents, GET, .pdf, void."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from app.clock import today
from app.documents.models import Document, DocumentCounter
from tests.conftest import api_token
from tests.documents.conftest import (
    OFFICERS,
    forget_user,
    order_of,
    pdf_text,
    record_inspection,
    squash,
    submit,
)


def _counter_total(db_session):
    return db_session.scalar(select(func.coalesce(func.sum(DocumentCounter.last), 0)))


def _count(db_session):
    return db_session.scalar(select(func.count(Document.id))), _counter_total(db_session)


def _recorded(world, db_session, n=3):
    with current_app.test_request_context("/"):
        inspection = record_inspection(world, n)
    db_session.commit()
    return inspection


def test_order_from_the_inspection_read_pdf_void_and_issue_again(client, world, db_session):
    inspection = _recorded(world, db_session)
    order = order_of(inspection)
    headers = api_token(client, world.users.inspector)
    got = client.get(f"/api/v1/documents/{order.id}", headers=headers)
    assert got.status_code == 200 and got.get_json()["status"] == "valid"
    pdf = client.get(f"/api/v1/documents/{order.id}.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert order.number in squash(pdf_text(pdf.data))
    # One valid order per inspection.
    again = client.post("/api/v1/documents", headers=headers,
                        json={"kind": "rectification_order", "inspection_id": inspection.id})
    assert again.status_code == 409, again.get_json()

    # The enterprise sees the order served on it; another enterprise does not.
    forget_user()
    assert client.get(f"/api/v1/documents/{order.id}", headers=api_token(client, world.users.manager)).status_code == 200
    forget_user()
    assert client.get(f"/api/v1/documents/{order.id}", headers=api_token(client, world.users.manager_b)).status_code == 404

    forget_user()
    sup = api_token(client, world.users.supervisor)
    no_reason = client.post(f"/api/v1/documents/{order.id}/void", headers=sup, json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    voided = client.post(f"/api/v1/documents/{order.id}/void", headers=sup, json={"reason": "填写错误"})
    assert voided.status_code == 200
    assert voided.get_json()["status"] == "voided" and voided.get_json()["number"] == order.number
    assert client.post(f"/api/v1/documents/{order.id}/void", headers=sup, json={"reason": "再次"}).status_code == 409

    forget_user()
    headers = api_token(client, world.users.inspector)
    reissued = client.post("/api/v1/documents", headers=headers,
                           json={"kind": "rectification_order", "inspection_id": inspection.id})
    assert reissued.status_code == 201, reissued.get_json()
    body = reissued.get_json()
    assert body["number"].startswith("（甲）应急责改〔") and body["number"].endswith("〕2号")
    assert body["hazard_ids"] == [item.hazard_id for item in inspection.items]


def test_the_system_administrator_cannot_void_an_authoritys_document(client, world, db_session):
    order = order_of(_recorded(world, db_session))
    for user in (world.users.admin, world.users.inspector, world.users.city_supervisor):
        forget_user()
        resp = client.post(f"/api/v1/documents/{order.id}/void", headers=api_token(client, user),
                           json={"reason": "管理员作废"})
        assert resp.status_code in (403, 404), (user, resp.get_json())
    db_session.refresh(order)
    assert order.status.value == "valid"


def test_a_foreign_inspection_is_404_and_consumes_no_number(client, world, db_session):
    inspection = _recorded(world, db_session)
    before = _count(db_session)
    resp = client.post("/api/v1/documents", headers=api_token(client, world.users.inspector_b),
                       json={"kind": "review_opinion", "inspection_id": inspection.id})
    assert resp.status_code == 404
    assert _count(db_session) == before


def test_bad_input_is_422_with_fields(client, world, db_session):
    inspection = _recorded(world, db_session)
    hazard_id = inspection.items[0].hazard_id
    headers = api_token(client, world.users.inspector)
    cases = [
        ({"kind": "supervision_notice", "hazard_ids": [hazard_id]}, "kind"),
        ({"kind": "rectification_order", "hazard_ids": [hazard_id], "officers": OFFICERS}, "inspection_id"),
        ({"kind": "rectification_order", "inspection_id": inspection.id, "inspection_date": "20.11.2026"},
         "inspection_date"),
        ({"kind": "rectification_order", "hazard_ids": ["x"]}, "hazard_ids"),
        ({"kind": "rectification_notice", "hazard_ids": [hazard_id], "recipient": "生产部",
          "requirements": "长" * 10_001}, "requirements"),
    ]
    before = _count(db_session)
    for payload, field in cases:
        resp = client.post("/api/v1/documents", headers=headers, json=payload)
        assert resp.status_code == 422, (payload, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], resp.get_json()
    assert _count(db_session) == before


def test_forged_orders_are_refused_and_nothing_is_numbered(client, world, db_session):
    """The attacks of issue 10 item 1: nothing the record holds can be typed into an order."""
    inspection = _recorded(world, db_session)
    other = _recorded(world, db_session, 1)
    forget_user()
    client.post(f"/api/v1/documents/{order_of(inspection).id}/void",
                headers=api_token(client, world.users.supervisor), json={"reason": "重新出具"})
    forget_user()
    headers = api_token(client, world.users.inspector)
    base = {"kind": "rectification_order", "inspection_id": inspection.id}
    invented = [{"name": "王某", "certificate_no": "99999999"}, {"name": "赵某", "certificate_no": "88888888"}]
    same_twice = [OFFICERS[0], OFFICERS[0]]
    forged = [
        ({**base, "officers": invented}, "officers"),
        ({**base, "officers": same_twice}, "officers"),
        ({**base, "items": [{"text": "与检查无关的事项", "deadline": "2030-01-01"}]}, "items"),
        ({**base, "hazard_ids": [other.items[0].hazard_id]}, "hazard_ids"),
        ({**base, "items": [{"text": "储罐区可燃气体报警器失效1", "deadline": "2020-01-01"}]}, "items"),
        ({**base, "inspection_date": "2030-01-01"}, "inspection_date"),
        ({"kind": "rectification_order", "hazard_ids": [item.hazard_id for item in inspection.items],
          "officers": invented, "inspection_date": "2030-01-01"}, "inspection_id"),
    ]
    before = _count(db_session)
    for payload, field in forged:
        resp = client.post("/api/v1/documents", headers=headers, json=payload)
        assert resp.status_code == 422, (payload, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], (payload, resp.get_json())
    # Another inspector of the authority is not one of the inspection's officers.
    forget_user()
    third = world.factory.user("inspector", authority=world.authorities.county_a, certificate_no="36000003")
    db_session.commit()
    resp = client.post("/api/v1/documents", headers=api_token(client, third), json=base)
    assert resp.status_code == 403
    assert _count(db_session) == before
    # What the record says is what is printed.
    forget_user()
    resp = client.post("/api/v1/documents", headers=api_token(client, world.users.inspector), json=base)
    assert resp.status_code == 201, resp.get_json()
    text = squash(pdf_text(client.get(f"/api/v1/documents/{resp.get_json()['id']}.pdf", headers=headers).data))
    d = today()
    assert f"{d.year}年{d.month}月{d.day}日，本机关执法人员" in text
    assert world.users.inspector.display_name in text and world.users.inspector2.display_name in text
    assert "王某" not in text and "2030" not in text and "2020" not in text


def _list_at_city(world, hazard):
    from app.organisations.models import RegionLevel
    from app.supervision.models import Listing, ListingState, ProposalSource

    listing = Listing(hazard_id=hazard.id, enterprise_id=hazard.enterprise_id, rule="test_city_listing",
                      source=ProposalSource.confirm, authority_id=world.authorities.city.id, level=RegionLevel.city,
                      grade="red", state=ListingState.listed, deadline=hazard.deadline)
    return listing


def test_forged_opinions_are_refused_and_nothing_is_numbered(client, world, db_session):
    inspection = _recorded(world, db_session, 2)
    first, listed = (item.hazard for item in inspection.items)
    with current_app.test_request_context("/"):
        db_session.add(_list_at_city(world, listed))  # only the city's inspectors may close it
        submit(world, first)
        submit(world, listed)
    db_session.commit()
    headers = api_token(client, world.users.inspector2)
    base = {"kind": "review_opinion", "inspection_id": inspection.id}
    forged = [
        ({**base, "outcome": "passed", "opinion": "已整改合格。"}, "outcome"),
        ({**base, "items": [{"text": first.title, "rectified": True}, {"text": listed.title, "rectified": True}]},
         "items"),
        ({**base, "officers": OFFICERS}, "officers"),
        ({**base, "review_date": "2020-01-01"}, "review_date"),
        ({**base, "opinion": "经复查，已整改合格。"}, "inspection_id"),  # no decision recorded on any hazard
    ]
    before = _count(db_session)
    for payload, field in forged:
        resp = client.post("/api/v1/documents", headers=headers, json=payload)
        assert resp.status_code == 422, (payload, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], (payload, resp.get_json())
    # The county inspector may not close the city-listed hazard, so no opinion can say it passed.
    accept = client.post(f"/api/v1/hazards/{listed.id}/transitions", headers=headers, json={"trigger": "accept"})
    assert accept.status_code == 403
    assert _count(db_session) == before

    # Decisions recorded on the hazards: the opinion states them, whatever the caller would like.
    assert client.post(f"/api/v1/hazards/{first.id}/transitions", headers=headers,
                       json={"trigger": "accept"}).status_code == 200
    resp = client.post("/api/v1/documents", headers=headers, json={**base, "opinion": "请继续整改第2项。"})
    assert resp.status_code == 201, resp.get_json()
    text = squash(pdf_text(client.get(f"/api/v1/documents/{resp.get_json()['id']}.pdf", headers=headers).data))
    assert "复查结论：部分整改合格" in text and "已整改合格" in text and "已提交整改，待复查" in text
    assert "请继续整改第2项。" in text and order_of(inspection).number in text
    # Nothing reviewed since: a second identical opinion is not numbered.
    assert client.post("/api/v1/documents", headers=headers, json=base).status_code == 409


def test_manager_issues_notice_and_archive_but_not_orders(client, world, db_session):
    inspection = _recorded(world, db_session)
    hazard_id = inspection.items[0].hazard_id
    headers = api_token(client, world.users.manager)
    notice = client.post("/api/v1/documents", headers=headers, json={
        "kind": "rectification_notice", "hazard_ids": [hazard_id, hazard_id], "recipient": "储运部"})
    assert notice.status_code == 201, notice.get_json()
    assert notice.get_json()["hazard_ids"] == [hazard_id]
    archive = client.post("/api/v1/documents", headers=headers, json={"kind": "hazard_archive", "hazard_ids": [hazard_id]})
    assert archive.status_code == 201, archive.get_json()
    # Printed again with nothing changed: the same archive, no new number.
    again = client.post("/api/v1/documents", headers=headers, json={"kind": "hazard_archive", "hazard_ids": [hazard_id]})
    assert again.status_code == 200 and again.get_json()["number"] == archive.get_json()["number"]
    order = client.post("/api/v1/documents", headers=headers,
                        json={"kind": "rectification_order", "inspection_id": inspection.id})
    assert order.status_code == 403


def test_api_needs_a_token(client, world, hazards):
    assert client.post("/api/v1/documents", json={"kind": "hazard_archive"}).status_code == 401


def test_csrf_is_enforced_on_the_void_form(app, world, db_session):
    from tests.documents.conftest import as_user
    from tests.documents.test_views import _order

    document = _order(world)
    db_session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        client = app.test_client()
        as_user(client, world.users.supervisor)
        resp = client.post(f"/documents/{document.id}/void", data={"reason": "无令牌"})
        assert resp.status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    db_session.refresh(document)
    assert document.status.value == "valid"


def test_the_list_answers_the_documents_the_caller_may_see_with_the_web_filters(client, world, db_session):
    inspection = _recorded(world, db_session)
    order = order_of(inspection)
    headers = api_token(client, world.users.manager)
    notice = client.post("/api/v1/documents", headers=headers, json={
        "kind": "rectification_notice", "hazard_ids": [inspection.items[0].hazard_id], "recipient": "储运部"})
    assert notice.status_code == 201, notice.get_json()
    listed = client.get("/api/v1/documents", headers=headers).get_json()
    record = inspection.record_document_id  # the 现场检查记录 printed with the order
    assert {d["id"] for d in listed["items"]} == {order.id, record, notice.get_json()["id"]}
    assert listed["total"] == 3
    only = client.get("/api/v1/documents?kind=rectification_notice", headers=headers).get_json()
    assert [d["id"] for d in only["items"]] == [notice.get_json()["id"]]
    assert client.get("/api/v1/documents?status=voided", headers=headers).get_json()["total"] == 0
    by_number = client.get("/api/v1/documents", headers=headers, query_string={"q": order.number[-4:]}).get_json()
    assert order.id in {d["id"] for d in by_number["items"]}
    bad = client.get("/api/v1/documents?kind=poster", headers=headers)
    assert bad.status_code == 422 and "kind" in bad.get_json()["error"]["fields"]
    forget_user()
    assert client.get("/api/v1/documents", headers=api_token(client, world.users.manager_b)).get_json()["items"] == []
