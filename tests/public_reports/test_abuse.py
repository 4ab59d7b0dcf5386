"""Abuse of the public channel: floods from one address, wrong secrets repeated, a missing or replayed
challenge, a 30 MB photo, bad fields. Nothing is stored on a refusal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db, limiter
from app.public_reports.models import PublicReport
from tests.auth.conftest import isolated_app
from tests.public_reports.conftest import file_report, follow, png, solved


def _count() -> int:
    return db.session.scalar(select(func.count(PublicReport.id)))


@pytest.fixture
def limited_app(app):
    extra = {"RATELIMIT_ENABLED": True, "PUBLIC_REPORT_LIMIT": "3 per hour",
             "PUBLIC_REPORT_SECRET_FAILURE_LIMIT": "4 per hour", "PUBLIC_REPORT_CHALLENGE_MAX_NUMBER": 500}
    with isolated_app(extra) as application:
        limiter.reset()
        yield application


def _world(application):
    from tests.conftest import Factory

    f = Factory()
    region = f.region("限流市", level="city")
    f.authority(region, name="限流市应急管理局")
    db.session.commit()


def test_a_flood_from_one_address_is_refused(limited_app):
    _world(limited_app)
    client = limited_app.test_client()
    for _ in range(3):
        assert file_report(client, location="某处").status_code == 201
    resp = file_report(client, location="某处")
    assert resp.status_code == 429 and resp.get_json()["error"]["code"] == "too_many_requests"
    assert _count() == 3
    other = limited_app.test_client()  # another address has its own budget
    other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    assert file_report(other, location="某处").status_code == 201


def test_a_wrong_secret_is_404_like_an_unknown_ticket_and_repeating_it_is_throttled(limited_app):
    _world(limited_app)
    client = limited_app.test_client()
    body = file_report(client, location="某处").get_json()
    wrong = follow(client, body["ticket"], "WRONGSECRET12345")
    unknown = follow(client, "JB0000000000", body["secret"])
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.get_json() == unknown.get_json()  # says nothing of whether the ticket exists
    assert follow(client, body["ticket"], "X").status_code == 404
    assert follow(client, body["ticket"], "Y").status_code == 404
    # Over the budget: refused even with the right secret, for the window.
    assert follow(client, body["ticket"], body["secret"]).status_code == 429


def test_without_a_solved_challenge_nothing_is_filed(app, world, client):
    before = _count()
    resp = file_report(client, location="某处", challenge=False)
    assert resp.status_code == 422 and "challenge" in resp.get_json()["error"]["fields"]
    payload = solved(client)
    data = {"category": "other", "location": "某处", "description": "x"}
    first = client.post("/api/v1/public/reports", data=data, headers={"X-Challenge": payload})
    replay = client.post("/api/v1/public/reports", data=data, headers={"X-Challenge": payload})
    assert first.status_code == 201 and replay.status_code == 422  # a challenge is accepted once
    forged = client.post("/api/v1/public/reports", data=data, headers={"X-Challenge": "bm90IGpzb24="})
    assert forged.status_code == 422
    assert _count() == before + 1


def test_a_30_mb_photo_is_refused_with_a_clear_message(app, world, client):
    before = _count()
    big = png() + b"\0" * (30 * 1024 * 1024)
    resp = file_report(client, location="某处", photos=[big])
    assert resp.status_code == 422
    assert "20 MB" in resp.get_json()["error"]["fields"]["photos"][0]
    resp = file_report(client, location="某处", photos=[b"<html>not a photo</html>"])
    assert resp.status_code == 422 and "photos" in resp.get_json()["error"]["fields"]
    assert _count() == before


@pytest.mark.parametrize("fields, bad", [
    ({"category": "rumour"}, "category"),
    ({"description": ""}, "description"),
    ({"location": None}, "location"),
    ({"name": "张三"}, "phone"),
    ({"name": "张三", "phone": "12"}, "phone"),
    ({"authority_id": "999999"}, "authority_id"),
])
def test_bad_fields_are_named(app, world, client, fields, bad):
    before = _count()
    resp = file_report(client, **{"location": "某处", **fields})
    assert resp.status_code == 422, resp.get_json()
    assert bad in resp.get_json()["error"]["fields"]
    assert _count() == before


def test_the_web_form_keeps_what_was_typed_on_a_refusal(app, world, client):
    resp = client.post("/report/", data={"category": "violation", "location": "东门", "description": "夜间排污",
                                         "challenge": ""})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "夜间排污" in page and "东门" in page
    resp = client.post(f"/report/a/{world.authorities.county_a.id}", data={
        "category": "violation", "location": "东门", "description": "夜间排污", "challenge": solved(client)})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "data-ticket" in page and "no-store" in resp.headers["Cache-Control"]
    report = db.session.scalar(select(PublicReport).order_by(PublicReport.id.desc()))
    assert report.authority_id == world.authorities.county_a.id  # the QR code's authority
