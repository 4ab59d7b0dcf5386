"""Each channel adapter against a real receiver on loopback, through the delivery job (embedded mode:
the job runs in this process right after the commit)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from urllib.parse import unquote_plus

import pytest
from sqlalchemy import select

from app.extensions import db
from app.notifications import channels, service
from app.notifications.models import NotificationDelivery
from tests.jobs.receivers import HttpReceiver, SmtpReceiver


@pytest.fixture
def user(world, db_session):
    u = world.users.manager
    u.email, u.phone = "manager@example.test", "13800001111"
    db_session.commit()
    return u


def _want(user, **channels_on):
    on = {name: False for name in service.CHANNEL_NAMES} | channels_on
    service.save_preferences(user, channels=on, quiet_hours="")


def _notify(user, text="请验收 YH-2026-0018 储罐区法兰泄漏", key="k1"):
    nid = service.notify(user.id, kind="hazard_submit", text=text, dedupe_key=key)
    db.session.commit()  # deliveries leave only now
    return nid


def _attempts(nid):
    return [(d.channel, d.attempt, d.result) for d in db.session.scalars(
        select(NotificationDelivery).where(NotificationDelivery.notification_id == nid)
        .order_by(NotificationDelivery.id))]


def test_email_reaches_a_real_smtp_server(app, user, monkeypatch):
    with SmtpReceiver() as smtp:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", smtp.port)
        _want(user, email=True)
        nid = _notify(user)
        assert len(smtp.messages) == 1
        rcpts, msg = smtp.messages[0]
        assert rcpts == ["manager@example.test"] and msg["Subject"] == "双控系统提醒"
        assert "请验收 YH-2026-0018" in msg.get_content()
    assert _attempts(nid) == [("email", 1, "sent")]


def test_nothing_is_sent_on_a_channel_the_user_switched_off(app, user, monkeypatch):
    with SmtpReceiver() as smtp:
        monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
        monkeypatch.setitem(app.config, "SMTP_PORT", smtp.port)
        _want(user, email=False)
        nid = _notify(user)
        assert smtp.messages == [] and _attempts(nid) == []


def test_sms_through_the_generic_http_gateway(app, user, monkeypatch):
    with HttpReceiver(200, {"ok": True}) as gw:
        monkeypatch.setitem(app.config, "SMS_GATEWAY_URL", gw.url + "/sms/send")
        monkeypatch.setitem(app.config, "SMS_GATEWAY_BODY", '{"to": "{phone}", "content": "{text}", "sign": "双控"}')
        monkeypatch.setitem(app.config, "SMS_GATEWAY_TOKEN", "gw-token")
        _want(user, sms=True)
        nid = _notify(user, text='请验收 "YH-2026-0018"')
        assert gw.json() == {"to": "13800001111", "content": '请验收 "YH-2026-0018"', "sign": "双控"}
        assert gw.requests[0]["headers"]["Authorization"] == "Bearer gw-token"
    assert _attempts(nid) == [("sms", 1, "sent")]


def test_wecom_group_robot_payload(app, user, monkeypatch):
    with HttpReceiver(200, {"errcode": 0, "errmsg": "ok"}) as robot:
        monkeypatch.setitem(app.config, "WECOM_WEBHOOK_URL", robot.url + "/cgi-bin/webhook/send?key=robot-key")
        _want(user, wecom=True)
        nid = _notify(user)
        req = robot.requests[0]
        assert req["path"] == "/cgi-bin/webhook/send" and req["query"] == {"key": ["robot-key"]}
        assert robot.json() == {"msgtype": "text", "text": {"content": "请验收 YH-2026-0018 储罐区法兰泄漏",
                                                            "mentioned_mobile_list": ["13800001111"]}}
    assert _attempts(nid) == [("wecom", 1, "sent")]


def test_a_robot_errcode_is_a_failed_attempt(app, user, monkeypatch):
    with HttpReceiver(200, {"errcode": 93000, "errmsg": "invalid webhook url"}) as robot:
        monkeypatch.setitem(app.config, "WECOM_WEBHOOK_URL", robot.url + "/cgi-bin/webhook/send?key=bad")
        monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 1)
        _want(user, wecom=True)
        nid = _notify(user)
    row = db.session.scalars(select(NotificationDelivery).where(NotificationDelivery.notification_id == nid)).one()
    assert (row.result, row.attempt) == ("failed", 1) and "93000" in row.error


def test_dingtalk_robot_payload_and_signature(app, user, monkeypatch):
    secret = "SECtest0123456789"
    with HttpReceiver(200, {"errcode": 0, "errmsg": "ok"}) as robot:
        monkeypatch.setitem(app.config, "DINGTALK_WEBHOOK_URL", robot.url + "/robot/send?access_token=tok")
        monkeypatch.setitem(app.config, "DINGTALK_SECRET", secret)
        _want(user, dingtalk=True)
        nid = _notify(user)
        req = robot.requests[0]
        query = req["query"]
        assert query["access_token"] == ["tok"]
        ts = query["timestamp"][0]
        assert abs(int(ts) / 1000 - time.time()) < 3600  # milliseconds, within the robot's hour
        # As the robot checks it: Base64(HmacSHA256(secret, "timestamp\nsecret")), URL-encoded in the query.
        expected = base64.b64encode(hmac.new(secret.encode(), f"{ts}\n{secret}".encode(),
                                             hashlib.sha256).digest()).decode()
        raw_sign = dict(p.split("=", 1) for p in req["raw_query"].split("&"))["sign"]
        assert unquote_plus(raw_sign) == expected
        assert robot.json() == {"msgtype": "text", "text": {"content": "请验收 YH-2026-0018 储罐区法兰泄漏"},
                                "at": {"atMobiles": ["13800001111"], "isAtAll": False}}
    assert _attempts(nid) == [("dingtalk", 1, "sent")]


def test_signed_webhook_verifies_and_refuses_replay(app, user, monkeypatch):
    with HttpReceiver(204) as hook:
        monkeypatch.setitem(app.config, "WEBHOOK_URL", hook.url + "/hooks/shuangkong")
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "shared-secret")
        _want(user, webhook=True)
        nid = _notify(user)
        req = hook.requests[0]
    ts, sig = req["headers"][channels.TIMESTAMP_HEADER], req["headers"][channels.SIGNATURE_HEADER]
    assert channels.verify_webhook("shared-secret", req["body"], ts, sig)
    assert not channels.verify_webhook("other-secret", req["body"], ts, sig)
    assert not channels.verify_webhook("shared-secret", req["body"] + b" ", ts, sig)  # body changed
    assert not channels.verify_webhook("shared-secret", req["body"], ts, sig, now=int(ts) + 301)  # replayed later
    body = hook.json()
    assert body["id"] == nid and body["username"] == user.username and body["kind"] == "hazard_submit"
    assert body["text"] == "请验收 YH-2026-0018 储罐区法兰泄漏"
    assert _attempts(nid) == [("webhook", 1, "sent")]


def test_a_receiver_that_answers_500_is_failed_after_the_last_attempt(app, user, monkeypatch):
    with HttpReceiver(500) as hook:
        monkeypatch.setitem(app.config, "WEBHOOK_URL", hook.url)
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "s")
        monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 1)
        _want(user, webhook=True)
        nid = _notify(user)
        assert len(hook.requests) == 1
    row = db.session.scalars(select(NotificationDelivery).where(NotificationDelivery.notification_id == nid)).one()
    assert row.result == "failed" and row.error == "HTTP 500"


def test_a_receiver_that_times_out_is_a_failed_attempt(app, user, monkeypatch):
    with HttpReceiver(200, delay=2) as hook:
        monkeypatch.setitem(app.config, "WEBHOOK_URL", hook.url)
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "s")
        monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 1)
        monkeypatch.setitem(app.config, "NOTIFY_HTTP_TIMEOUT", 0.5)
        _want(user, webhook=True)
        nid = _notify(user)
    row = db.session.scalars(select(NotificationDelivery).where(NotificationDelivery.notification_id == nid)).one()
    assert row.result == "failed" and "timed out" in row.error.lower()


def test_a_repeated_run_of_a_delivered_job_sends_nothing_twice(app, user, monkeypatch):
    from app import jobs

    with HttpReceiver(204) as hook:
        monkeypatch.setitem(app.config, "WEBHOOK_URL", hook.url)
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "s")
        _want(user, webhook=True)
        nid = _notify(user)
        jobs.perform("notifications.deliver", {"notification_ids": [nid], "channel": "webhook"})  # at-least-once
        assert len(hook.requests) == 1
    assert _attempts(nid) == [("webhook", 1, "sent")]


def test_quiet_hours_hold_a_delivery_until_they_end():
    from datetime import datetime

    assert service.quiet_wait_seconds("22:00-07:00", datetime(2026, 11, 29, 23, 30)) == 7.5 * 3600
    assert service.quiet_wait_seconds("22:00-07:00", datetime(2026, 11, 29, 6, 59)) == 60
    assert service.quiet_wait_seconds("22:00-07:00", datetime(2026, 11, 29, 7, 0)) == 0
    assert service.quiet_wait_seconds("12:00-13:30", datetime(2026, 11, 29, 12, 15)) == 75 * 60
    assert service.quiet_wait_seconds("", datetime(2026, 11, 29, 3, 0)) == 0


def test_admin_sees_every_attempt_with_its_error(app, client, world, user, monkeypatch):
    from tests.conftest import login

    with HttpReceiver(500) as hook:
        monkeypatch.setitem(app.config, "WEBHOOK_URL", hook.url)
        monkeypatch.setitem(app.config, "WEBHOOK_SECRET", "s")
        monkeypatch.setitem(app.config, "NOTIFY_MAX_ATTEMPTS", 1)
        _want(user, webhook=True)
        _notify(user)
    login(client, world.users.manager)
    assert client.get("/notifications/deliveries").status_code == 403
    login(client, world.users.admin)
    page = client.get("/notifications/deliveries").get_data(as_text=True)
    assert "推送记录" in page and "Webhook 回调" in page and "HTTP 500" in page and ">失败<" in page
