"""A report filed logged out, followed by its ticket, screened, verified, made a hazard, closed and
rewarded, through the API and the pages; what the reporter and the authorities see at each step."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.public_reports.models import PublicReport, ReportDesignee
from tests.conftest import api_token, login
from tests.public_reports.conftest import NAME, PHONE, file_report, follow, png


def _report(world, client, **fields):
    resp = file_report(client, enterprise_name=world.enterprises.a.name, location="罐区", name=NAME,
                       phone=PHONE, photos=[png()], **fields)
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    return body["ticket"], body["secret"]


def test_the_whole_journey_through_the_api(app, world, client):
    ticket, secret = _report(world, client)
    assert ticket.startswith("JB") and len(secret) == 16
    assert follow(client, ticket, secret).get_json() == {"state": "submitted", "result": None,
                                                         "reward_state": None, "reward_paid_on": None}
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket))
    assert report.authority_id == world.authorities.county_a.id  # routed to the enterprise's county
    assert report.secret_hash != secret and secret not in (report.secret_hash or "")

    inspector = api_token(client, world.users.inspector)
    listed = client.get("/api/v1/reports", headers=inspector).get_json()
    assert [r["id"] for r in listed["items"]] == [report.id] and listed["total"] == 1
    assert client.post(f"/api/v1/reports/{report.id}/decision", json={"action": "reject"},
                       headers=inspector).status_code == 422  # 不予受理 needs a reason
    resp = client.post(f"/api/v1/reports/{report.id}/decision", json={"action": "accept"}, headers=inspector)
    assert resp.status_code == 200 and resp.get_json()["state"] == "accepted"
    assert follow(client, ticket, secret).get_json()["state"] == "accepted"

    # The inspector turns it into a hazard from the page (source: public report), linked both ways.
    login(client, world.users.inspector)
    resp = client.post(f"/reports/{report.id}/hazard", data={"h-title": "报警器关闭",
                                                              "h-enterprise_id": str(world.enterprises.a.id)})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    db.session.refresh(report)
    hazard_id = report.hazard_id
    hazard_page = client.get(f"/hazards/{hazard_id}").get_data(as_text=True)
    assert f"/reports/{report.id}" in hazard_page
    from app.hazards.models import Hazard

    hazard = db.session.get(Hazard, hazard_id)
    assert hazard.source.value == "public_report" and hazard.found_by_authority_id == world.authorities.county_a.id
    from app.hazards.models import HazardAttachment

    assert db.session.scalar(select(HazardAttachment.id).where(HazardAttachment.hazard_id == hazard_id))

    resp = client.post(f"/api/v1/reports/{report.id}/result", headers=inspector, json={
        "substantiated": True, "result": "举报属实，已责令整改并立案处罚。", "hazard_id": hazard_id})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["state"] == "closed" and resp.get_json()["substantiated"] is True
    assert follow(client, ticket, secret).get_json()["result"] == "举报属实，已责令整改并立案处罚。"

    # Reward: proposed by the inspector, approved by the supervisor (not by the inspector), paid.
    resp = client.post(f"/api/v1/reports/{report.id}/reward", headers=inspector,
                       json={"amount": "3000.00", "basis": "行政处罚 10000 元 × 15% 不足最低，按最低 3000 元"})
    assert resp.status_code == 200 and resp.get_json()["reward_state"] == "proposed"
    assert client.post(f"/api/v1/reports/{report.id}/reward/approval", json={}, headers=inspector).status_code == 403
    supervisor = api_token(client, world.users.supervisor)
    resp = client.post(f"/api/v1/reports/{report.id}/reward/approval", json={}, headers=supervisor)
    assert resp.status_code == 200 and resp.get_json()["reward_state"] == "approved"
    assert follow(client, ticket, secret).get_json()["reward_state"] == "approved"
    resp = client.post(f"/api/v1/reports/{report.id}/reward/payment", headers=inspector,
                       json={"paid_on": "2099-01-01", "method": "银行转账"})
    assert resp.status_code == 422 and "paid_on" in resp.get_json()["error"]["fields"]
    from app.clock import today

    resp = client.post(f"/api/v1/reports/{report.id}/reward/payment", headers=inspector,
                       json={"paid_on": today().isoformat(), "method": "银行转账"})
    assert resp.status_code == 200 and resp.get_json()["reward_state"] == "paid"
    assert follow(client, ticket, secret).get_json() == {
        "state": "closed", "result": "举报属实，已责令整改并立案处罚。", "reward_state": "paid",
        "reward_paid_on": today().isoformat()}

    stats = client.get("/api/v1/reports/statistics", headers=supervisor).get_json()
    row = next(r for r in stats["items"] if r["authority_id"] == world.authorities.county_a.id)
    assert (row["reports"], row["verified"], row["substantiated"], row["substantiation_rate"],
            row["rewards_paid"], row["rewards_paid_amount"]) == (1, 1, 1, 1.0, 1, "3000.00")


def test_a_supervisor_cannot_approve_his_own_proposal(app, world, client):
    ticket, _secret = _report(world, client)
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket))
    supervisor = api_token(client, world.users.supervisor)
    client.post(f"/api/v1/reports/{report.id}/decision", json={"action": "accept"}, headers=supervisor)
    client.post(f"/api/v1/reports/{report.id}/result", json={"substantiated": True, "result": "属实"},
                headers=supervisor)
    assert client.post(f"/api/v1/reports/{report.id}/reward", json={"amount": 3000, "basis": "按最低"},
                       headers=supervisor).status_code == 200
    resp = client.post(f"/api/v1/reports/{report.id}/reward/approval", json={}, headers=supervisor)
    assert resp.status_code == 422 and "actor" in resp.get_json()["error"]["fields"]
    assert db.session.get(PublicReport, report.id).reward_state.value == "proposed"


def test_an_anonymous_report_earns_no_reward(app, world, client):
    resp = file_report(client, location="城东小作坊", description="私自灌装液化气")
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == resp.get_json()["ticket"]))
    inspector = api_token(client, world.users.city_inspector if report.authority_id == world.authorities.city.id
                          else world.users.inspector)
    client.post(f"/api/v1/reports/{report.id}/decision", json={"action": "accept"}, headers=inspector)
    client.post(f"/api/v1/reports/{report.id}/result", json={"substantiated": True, "result": "属实"},
                headers=inspector)
    resp = client.post(f"/api/v1/reports/{report.id}/reward", json={"amount": 500, "basis": "x"}, headers=inspector)
    assert resp.status_code == 422 and "reporter" in resp.get_json()["error"]["fields"]


def test_transfer_opens_the_report_at_the_other_authority_and_the_ticket_follows(app, world, client):
    ticket, secret = _report(world, client)
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket))
    inspector = api_token(client, world.users.inspector)
    resp = client.post(f"/api/v1/reports/{report.id}/decision", headers=inspector,
                       json={"action": "transfer", "authority_id": world.authorities.county_a.id, "reason": "x"})
    assert resp.status_code == 422 and "authority_id" in resp.get_json()["error"]["fields"]  # not itself
    resp = client.post(f"/api/v1/reports/{report.id}/decision", headers=inspector, json={
        "action": "transfer", "authority_id": world.authorities.county_b.id, "reason": "属乙县管辖"})
    assert resp.status_code == 200 and resp.get_json()["state"] == "transferred"
    new_id = resp.get_json()["forwarded_to_id"]
    assert follow(client, ticket, secret).get_json()["state"] == "submitted"
    other = api_token(client, world.users.inspector_b)
    assert client.post(f"/api/v1/reports/{new_id}/decision", json={"action": "accept"},
                       headers=other).status_code == 200
    assert follow(client, ticket, secret).get_json()["state"] == "accepted"
    assert client.get(f"/api/v1/reports/{new_id}", headers=inspector).status_code == 404  # not county a's


def test_the_pages_of_the_handling(app, world, client):
    ticket, secret = _report(world, client, description="<script>alert('x')</script>报警器关闭")
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket))
    login(client, world.users.inspector)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert client.get("/reports/").status_code == 200
    resp = client.post(f"/reports/{report.id}/decide", data={"d-action": "reject", "d-reason": ""})
    assert resp.status_code == 422  # the reason is required; nothing changed
    assert db.session.get(PublicReport, report.id).state.value == "submitted"
    assert client.post(f"/reports/{report.id}/decide", data={"d-action": "accept", "d-reason": ""}).status_code == 302
    assert client.post(f"/reports/{report.id}/verify", data={"v-substantiated": "yes", "v-findings": "属实"}
                       ).status_code == 302
    resp = client.post(f"/reports/{report.id}/reward/compute", data={"r-fine": "50000"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "7500.00" in page and "安监总财〔2018〕19号" in page
    assert client.post(f"/reports/{report.id}/close", data={"c-result": "已处罚"}).status_code == 302
    assert client.post(f"/reports/{report.id}/reward", data={"p-amount": "7500.00", "p-basis": "按规则"}
                       ).status_code == 302
    login(client, world.users.supervisor)
    assert client.post(f"/reports/{report.id}/reward/decision", data={"a-approved": "yes"}).status_code == 302
    login(client, world.users.inspector)
    assert client.post(f"/reports/{report.id}/reward/payment", data={"y-paid_on": "2000-01-01",
                                                                   "y-method": "现金"}).status_code == 302
    resp = client.post("/report/track", data={"ticket": ticket, "secret": secret})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "已办结" in page and "已处罚" in page and "已发放" in page
    stats = client.get("/reports/statistics").get_data(as_text=True)
    assert "7500.00" in stats and "100.0%" in stats
    assert db.session.scalar(select(ReportDesignee.id)) is None


def test_two_inspectors_at_once_one_wins_the_other_gets_409(app, world, client):
    ticket, _secret = _report(world, client)
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket))
    version = report.version
    first = api_token(client, world.users.inspector)
    second = api_token(client, world.users.inspector2)
    assert client.post(f"/api/v1/reports/{report.id}/decision", headers=first,
                       json={"action": "accept", "version": version}).status_code == 200
    resp = client.post(f"/api/v1/reports/{report.id}/decision", headers=second,
                       json={"action": "reject", "reason": "不属实", "version": version})
    assert resp.status_code == 409
    assert db.session.get(PublicReport, report.id).state.value == "accepted"


def test_a_declined_reward_is_told_through_the_ticket(app, world, client):
    ticket, secret = _report(world, client)
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket))
    inspector, supervisor = api_token(client, world.users.inspector), api_token(client, world.users.supervisor)
    client.post(f"/api/v1/reports/{report.id}/decision", json={"action": "accept"}, headers=inspector)
    client.post(f"/api/v1/reports/{report.id}/result", json={"substantiated": True, "result": "属实"},
                headers=inspector)
    client.post(f"/api/v1/reports/{report.id}/reward", json={"amount": 3000, "basis": "按最低"}, headers=inspector)
    resp = client.post(f"/api/v1/reports/{report.id}/reward/approval", json={"approved": False}, headers=supervisor)
    assert resp.status_code == 422 and "reason" in resp.get_json()["error"]["fields"]
    resp = client.post(f"/api/v1/reports/{report.id}/reward/approval", headers=supervisor,
                       json={"approved": False, "reason": "同一事项已有他人先行举报"})
    assert resp.status_code == 200 and resp.get_json()["reward_state"] == "declined"
    assert follow(client, ticket, secret).get_json()["reward_state"] == "declined"
