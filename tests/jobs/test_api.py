"""/api/v1/notifications and /api/v1/me/notification-preferences."""

from __future__ import annotations

from app.extensions import db
from app.notifications import service
from tests.conftest import api_token

PREFS = "/api/v1/me/notification-preferences"


def test_preferences_default_then_saved(client, world):
    h = api_token(client, world.users.manager)
    r = client.get(PREFS, headers=h)
    assert r.status_code == 200
    assert r.get_json() == {"channels": {"email": True, "sms": False, "wecom": False, "dingtalk": False,
                                         "webhook": False}, "quiet_hours": ""}
    body = {"channels": {"email": False, "sms": True, "wecom": True, "dingtalk": False, "webhook": True},
            "quiet_hours": "22:00-07:00"}
    r = client.put(PREFS, headers=h, json=body)
    assert r.status_code == 200 and r.get_json() == body
    assert client.get(PREFS, headers=h).get_json() == body
    # Someone else's preferences are untouched.
    assert client.get(PREFS, headers=api_token(client, world.users.staff)).get_json()["channels"]["email"] is True


def test_invalid_quiet_hours_is_422_naming_the_field_and_changes_nothing(client, world):
    h = api_token(client, world.users.manager)
    good = {"channels": {"email": True, "sms": False, "wecom": False, "dingtalk": False, "webhook": False},
            "quiet_hours": "21:00-06:00"}
    assert client.put(PREFS, headers=h, json=good).status_code == 200
    for bad in ("25:00-07:00", "22:00", "22:00-22:00", "10pm-7am", "22:60-07:00"):
        r = client.put(PREFS, headers=h, json={**good, "quiet_hours": bad})
        assert r.status_code == 422, bad
        err = r.get_json()["error"]
        assert err["code"] == "validation_failed" and list(err["fields"]) == ["quiet_hours"]
        assert bad in err["fields"]["quiet_hours"][0] and "22:00-07:00" in err["fields"]["quiet_hours"][0]
    assert client.get(PREFS, headers=h).get_json()["quiet_hours"] == "21:00-06:00"


def test_preferences_body_must_name_every_channel(client, world):
    h = api_token(client, world.users.manager)
    r = client.put(PREFS, headers=h, json={"channels": {"email": True}, "quiet_hours": ""})
    assert r.status_code == 422 and "channels" in r.get_json()["error"]["fields"]


def test_notifications_list_unread_and_read(client, world):
    manager, other = world.users.manager, world.users.manager_b
    first = service.notify(manager.id, kind="hazard_confirm", text="请整改 YH-1", dedupe_key="a")
    second = service.notify(manager.id, kind="hazard_confirm", text="请整改 YH-2", dedupe_key="b")
    foreign = service.notify(other.id, kind="hazard_confirm", text="别人的", dedupe_key="c")
    db.session.commit()
    h = api_token(client, manager)
    r = client.get("/api/v1/notifications", headers=h)
    assert r.status_code == 200
    assert [n["id"] for n in r.get_json()["items"]] == [second, first]
    r = client.post(f"/api/v1/notifications/{first}/read", headers=h)
    assert r.status_code == 200 and r.get_json()["read_at"]
    items = client.get("/api/v1/notifications?unread=true", headers=h).get_json()["items"]
    assert [n["text"] for n in items] == ["请整改 YH-2"]
    assert client.post(f"/api/v1/notifications/{foreign}/read", headers=h).status_code == 404
    assert client.get("/api/v1/notifications", headers=api_token(client, other)).get_json()["items"][0]["read_at"] is None
