"""Summons (约谈): the notice to the enterprise's principal, the record with its outcome, the
enterprise's history, and who may do what."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app import clock
from app.documents import service as documents
from app.documents.models import Document
from app.extensions import db
from app.supervision.models import Summons
from tests.supervision.conftest import as_user, pdf_text, stored_hazard


def local(delta: timedelta) -> str:
    return (clock.to_local(clock.utcnow()) + delta).replace(microsecond=0).isoformat()


def test_summons_notice_then_record_with_outcome(client, world, db_session):
    hazard = stored_hazard(world.enterprises.a, level="major", grade="red", overdue_by=20, title="液氯储罐区报警失效")
    db_session.commit()
    headers = as_user(client, world.users.supervisor)
    resp = client.post("/api/v1/summons", headers=headers, json={
        "enterprise_id": world.enterprises.a.id, "reason": "重大事故隐患逾期未整改", "scheduled_at": local(timedelta(days=3)),
        "place": "县应急管理局三楼会议室", "hazard_ids": [hazard.id]})
    assert resp.status_code == 201, resp.get_json()
    out = resp.get_json()
    assert out["document"]["kind"] == "summons_notice" and out["hazard_ids"] == [hazard.id]
    notice = db.session.get(Document, out["notice_document_id"])
    assert notice.number.startswith("（甲）应急约谈〔")
    text = pdf_text(documents.pdf_bytes(notice))
    assert "约谈通知书" in text and "甲化工有限公司" in text and "重大事故隐患逾期未整改" in text
    assert "液氯储罐区报警失效" in text and "县应急管理局三楼会议室" in text

    # Recorded by two officers of the authority, once held.
    too_early = client.post(f"/api/v1/summons/{out['id']}/record", headers=headers, json={
        "held_at": local(timedelta(hours=1)), "second_officer_id": world.users.inspector.id,
        "content": "通报隐患情况", "outcome": "承诺10日内完成整改"})
    assert too_early.status_code == 422 and "held_at" in too_early.get_json()["error"]["fields"]
    headers = as_user(client, world.users.inspector)
    done = client.post(f"/api/v1/summons/{out['id']}/record", headers=headers, json={
        "held_at": local(timedelta(minutes=-5)), "second_officer_id": world.users.inspector2.id,
        "attendees": "主要负责人、安全总监", "content": "通报隐患逾期情况，听取整改说明",
        "outcome": "企业承诺10日内完成整改并书面报告"})
    assert done.status_code == 200, done.get_json()
    record = db.session.get(Document, done.get_json()["record_document_id"])
    text = pdf_text(documents.pdf_bytes(record))
    assert "约谈记录" in text and "企业承诺10日内完成整改并书面报告" in text and notice.number in text
    assert "36000001" in text and "36000002" in text
    again = client.post(f"/api/v1/summons/{out['id']}/record", headers=headers, json={
        "held_at": local(timedelta(minutes=-5)), "second_officer_id": world.users.inspector2.id,
        "content": "x", "outcome": "y"})
    assert again.status_code == 409

    # On the enterprise's history; the enterprise sees its own, another region nothing.
    history = client.get(f"/api/v1/summons?enterprise_id={world.enterprises.a.id}",
                         headers=as_user(client, world.users.manager)).get_json()
    assert "total" in history, history
    assert history["total"] == 1 and history["items"][0]["outcome"] == "企业承诺10日内完成整改并书面报告"
    assert client.get("/api/v1/summons", headers=as_user(client, world.users.inspector_b)).get_json()["total"] == 0


def test_who_may_summon_and_bad_input(client, world, db_session):
    body = {"enterprise_id": world.enterprises.a.id, "reason": "逾期未整改", "scheduled_at": local(timedelta(days=1))}
    assert client.post("/api/v1/summons", json=body, headers=as_user(client, world.users.manager)).status_code == 403
    assert client.post("/api/v1/summons", json=body, headers=as_user(client, world.users.inspector_b)).status_code == 404
    past = client.post("/api/v1/summons", json={**body, "scheduled_at": local(timedelta(hours=-1))},
                       headers=as_user(client, world.users.supervisor))
    assert past.status_code == 422 and "scheduled_at" in past.get_json()["error"]["fields"]
    other = stored_hazard(world.enterprises.b)
    db_session.commit()
    foreign = client.post("/api/v1/summons", json={**body, "hazard_ids": [other.id]},
                          headers=as_user(client, world.users.supervisor))
    assert foreign.status_code in (404, 422)
    assert db.session.scalar(select(func.count()).select_from(Summons)) == 0
