"""The serious-dishonesty list: proposed on the configured conditions (refused naming the condition when
not met), decided by another person with the numbered notice, raising the inspection frequency on the
enterprise's pages, repaired early on the region's conditions, expired by the scan."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.cli import scan_in_transaction
from app.documents import service as documents
from app.documents.models import Document
from app.extensions import db
from app.storage import load
from tests.credit.conftest import configure
from tests.supervision.conftest import as_user, login_as, pdf_text

SHANXI_LIKE = {"period_months": 36, "early_removal_min_months": 12,
               "early_removal_conditions": {"penalty_done": "已履行行政处罚决定"}, "source": "测试省制度"}


def _propose(client, world, **extra):
    return client.post("/api/v1/dishonesty-list", headers=as_user(client, world.users.inspector), json={
        "enterprise_id": world.enterprises.a.id, "condition": "unlicensed",
        "penalty_decision": "（甲）应急罚〔2026〕9号", **extra})


def _listed(client, world, **propose_extra):
    proposed = _propose(client, world, evidence={"unlicensed": "许可证暂扣期间组织生产"}, **propose_extra)
    assert proposed.status_code == 201, proposed.get_json()
    entry = proposed.get_json()
    decided = client.post(f"/api/v1/dishonesty-list/{entry['id']}/decision",
                          headers=as_user(client, world.users.supervisor),
                          json={"action": "list", "notified_on": clock.today().isoformat()})
    assert decided.status_code == 200, decided.get_json()
    return decided.get_json()


def test_entry_refused_naming_the_condition_when_not_met(world, client, principal_named):
    refused = _propose(client, world)
    assert refused.status_code == 422
    message = refused.get_json()["error"]["fields"]["condition"][0]
    assert "未依法取得安全生产相关许可" in message
    no_penalty = _propose(client, world, penalty_decision="", evidence={"unlicensed": "有"})
    assert no_penalty.status_code == 422 and "penalty_decision" in no_penalty.get_json()["error"]["fields"]
    listed = client.get("/api/v1/dishonesty-list", headers=as_user(client, world.users.inspector)).get_json()
    assert listed["total"] == 0


def test_a_substantiated_concealment_supports_its_condition(world, client, principal_named):
    from app import signals

    class Report:
        id, ticket, category = 3, "JB-3", "concealment"

    signals.report_substantiated.send(Report(), enterprise=world.enterprises.a, category="concealment")
    resp = client.post("/api/v1/dishonesty-list", headers=as_user(client, world.users.inspector), json={
        "enterprise_id": world.enterprises.a.id, "condition": "accident_concealed",
        "penalty_decision": "（甲）应急罚〔2026〕10号"})
    assert resp.status_code == 201, resp.get_json()


def test_listed_by_another_person_with_the_notice_and_shown_on_the_enterprise(world, client, principal_named):
    configure(world, "dishonesty", SHANXI_LIKE)
    entry = _propose(client, world, evidence={"unlicensed": "许可证暂扣期间组织生产"}).get_json()
    assert entry["state"] == "proposed" and entry["restriction_domains"]
    # the proposer does not decide (he is no supervisor, and the machine wants another person)
    assert client.post(f"/api/v1/dishonesty-list/{entry['id']}/decision", headers=as_user(client, world.users.inspector),
                       json={"action": "list", "notified_on": clock.today().isoformat()}).status_code == 403
    no_notice = client.post(f"/api/v1/dishonesty-list/{entry['id']}/decision",
                            headers=as_user(client, world.users.supervisor), json={"action": "list"})
    assert no_notice.status_code == 422 and "notified_on" in no_notice.get_json()["error"]["fields"]

    body = client.post(f"/api/v1/dishonesty-list/{entry['id']}/decision", headers=as_user(client, world.users.supervisor),
                       json={"action": "list", "notified_on": clock.today().isoformat(),
                             "restriction_domains": ["government_procurement", "bidding"]}).get_json()
    assert body["state"] == "listed" and body["listed_on"] == clock.today().isoformat()
    expected_end = clock.today().replace(year=clock.today().year + 3)
    assert body["expires_on"] == expected_end.isoformat()
    assert body["decision_no"].startswith("（甲）应急失信〔")
    document = db.session.get(Document, body["notice_document_id"])
    text = pdf_text(load(document.pdf_sha256))
    assert "列入安全生产严重失信主体名单决定书" in text and "甲化工有限公司" in text
    assert "政府采购、工程招投标" in text and "申请提前移出" in text and "行政复议" in text

    # the enterprise sees its entry and the flag; officers see it where inspections are shown
    login_as(client, world.users.manager)
    page = client.get(f"/enterprises/{world.enterprises.a.id}").get_data(as_text=True)
    assert "严重失信主体名单" in page and "提高检查频次" in page
    login_as(client, world.users.inspector)
    assert client.get(f"/credit/entries/{entry['id']}").status_code == 200
    assert documents  # the notice is a documents kind (numbering, QR code, PDF)


def test_repaired_early_on_the_region_conditions_and_expiry_by_the_scan(world, client, principal_named):
    configure(world, "dishonesty", SHANXI_LIKE)
    entry = _listed(client, world)
    manager = as_user(client, world.users.manager)
    applied = client.post(f"/api/v1/dishonesty-list/{entry['id']}/removal", headers=manager,
                          json={"action": "apply", "statement": "已缴清罚款并完成整改", "conditions": ["penalty_done"]})
    assert applied.status_code == 200, applied.get_json()
    supervisor = as_user(client, world.users.supervisor)
    too_early = client.post(f"/api/v1/dishonesty-list/{entry['id']}/removal", headers=supervisor,
                            json={"action": "grant", "reason": "已整改", "decision_no": "（甲）应急移〔2026〕1号"})
    assert too_early.status_code == 422 and "conditions" in too_early.get_json()["error"]["fields"]

    with clock.moved_to(clock.utcnow() + timedelta(days=400)):
        granted = client.post(f"/api/v1/dishonesty-list/{entry['id']}/removal",
                              headers=as_user(client, world.users.supervisor),
                              json={"action": "grant", "reason": "已履行处罚决定，信用修复完成",
                                    "decision_no": "（甲）应急移〔2027〕1号"})
        assert granted.status_code == 200, granted.get_json()
        assert granted.get_json()["state"] == "removed_early"
        assert granted.get_json()["removal_decision_no"] == "（甲）应急移〔2027〕1号"

    second = _listed(client, world, subject="principal")
    with clock.moved_to(clock.utcnow() + timedelta(days=365 * 3 + 2)):
        assert scan_in_transaction()["credit.dishonesty_expiry"] == {"expired": 1}
        got = client.get(f"/api/v1/dishonesty-list/{second['id']}",
                         headers=as_user(client, world.users.supervisor)).get_json()
    assert got["state"] == "expired" and got["removed_on"]


def test_no_period_is_invented_where_the_region_configures_none(world, client, principal_named):
    entry = _listed(client, world)  # the national rule set: no period read, none configured
    assert entry["expires_on"] is None and entry["rule_set"] == "national@2023.1"
    applied = client.post(f"/api/v1/dishonesty-list/{entry['id']}/removal", headers=as_user(client, world.users.manager),
                          json={"action": "apply", "statement": "已整改"})
    assert applied.status_code == 200
    refused = client.post(f"/api/v1/dishonesty-list/{entry['id']}/removal",
                          headers=as_user(client, world.users.supervisor),
                          json={"action": "grant", "reason": "x", "decision_no": "1"})
    assert refused.status_code == 422
    assert "early_removal_min_months" in refused.get_json()["error"]["fields"]
