"""API: POST /api/v1/documents, GET, .pdf, void."""

from __future__ import annotations

from sqlalchemy import func, select

from app.documents.models import Document, DocumentCounter
from tests.conftest import api_token
from tests.documents.conftest import OFFICERS, forget_user, pdf_text, squash


def _counter_total(db_session):
    return db_session.scalar(select(func.coalesce(func.sum(DocumentCounter.last), 0)))


def test_issue_order_read_it_fetch_pdf_and_void(client, world, hazards, db_session):
    headers = api_token(client, world.users.inspector)
    resp = client.post("/api/v1/documents", headers=headers, json={
        "kind": "rectification_order", "hazard_ids": [h.id for h in hazards.a], "officers": OFFICERS,
        "inspection_date": "2026-11-20"})
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["number"].startswith("（甲）应急责改〔") and body["number"].endswith("〕1号")
    assert body["verify_url"].startswith("http") and "/verify/" in body["verify_url"]
    assert body["hazard_ids"] == [h.id for h in hazards.a]

    got = client.get(f"/api/v1/documents/{body['id']}", headers=headers)
    assert got.status_code == 200 and got.get_json()["status"] == "valid"
    pdf = client.get(f"/api/v1/documents/{body['id']}.pdf", headers=headers)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert body["number"] in squash(pdf_text(pdf.data))

    # The enterprise sees the order served on it; another enterprise does not.
    forget_user()
    assert client.get(f"/api/v1/documents/{body['id']}", headers=api_token(client, world.users.manager)).status_code == 200
    forget_user()
    assert client.get(f"/api/v1/documents/{body['id']}",
                      headers=api_token(client, world.users.manager_b)).status_code == 404

    forget_user()
    sup = api_token(client, world.users.supervisor)
    no_reason = client.post(f"/api/v1/documents/{body['id']}/void", headers=sup, json={})
    assert no_reason.status_code == 422 and "reason" in no_reason.get_json()["error"]["fields"]
    voided = client.post(f"/api/v1/documents/{body['id']}/void", headers=sup, json={"reason": "填写错误"})
    assert voided.status_code == 200
    assert voided.get_json()["status"] == "voided" and voided.get_json()["number"] == body["number"]
    again = client.post(f"/api/v1/documents/{body['id']}/void", headers=sup, json={"reason": "再次"})
    assert again.status_code == 409


def test_hazard_outside_the_region_is_404_and_consumes_no_number(client, world, hazards, db_session):
    headers = api_token(client, world.users.inspector)
    resp = client.post("/api/v1/documents", headers=headers, json={
        "kind": "rectification_order", "hazard_ids": [hazards.a[0].id, hazards.b.id], "officers": OFFICERS})
    assert resp.status_code == 404
    assert _counter_total(db_session) == 0
    assert db_session.scalar(select(func.count(Document.id))) == 0


def test_bad_input_is_422_with_fields(client, world, hazards, db_session):
    headers = api_token(client, world.users.inspector)
    cases = [
        ({"kind": "supervision_notice", "hazard_ids": [hazards.a[0].id]}, "kind"),
        ({"kind": "rectification_order", "hazard_ids": [hazards.a[0].id], "officers": OFFICERS[:1]}, "officers"),
        ({"kind": "rectification_order", "hazard_ids": [], "officers": OFFICERS}, "hazard_ids"),
        ({"kind": "rectification_order", "hazard_ids": [hazards.a[0].id], "officers": OFFICERS,
          "inspection_date": "20.11.2026"}, "inspection_date"),
        ({"kind": "rectification_order", "hazard_ids": ["x"], "officers": OFFICERS}, "hazard_ids"),
    ]
    for payload, field in cases:
        resp = client.post("/api/v1/documents", headers=headers, json=payload)
        assert resp.status_code == 422, (payload, resp.get_json())
        assert field in resp.get_json()["error"]["fields"], resp.get_json()
    assert _counter_total(db_session) == 0


def test_manager_issues_notice_and_archive_but_not_orders(client, world, hazards, db_session):
    headers = api_token(client, world.users.manager)
    notice = client.post("/api/v1/documents", headers=headers, json={
        "kind": "rectification_notice", "hazard_ids": [hazards.a[0].id], "recipient": "储运部"})
    assert notice.status_code == 201, notice.get_json()
    archive = client.post("/api/v1/documents", headers=headers, json={
        "kind": "hazard_archive", "hazard_ids": [hazards.a[0].id]})
    assert archive.status_code == 201, archive.get_json()
    order = client.post("/api/v1/documents", headers=headers, json={
        "kind": "rectification_order", "hazard_ids": [hazards.a[0].id], "officers": OFFICERS})
    assert order.status_code == 403


def test_api_needs_a_token(client, world, hazards):
    assert client.post("/api/v1/documents", json={"kind": "hazard_archive"}).status_code == 401


def test_review_opinion_refers_to_the_order(client, world, hazards, db_session):
    headers = api_token(client, world.users.inspector)
    order = client.post("/api/v1/documents", headers=headers, json={
        "kind": "rectification_order", "hazard_ids": [hazards.a[0].id], "officers": OFFICERS}).get_json()
    review = client.post("/api/v1/documents", headers=headers, json={
        "kind": "review_opinion", "hazard_ids": [hazards.a[0].id], "order_id": order["id"], "officers": OFFICERS,
        "review_date": "2026-11-22", "opinion": "已整改合格。"})
    assert review.status_code == 201, review.get_json()
    assert "应急复查〔" in review.get_json()["number"]
    pdf = client.get(f"/api/v1/documents/{review.get_json()['id']}.pdf", headers=headers)
    assert order["number"] in squash(pdf_text(pdf.data))


def test_csrf_is_enforced_on_the_void_form(app, world, hazards, db_session):
    from tests.documents.conftest import as_user
    from tests.documents.test_views import _order

    document = _order(world, hazards)
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
