"""Service (送达) of documents: how, when, to whom, the receipt scan (checked by content), the printable
文书送达回执, and the statutory periods that run from the service."""

from __future__ import annotations

import io
from datetime import date, time, timedelta

import pytest

from app import clock
from app.clock import today
from app.documents.models import Document, DocumentService
from app.extensions import db
from app.supervision import inspections
from app.supervision.inspections import Problem
from tests.hazards.helpers import jpeg_bytes
from tests.hazards.helpers import pdf_bytes as scan_pdf
from tests.supervision.conftest import as_user, pdf_text
from workflows import periods
from workflows.work_calendar import statutory


@pytest.fixture
def order(world, db_session):
    inspection = inspections.record(
        world.users.inspector, enterprise_id=world.enterprises.a.id, inspected_on=today(), start_time=time(9),
        end_time=time(10), second_officer_id=world.users.inspector2.id,
        problems=[Problem("消防通道堵塞", deadline=today() + timedelta(days=10))])
    db_session.commit()
    return db.session.get(Document, inspection.order_document_id)


def now_local() -> str:
    return clock.to_local(clock.utcnow()).replace(microsecond=0).isoformat()


def test_service_on_site_with_a_scanned_receipt_and_the_periods(client, world, order):
    headers = as_user(client, world.users.inspector)
    resp = client.post(f"/api/v1/documents/{order.id}/service", headers=headers, data={
        "method": "on_site", "served_at": now_local(), "received_by": "王安全",
        "receipt": (io.BytesIO(jpeg_bytes()), "receipt.jpg")}, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.get_json()
    out = resp.get_json()
    assert out["method"] == "on_site" and out["received_by"] == "王安全"
    assert out["receipt_mime"] == "image/jpeg"
    served = today()
    ends = {p["code"]: p["ends_on"] for p in out["periods"]}
    assert ends["reconsideration"] == periods.ends_on(periods.RECONSIDERATION, served, statutory()).isoformat()
    assert date.fromisoformat(ends["reconsideration"]) >= served + timedelta(days=60)
    assert date.fromisoformat(ends["litigation"]) >= served + timedelta(days=180)
    # Recorded once.
    again = client.post(f"/api/v1/documents/{order.id}/service", headers=headers,
                        json={"method": "post", "served_at": now_local(), "received_by": "李四"})
    assert again.status_code == 409
    got = client.get(f"/api/v1/documents/{order.id}/service", headers=headers)
    assert got.status_code == 200 and got.get_json()["items"][0]["received_by"] == "王安全"
    # The printable receipt names the document, its number, the method and the receiver.
    pdf = client.get(f"/api/v1/documents/{order.id}/receipt.pdf", headers=headers)
    assert pdf.status_code == 200
    text = pdf_text(pdf.data)
    assert "文书送达回执" in text and order.number in text and "责令限期整改指令书" in text
    assert "直接送达" in text and "王安全" in text and "甲化工有限公司" in text


def test_electronic_service_needs_prior_consent_and_an_address(client, world, order):
    headers = as_user(client, world.users.inspector)
    resp = client.post(f"/api/v1/documents/{order.id}/service", headers=headers,
                       json={"method": "electronic", "served_at": now_local(), "received_by": "王安全"})
    assert resp.status_code == 422
    assert {"consent_on", "address"} <= set(resp.get_json()["error"]["fields"])
    later = (clock.to_local(clock.utcnow()) + timedelta(hours=1)).isoformat()
    resp = client.post(f"/api/v1/documents/{order.id}/service", headers=headers, json={
        "method": "electronic", "served_at": now_local(), "received_by": "王安全", "consent_on": later,
        "address": "safety@example.cn"})
    assert resp.status_code == 422 and "served_at" not in resp.get_json()["error"]["fields"]
    assert db.session.query(DocumentService).count() == 0
    yesterday = (clock.to_local(clock.utcnow()) - timedelta(days=1)).isoformat()
    resp = client.post(f"/api/v1/documents/{order.id}/service", headers=headers, json={
        "method": "electronic", "served_at": now_local(), "received_by": "王安全", "consent_on": yesterday,
        "address": "safety@example.cn"})
    assert resp.status_code == 201


def test_a_receipt_that_is_not_a_pdf_or_photo_is_refused(client, world, order):
    resp = client.post(f"/api/v1/documents/{order.id}/service", headers=as_user(client, world.users.inspector),
                       data={"method": "post", "served_at": now_local(), "received_by": "王安全",
                             "receipt": (io.BytesIO(b"MZ\x90\x00 not a scan"), "receipt.pdf")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422 and "receipt" in resp.get_json()["error"]["fields"]
    assert db.session.query(DocumentService).count() == 0
    ok = client.post(f"/api/v1/documents/{order.id}/service", headers=as_user(client, world.users.inspector),
                     data={"method": "post", "served_at": now_local(), "received_by": "王安全",
                           "receipt": (io.BytesIO(scan_pdf()), "receipt.pdf")}, content_type="multipart/form-data")
    assert ok.status_code == 201 and ok.get_json()["receipt_mime"] == "application/pdf"


def test_who_may_record_the_service(client, world, order):
    body = {"method": "on_site", "served_at": now_local(), "received_by": "王安全"}
    assert client.post(f"/api/v1/documents/{order.id}/service", json=body,
                       headers=as_user(client, world.users.manager)).status_code == 403
    assert client.post(f"/api/v1/documents/{order.id}/service", json=body,
                       headers=as_user(client, world.users.inspector_b)).status_code == 404
    future = (clock.to_local(clock.utcnow()) + timedelta(days=1)).isoformat()
    resp = client.post(f"/api/v1/documents/{order.id}/service", json={**body, "served_at": future},
                       headers=as_user(client, world.users.inspector))
    assert resp.status_code == 422 and "served_at" in resp.get_json()["error"]["fields"]


def test_periods_count_from_the_service_and_skip_days_off():
    cal = statutory()
    # Served 2025-08-01 (Friday): 60 days later is 2025-09-30 (Tuesday, a working day).
    assert periods.ends_on(periods.RECONSIDERATION, date(2025, 8, 1), cal) == date(2025, 9, 30)
    # Served 2025-08-02: day 60 is 2025-10-01, National Day: the period ends on the first working day after.
    end = periods.ends_on(periods.RECONSIDERATION, date(2025, 8, 2), cal)
    assert end > date(2025, 10, 1) and cal.is_workday(end)
    end = periods.ends_on(periods.LITIGATION, date(2025, 8, 31), cal)  # six months: 2026-02-28 at the earliest
    assert end >= date(2026, 2, 28) and cal.is_workday(end)
    # Ten working days from Friday 2025-09-26 cross the National Day holiday.
    assert periods.ends_on(periods.SITE_REVIEW, date(2025, 9, 26), cal) > date(2025, 10, 10)


def test_the_document_page_shows_the_service_and_its_periods(client, world, order):
    from tests.supervision.conftest import login_as

    as_user(client, world.users.inspector)
    client.post(f"/api/v1/documents/{order.id}/service", headers=as_user(client, world.users.inspector),
                json={"method": "post", "served_at": now_local(), "received_by": "王安全"})
    login_as(client, world.users.inspector)
    page = client.get(f"/documents/{order.id}").get_data(as_text=True)
    assert "邮寄送达" in page and "王安全" in page
    assert "申请行政复议期限" in page and "提起行政诉讼期限" in page and "文书送达回执" in page
