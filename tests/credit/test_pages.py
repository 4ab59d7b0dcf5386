"""The supervisor's pages: an entry decided from its page (the notice follows), a refusal with the typed
text kept, the list page, the enterprise's page showing the flag."""

from __future__ import annotations

from app import clock
from app.credit import dishonesty
from tests.supervision.conftest import login_as


def _proposed(world, db_session):
    entry = dishonesty.propose(world.users.inspector, enterprise_id=world.enterprises.a.id, condition="unlicensed",
                               penalty_decision="（甲）应急罚〔2026〕2号", evidence={"unlicensed": "暂扣期间生产"})
    db_session.commit()
    return entry


def test_a_supervisor_lists_from_the_page(world, client, db_session):
    entry = _proposed(world, db_session)
    login_as(client, world.users.supervisor)
    page = client.get(f"/credit/entries/{entry.id}").get_data(as_text=True)
    assert "不予列入" in page and "未依法取得安全生产相关许可" in page

    missing = client.post(f"/credit/entries/{entry.id}", data={
        "what": "decide", "decide-action": "list", "decide-reason": "情节严重", "decide-version": entry.version})
    assert missing.status_code == 422
    body = missing.get_data(as_text=True)
    assert "请填写告知当事人列入理由、依据及权利的日期" in body and "情节严重" in body  # typed text kept

    done = client.post(f"/credit/entries/{entry.id}", data={
        "what": "decide", "decide-action": "list", "decide-notified_on": clock.today().isoformat(),
        "decide-restriction_domains": ["bidding"], "decide-version": entry.version}, follow_redirects=True)
    assert done.status_code == 200
    html = done.get_data(as_text=True)
    assert "已列入" in html and "应急失信〔" in html and "工程招投标" in html

    listing = client.get("/credit/?state=listed").get_data(as_text=True)
    assert "甲化工有限公司" in listing
    login_as(client, world.users.inspector)
    inspections = client.get("/supervision/inspections").status_code
    assert inspections == 200
    ent = client.get(f"/enterprises/{world.enterprises.a.id}").get_data(as_text=True)
    assert "提高检查频次" in ent


def test_a_stale_page_loses_to_the_first_decision(world, client, db_session):
    entry = _proposed(world, db_session)
    stale = entry.version
    dishonesty.decide(world.users.supervisor, entry.id, action="refuse", reason="证据不足")
    db_session.commit()
    login_as(client, world.users.supervisor)
    resp = client.post(f"/credit/entries/{entry.id}", data={
        "what": "decide", "decide-action": "list", "decide-notified_on": clock.today().isoformat(),
        "decide-version": stale})
    assert resp.status_code == 409


def test_decisions_and_objections_wait_in_the_supervisors_to_do_list(world, client, db_session):
    from app.credit import service
    from app.credit.models import CreditFactKind
    from tests.supervision.conftest import as_user

    entry = _proposed(world, db_session)
    record = service.create(world.users.inspector, world.enterprises.a.id, kind=CreditFactKind.manual,
                            source="（甲）应急罚〔2026〕3号")
    service.object_to(world.users.manager, record.id, reason="已整改")
    db_session.commit()
    items = client.get("/api/v1/todos", headers=as_user(client, world.users.supervisor)).get_json()["items"]
    kinds = {(i["kind"], i["object_id"]) for i in items}
    assert ("dishonesty_decide", entry.id) in kinds and ("credit_objections", record.id) in kinds
    other = client.get("/api/v1/todos", headers=as_user(client, world.users.supervisor_b)).get_json()["items"]
    assert not [i for i in other if i["kind"] in ("dishonesty_decide", "credit_objections")]
