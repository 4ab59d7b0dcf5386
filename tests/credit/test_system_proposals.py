"""The system proposes (issue 19 item 5): the scan finds the enterprises whose own facts meet an entry
condition configured in their region (a substantiated concealment → 瞒报、谎报生产安全事故), proposes them once
per fact to the authority's supervisors as a to-do, and a person decides, giving the penalty decision."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock, signals
from app.cli import scan_in_transaction
from app.credit.models import DishonestyEntry
from app.extensions import db
from tests.credit.conftest import configure
from tests.supervision.conftest import as_user, login_as


class _Report:
    id, ticket, category = 7, "JB-7", "concealment"


def _concealment_substantiated(world):
    signals.report_substantiated.send(_Report(), enterprise=world.enterprises.a, category="concealment")
    db.session.commit()


def _entries():
    return db.session.scalars(select(DishonestyEntry).order_by(DishonestyEntry.id)).all()


def test_the_scan_proposes_once_per_fact_and_a_person_decides(world, client, principal_named):
    assert scan_in_transaction()["credit.dishonesty_proposals"] == {"proposed": 0, "skipped": 0}
    _concealment_substantiated(world)
    assert scan_in_transaction()["credit.dishonesty_proposals"] == {"proposed": 2, "skipped": 0}
    db.session.commit()
    entries = _entries()
    # The enterprise and its principal (by name), on the condition the fact supports, citing it.
    assert sorted((e.subject.value, e.person_name, e.conditions[0], e.state.value) for e in entries) == [
        ("enterprise", "", "accident_concealed", "proposed"), ("principal", "张三丰", "accident_concealed", "proposed")]
    assert all(e.proposed_by_id is None and "JB-7" in e.facts and e.penalty_decision == "" for e in entries)
    assert {e.authority_id for e in entries} == {world.users.supervisor.authority_id}
    # Scanning again, today or days later, proposes nothing more.
    assert scan_in_transaction()["credit.dishonesty_proposals"]["proposed"] == 0
    with clock.moved_to(clock.utcnow() + timedelta(days=3)):
        assert scan_in_transaction()["credit.dishonesty_proposals"]["proposed"] == 0
    db.session.commit()

    # A to-do of the deciding authority's supervisors, not of another authority's.
    supervisor = as_user(client, world.users.supervisor)
    todo = {(i["kind"], i["object_id"]) for i in client.get("/api/v1/todos", headers=supervisor).get_json()["items"]}
    assert {("dishonesty_decide", e.id) for e in entries} <= todo
    other = client.get("/api/v1/todos", headers=as_user(client, world.users.supervisor_b)).get_json()["items"]
    assert not [i for i in other if i["kind"] == "dishonesty_decide"]

    company, person = sorted(entries, key=lambda e: e.subject.value)
    got = client.get(f"/api/v1/dishonesty-list/{company.id}", headers=as_user(client, world.users.supervisor))
    assert got.get_json()["proposed_by_id"] is None and got.get_json()["source_record_id"] == company.source_record_id
    # A person decides: the listing presupposes the penalty decision, which the system cannot know.
    supervisor = as_user(client, world.users.supervisor)
    today = clock.today().isoformat()
    refused = client.post(f"/api/v1/dishonesty-list/{company.id}/decision", headers=supervisor,
                          json={"action": "list", "notified_on": today})
    assert refused.status_code == 422 and "penalty_decision" in refused.get_json()["error"]["fields"]
    listed = client.post(f"/api/v1/dishonesty-list/{company.id}/decision", headers=supervisor,
                         json={"action": "list", "notified_on": today, "penalty_decision": "（甲）应急罚〔2026〕21号"})
    assert listed.status_code == 200, listed.get_json()
    assert listed.get_json()["state"] == "listed" and listed.get_json()["penalty_decision"] == "（甲）应急罚〔2026〕21号"
    assert listed.get_json()["decision_no"]
    not_listed = client.post(f"/api/v1/dishonesty-list/{person.id}/decision", headers=supervisor,
                             json={"action": "refuse", "reason": "主要负责人不负直接责任"})
    assert not_listed.status_code == 200 and not_listed.get_json()["state"] == "refused"
    # Refused once, the same fact is not proposed again.
    with clock.moved_to(clock.utcnow() + timedelta(days=30)):
        assert scan_in_transaction()["credit.dishonesty_proposals"]["proposed"] == 0
    assert len(_entries()) == 2


def test_the_proposal_page_names_the_system_and_asks_the_penalty(world, client, principal_named):
    _concealment_substantiated(world)
    scan_in_transaction()
    db.session.commit()
    entry = next(e for e in _entries() if e.subject.value == "enterprise")
    login_as(client, world.users.supervisor)
    page = client.get(f"/credit/entries/{entry.id}").get_data(as_text=True)
    assert "data-system-proposal" in page and "decide-penalty_decision" in page and "JB-7" in page
    resp = client.post(f"/credit/entries/{entry.id}", data={
        "what": "decide", "decide-action": "list", "decide-notified_on": clock.today().isoformat(),
        "decide-version": str(entry.version), "decide-restriction_domains": ["business"]})
    assert resp.status_code == 422 and "行政处罚决定" in resp.get_data(as_text=True)
    resp = client.post(f"/credit/entries/{entry.id}", data={
        "what": "decide", "decide-action": "list", "decide-notified_on": clock.today().isoformat(),
        "decide-version": str(entry.version), "decide-restriction_domains": ["business"],
        "decide-penalty_decision": "（甲）应急罚〔2026〕22号"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.refresh(entry)
    assert entry.state.value == "listed" and entry.penalty_decision == "（甲）应急罚〔2026〕22号"


def test_no_proposal_where_the_region_does_not_configure_the_condition(world, client, principal_named):
    configure(world, "dishonesty", {"conditions": ["unlicensed", "accident_major"], "source": "测试省"})
    _concealment_substantiated(world)
    assert scan_in_transaction()["credit.dishonesty_proposals"] == {"proposed": 0, "skipped": 2}
    assert _entries() == []


def test_no_second_proposal_while_the_subject_is_already_proposed(world, client, principal_named):
    resp = client.post("/api/v1/dishonesty-list", headers=as_user(client, world.users.inspector), json={
        "enterprise_id": world.enterprises.a.id, "condition": "unlicensed", "penalty_decision": "（甲）应急罚〔2026〕9号",
        "evidence": {"unlicensed": "许可证暂扣期间组织生产"}})
    assert resp.status_code == 201, resp.get_json()
    _concealment_substantiated(world)
    # The officer's proposal of the enterprise is pending: only its principal is proposed.
    assert scan_in_transaction()["credit.dishonesty_proposals"] == {"proposed": 1, "skipped": 1}
    assert sorted(e.subject.value for e in _entries()) == ["enterprise", "principal"]
