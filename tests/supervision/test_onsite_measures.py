"""现场处理措施决定书: measures decided on site, with the rights notice; the hazard's production
suspension comes from the decision (with its event), and the audit replays it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from app.clock import today
from app.documents import service as documents
from app.documents.models import Document
from app.extensions import db
from app.hazards import history
from app.hazards.models import Hazard, HazardEvent
from app.supervision.models import OnSiteMeasures
from tests.supervision.conftest import as_user, pdf_text, stored_hazard


def test_measures_decided_on_site_are_printed_and_recorded_on_the_hazard(client, world, db_session):
    hazard = stored_hazard(world.enterprises.a, level="major", title="液氯储罐区紧急切断阀失效")
    db_session.commit()
    until = today() + timedelta(days=30)
    resp = client.post("/api/v1/onsite-measures", headers=as_user(client, world.users.inspector), json={
        "hazard_id": hazard.id, "second_officer_id": world.users.inspector2.id,
        "facts": "液氯储罐区紧急切断阀失效，重大事故隐患排除过程中无法保证安全", "evacuate": True,
        "suspension": "partial", "stop_use": "液氯储罐区3号储罐", "until": until.isoformat()})
    assert resp.status_code == 201, resp.get_json()
    out = resp.get_json()
    document = db.session.get(Document, out["document_id"])
    assert document.number.startswith("（甲）应急现决〔")
    text = pdf_text(documents.pdf_bytes(document))
    assert "现场处理措施决定书" in text and "第六十五条第一款第（三）项" in text
    assert "责令从危险区域内撤出作业人员" in text and "责令局部暂时停产停业" in text
    assert "责令停止使用液氯储罐区3号储罐" in text and f"{until.year}年{until.month}月{until.day}日" in text
    assert "申请行政复议" in text and "本决定" in text  # the rights notice
    assert "36000001" in text and "36000002" in text
    hazard = db.session.get(Hazard, hazard.id)
    assert hazard.production_suspension.value == "partial"
    last = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                              .order_by(HazardEvent.seq.desc())).first()
    assert last.trigger == "onsite_measures" and last.data["document_id"] == document.id
    assert history.implied_row([last])["production_suspension"] == "partial"


def test_bad_measures_are_refused_and_change_nothing(client, world, db_session):
    hazard = stored_hazard(world.enterprises.a)
    db_session.commit()
    headers = as_user(client, world.users.inspector)
    base = {"hazard_id": hazard.id, "second_officer_id": world.users.inspector2.id, "facts": "消防通道堵塞"}
    none = client.post("/api/v1/onsite-measures", headers=headers, json=base)
    assert none.status_code == 422 and "measures" in none.get_json()["error"]["fields"]
    no_period = client.post("/api/v1/onsite-measures", headers=headers, json={**base, "suspension": "full"})
    assert no_period.status_code == 422 and "until" in no_period.get_json()["error"]["fields"]
    too_long = client.post("/api/v1/onsite-measures", headers=headers, json={
        **base, "suspension": "full", "until": (today() + timedelta(days=200)).isoformat()})
    assert too_long.status_code == 422 and "until" in too_long.get_json()["error"]["fields"]
    assert client.post("/api/v1/onsite-measures", headers=as_user(client, world.users.manager),
                       json={**base, "eliminate_now": True}).status_code == 403
    assert client.post("/api/v1/onsite-measures", headers=as_user(client, world.users.inspector_b),
                       json={**base, "eliminate_now": True}).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(OnSiteMeasures)) == 0
    assert db.session.get(Hazard, hazard.id).production_suspension.value == "none"
