"""Credit records: made by the system from its own facts (a listed hazard run overdue, a failed review, a
substantiated concealment), by an authority by hand, objected to and corrected; scoped to the region."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock, signals
from app.cli import scan_in_transaction
from app.credit.models import CreditRecord
from app.extensions import db
from tests.conftest import api_token
from tests.credit.conftest import configure
from tests.supervision.conftest import as_user, login_as


def _records(enterprise_id):
    return db.session.scalars(select(CreditRecord).where(CreditRecord.enterprise_id == enterprise_id)
                              .order_by(CreditRecord.id)).all()


def test_a_listed_hazard_run_overdue_makes_records_for_enterprise_and_principal(world, listed_hazard, client):
    configure(world, "credit", {"weights": {"major_hazard_overdue": 3, "review_failed": 1}})
    assert _records(world.enterprises.a.id) == []
    with clock.moved_to(clock.utcnow() + timedelta(days=32)):
        scan_in_transaction()
        scan_in_transaction()  # a second scan records nothing twice
    records = _records(world.enterprises.a.id)
    assert [(r.subject.value, r.person_name, r.kind.value, r.weight) for r in records] == [
        ("enterprise", "", "major_hazard_overdue", 3.0), ("principal", "张三丰", "major_hazard_overdue", 3.0)]
    assert listed_hazard.code in records[0].source and "逾期未整改" in records[0].source
    assert records[0].rule_set.startswith("r") and records[0].created_by_id is None

    body = client.get(f"/api/v1/enterprises/{world.enterprises.a.id}/credit-records",
                      headers=as_user(client, world.users.inspector)).get_json()
    assert body["total"] == 2 and {i["kind"] for i in body["items"]} == {"major_hazard_overdue"}
    assert all(i["automatic"] for i in body["items"])


def test_a_region_that_does_not_count_a_kind_records_nothing(world, listed_hazard):
    configure(world, "credit", {"weights": {"review_failed": 1}})
    with clock.moved_to(clock.utcnow() + timedelta(days=32)):
        scan_in_transaction()
    assert _records(world.enterprises.a.id) == []


def test_a_failed_review_counts(world, principal_named, db_session):
    from app.hazards import service as hazards
    from tests.supervision.conftest import stored_hazard

    hazard = stored_hazard(world.enterprises.a, state="pending_review")
    hazards.fire(hazard.id, "reject", world.users.manager, reason="整改不到位，法兰仍渗漏")
    db_session.commit()
    kinds = [r.kind.value for r in _records(world.enterprises.a.id)]
    assert kinds == ["review_failed", "review_failed"]


def test_a_substantiated_concealment_report_counts(world, principal_named, db_session):
    class Report:  # what the reports feature sends: its own row; credit reads id, ticket, enterprise, category
        id, ticket, category = 7, "JB-2026-0007", "concealment"
        enterprise = world.enterprises.a

    signals.report_substantiated.send(Report(), actor=world.users.supervisor, enterprise=world.enterprises.a,
                                      category="concealment")
    signals.report_substantiated.send(Report(), actor=world.users.supervisor, enterprise=world.enterprises.a,
                                      category="concealment")
    signals.report_substantiated.send(Report(), enterprise=world.enterprises.a, category="major_hazard")
    records = _records(world.enterprises.a.id)
    assert [r.kind.value for r in records] == ["concealment_substantiated"] * 2
    assert "JB-2026-0007" in records[0].source


def test_by_hand_objected_and_corrected_with_reasons(world, client, principal_named):
    ent = world.enterprises.a.id
    inspector = as_user(client, world.users.inspector)
    resp = client.post(f"/api/v1/enterprises/{ent}/credit-records", headers=inspector,
                       json={"kind": "inspection_refused", "source": "现场检查记录（甲）应急检记〔2026〕3号：拒绝进入罐区"})
    assert resp.status_code == 201, resp.get_json()
    record = resp.get_json()
    assert record["state"] == "recorded" and record["weight"] == 1.0

    # bad input: 422, nothing recorded
    bad = client.post(f"/api/v1/enterprises/{ent}/credit-records", headers=inspector,
                      json={"kind": "inspection_refused", "source": "  "})
    assert bad.status_code == 422 and "source" in bad.get_json()["error"]["fields"]
    assert len(_records(ent)) == 1

    # the inspector cannot object; the enterprise's manager can
    assert client.post(f"/api/v1/credit-records/{record['id']}/objection", headers=inspector,
                       json={"reason": "x"}).status_code == 403
    manager = as_user(client, world.users.manager)
    objected = client.post(f"/api/v1/credit-records/{record['id']}/objection", headers=manager,
                           json={"reason": "当日罐区正在动火作业，已请检查人员改日检查"})
    assert objected.status_code == 200 and objected.get_json()["state"] == "objected"
    assert client.post(f"/api/v1/credit-records/{record['id']}/objection", headers=manager,
                       json={"reason": "再次异议"}).status_code == 409

    supervisor = as_user(client, world.users.supervisor)
    no_reason = client.post(f"/api/v1/credit-records/{record['id']}/decision", headers=supervisor,
                            json={"action": "correct", "reason": "核实属实", "weight": 0})
    assert no_reason.status_code == 422 and "correction" in no_reason.get_json()["error"]["fields"]
    done = client.post(f"/api/v1/credit-records/{record['id']}/decision", headers=supervisor,
                       json={"action": "correct", "reason": "经核实动火作业属实", "correction": "撤销该记录", "weight": 0})
    body = done.get_json()
    assert done.status_code == 200 and body["state"] == "corrected" and body["weight"] == 0
    assert body["original_weight"] == 1.0 and body["decision_reason"] == "经核实动火作业属实"
    assert body["objection"] == "当日罐区正在动火作业，已请检查人员改日检查"


def test_a_record_outside_the_region_answers_404(world, client):
    ent_b = world.enterprises.b.id
    headers = api_token(client, world.users.inspector)
    assert client.get(f"/api/v1/enterprises/{ent_b}/credit-records", headers=headers).status_code == 404
    assert client.post(f"/api/v1/enterprises/{ent_b}/credit-records", headers=headers,
                       json={"kind": "manual", "source": "x"}).status_code == 404
    assert _records(ent_b) == []


def test_the_credit_page_records_a_fact(world, client, principal_named):
    login_as(client, world.users.inspector)
    page = client.get(f"/credit/enterprises/{world.enterprises.a.id}")
    assert page.status_code == 200 and "信用记录" in page.get_data(as_text=True)
    resp = client.post(f"/credit/enterprises/{world.enterprises.a.id}",
                       data={"what": "record", "record-kind": "manual", "record-subject": "principal",
                             "record-source": ""})
    assert resp.status_code == 422  # the source is required; what was typed stays
    resp = client.post(f"/credit/enterprises/{world.enterprises.a.id}",
                       data={"what": "record", "record-kind": "manual", "record-subject": "principal",
                             "record-source": "行政处罚决定书（甲）应急罚〔2026〕5号"}, follow_redirects=True)
    assert resp.status_code == 200 and "应急罚〔2026〕5号" in resp.get_data(as_text=True)
