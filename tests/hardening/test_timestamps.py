"""Every timestamp the API answers carries its offset (RFC 3339), so a client in China reads the right hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marshmallow import class_registry, fields

from app.clock import today
from tests.hazards.helpers import PLAN


def _aware(text: str) -> datetime:
    ts = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert ts.tzinfo is not None, text
    return ts


def test_hazard_timestamps_carry_their_offset(client, world, tokens):
    before = datetime.now(UTC) - timedelta(seconds=5)
    r = client.post("/api/v1/hazards", json={"title": "配电箱未上锁"}, headers=tokens("manager"))
    body = r.get_json()
    created = _aware(body["created_at"])
    assert before <= created <= datetime.now(UTC) + timedelta(seconds=5)
    r = client.get(f"/api/v1/hazards/{body['id']}/events", headers=tokens("manager"))
    assert abs(_aware(r.get_json()["items"][0]["created_at"]) - created) < timedelta(seconds=5)
    r = client.get("/api/v1/hazards", headers=tokens("manager"))
    assert all(_aware(item["created_at"]) for item in r.get_json()["items"])


def test_plan_approval_time_carries_its_offset(client, world, tokens):
    r = client.post("/api/v1/hazards", json={"title": "储罐区防火堤破损"}, headers=tokens("manager"))
    hid = r.get_json()["id"]
    plan = {**PLAN, "workers_congress_reported_on": today().isoformat()}
    r = client.put(f"/api/v1/hazards/{hid}/plan", json=plan, headers=tokens("manager"))
    assert r.status_code == 200, r.get_json()
    r = client.post(f"/api/v1/hazards/{hid}/plan/approval", headers=tokens("principal"))
    assert r.status_code == 200, r.get_json()
    assert _aware(r.get_json()["plan"]["approved_at"]) <= datetime.now(UTC)


def test_token_expiry_carries_its_offset(client, world):
    from tests.conftest import PASSWORD

    r = client.post("/api/v1/auth/token", json={"username": world.users.staff.username, "password": PASSWORD})
    assert _aware(r.get_json()["expires_at"]) > datetime.now(UTC)


def test_no_api_schema_uses_a_zone_less_datetime_field(app):
    """The one place is app.api.Timestamp; a plain DateTime field would bring the bug back."""
    import app.api as api_package

    plain = []
    for name, classes in class_registry._registry.items():
        for cls in classes:
            if not cls.__module__.startswith("app.") or "." in name:
                continue
            for field_name, field in cls._declared_fields.items():
                if type(field) is fields.DateTime:
                    plain.append(f"{cls.__module__}.{cls.__name__}.{field_name}")
    assert plain == []
    assert issubclass(api_package.Timestamp, fields.DateTime)
