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
    assert item["never_pushed"] is False
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
    assert "待上报 0 条" in out.output and "最近错误：无" in out.output
    province.down = True
    plant.point.name = "改名"
    db.session.commit()
    out = runner.invoke(args=["exchange", "push"])
    assert out.exit_code == 1 and "HTTP 503" in out.output
    out = runner.invoke(args=["exchange", "status"])
    assert "待上报 1 条" in out.output and "上报失败：无法送达省级平台（HTTP 503）" in out.output
    assert runner.invoke(args=["exchange", "push", "--enterprise", "nobody"]).exit_code != 0


def test_a_missing_key_is_a_plain_chinese_error(world, plant, province, monkeypatch):
    monkeypatch.delenv("SHUANGKONG_EXCHANGE_KEY_123456789")
    _push(world)
    assert province.rows == {}
    assert "未配置企业密钥" in service.status_of(world.enterprises.a.id).last_error


def test_a_configured_enterprise_that_never_pushed_shows_what_its_first_push_will_send(
        client, runner, world, plant, province):
    plant.suspension.reason = ""  # refused by the rules: counted apart, listed with its problem
    db.session.commit()
    a = world.enterprises.a.id
    login(client, world.users.manager)
    page = client.get(f"/exchange/{a}").get_data(as_text=True)
    assert "尚未上报" in page and "立即上报" in page and "停用/检修记录：stopReason 缺少必填字段" in page
    assert "隐患排查记录</td><td>2" in page.replace("\n", "").replace(" ", "")
    assert "尚未上报" in client.get("/exchange/").get_data(as_text=True)

    headers = api_token(client, world.users.inspector)  # the authority of its region sees it too
    detail = client.get(f"/api/v1/exchange/status/{a}", headers=headers).get_json()
    assert detail["never_pushed"] is True and detail["pending_rows"] == 13 and detail["refused_rows"] == 1
    assert detail["pending_by_dataset"][x.RECORD] == 2 and detail["last_success_at"] is None
    assert detail["refused"][0]["dataset"] == x.SUSPENSION
    (item,) = client.get("/api/v1/exchange/status", headers=headers).get_json()["items"]
    assert item["enterprise_id"] == a and item["never_pushed"] is True and item["pending_rows"] is None
    assert client.get(f"/api/v1/exchange/status/{a}", headers=api_token(client, world.users.inspector_b)) \
        .status_code == 404
    not_configured = client.get(f"/api/v1/exchange/status/{world.enterprises.b.id}",
                                headers=api_token(client, world.users.admin))
    assert not_configured.status_code == 404
    assert "尚未上报；首次上报将发送 13 条，其中 1 条需先更正" in runner.invoke(args=["exchange", "status"]).output
    assert province.rows == {} and service.pending_by_dataset(a) == {}  # reading sent and wrote nothing

    with clock.moved_to(LATER):
        client.post(f"/exchange/{a}/push")
    detail = client.get(f"/api/v1/exchange/status/{a}", headers=headers).get_json()
    assert detail["never_pushed"] is False and detail["acknowledged_rows"] == 12 and len(province.rows) == 12
