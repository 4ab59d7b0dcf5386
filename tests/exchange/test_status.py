"""The push status an enterprise and its authority see (page, API, command line), and the push commands."""

from __future__ import annotations

from datetime import timedelta

from app import clock
from app.exchange import service
from app.extensions import db
from tests.conftest import api_token, login
from tests.exchange.conftest import NOV_MONDAY
from workflows import exchange as x

LATER = NOV_MONDAY + timedelta(hours=2)


def _push(world, at=LATER):
    with clock.moved_to(at):
        service.push(world.enterprises.a.id)
        db.session.commit()


def test_the_enterprise_and_its_authority_see_the_status_and_what_waits(client, world, plant, province):
    plant.suspension.reason = ""  # a 停用 record without its reason (stopReason is required)
    db.session.commit()
    _push(world)
    province.down = True
    plant.point.name = "液氯储罐区（一期）"
    db.session.commit()
    _push(world, LATER + timedelta(hours=1))

    login(client, world.users.manager)
    page = client.get(f"/exchange/{world.enterprises.a.id}").get_data(as_text=True)
    assert "数据上报" in page and "上报失败" in page and "HTTP 503" in page and "立即上报" in page
    assert "停用/检修记录：stopReason 缺少必填字段" in page
    listing = client.get("/exchange/").get_data(as_text=True)
    assert world.enterprises.a.name in listing and "2026-11-02 10:30" in listing  # the last success

    headers = api_token(client, world.users.inspector)
    (item,) = client.get("/api/v1/exchange/status", headers=headers).get_json()["items"]
    assert item["enterprise_id"] == world.enterprises.a.id and item["pending_rows"] == 2
    assert item["last_success_at"].startswith("2026-11-02T02:30") and "上报失败" in item["last_error"]
    detail = client.get(f"/api/v1/exchange/status/{world.enterprises.a.id}", headers=headers).get_json()
    assert detail["refused"][0]["dataset"] == x.SUSPENSION and "缺少必填字段" in detail["refused"][0]["error"]
    other = api_token(client, world.users.inspector_b)
    assert client.get(f"/api/v1/exchange/status/{world.enterprises.a.id}", headers=other).status_code == 404


def test_a_push_asked_for_by_the_manager_runs_after_the_answer(client, world, plant, province):
    headers = api_token(client, world.users.manager)
    with clock.moved_to(LATER):
        resp = client.post(f"/api/v1/exchange/status/{world.enterprises.a.id}/push", headers=headers)
    assert resp.status_code == 202
    assert len(province.rows) == 13  # the in-process job ran once the answer was sent
    staff = api_token(client, world.users.staff)
    assert client.post(f"/api/v1/exchange/status/{world.enterprises.a.id}/push", headers=staff).status_code == 403
    assert client.post(f"/api/v1/exchange/status/{world.enterprises.b.id}/push",
                       headers=api_token(client, world.users.admin)).get_json()["error"]["fields"] \
        == {"enterprise_id": ["该企业未配置数据上报。"]}


def test_the_commands_push_and_tell_the_status(runner, world, plant, province):
    with clock.moved_to(LATER):
        out = runner.invoke(args=["exchange", "push", "--enterprise", world.enterprises.a.credit_code])
    assert out.exit_code == 0, out.output
    assert "accepted=13" in out.output and len(province.rows) == 13
    out = runner.invoke(args=["exchange", "status"])
    assert "pending 0" in out.output and "error -" in out.output
    province.down = True
    plant.point.name = "改名"
    db.session.commit()
    out = runner.invoke(args=["exchange", "push"])
    assert out.exit_code == 1 and "HTTP 503" in out.output
    assert runner.invoke(args=["exchange", "push", "--enterprise", "nobody"]).exit_code != 0


def test_a_missing_key_is_a_plain_chinese_error(world, plant, province, monkeypatch):
    monkeypatch.delenv("SHUANGKONG_EXCHANGE_KEY_123456789")
    _push(world)
    assert province.rows == {}
    assert "未配置企业密钥" in service.status_of(world.enterprises.a.id).last_error
