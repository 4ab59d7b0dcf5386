"""Fixtures of the exchange tests: enterprise a's chlorine tank farm with a check, a hazard found by it and
a 停用 record; enterprise a configured to report to a fake provincial receiver on loopback."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app import clock
from app.extensions import db
from tests.checks.conftest import NOV_MONDAY, client, make_point, request_ctx, tank_farm  # noqa: F401
from tests.exchange.receiver import FakeProvince

COMPANY = "123456789"
KEY = "0123456789abcdef"  # AES-128, as the province issues it to the enterprise (an env var, never the DB)


@contextmanager
def fake_province(app, credit_code: str, **profile):
    """The fake receiver, and the enterprise ``credit_code`` configured to push to it (profile,
    registration code; the key is the caller's environment variable)."""
    saved = {k: app.config.get(k) for k in ("EXCHANGE_PROFILES", "EXCHANGE_ENTERPRISES")}
    with FakeProvince(COMPANY, KEY) as fake:
        app.config["EXCHANGE_PROFILES"] = {"testprov": {"base_url": fake.url, "transport": "json",
                                                        "cipher": "AES/ECB", "batch_size": 3, "timeout": 5,
                                                        **profile}}
        app.config["EXCHANGE_ENTERPRISES"] = {credit_code: {"profile": "testprov", "company_code": COMPANY}}
        try:
            yield fake
        finally:
            app.config.update(saved)


@pytest.fixture
def province(app, world, monkeypatch):
    """The fake receiver, and enterprise a configured to push to it (profile, registration code, key)."""
    monkeypatch.setenv(f"SHUANGKONG_EXCHANGE_KEY_{COMPANY}", KEY)
    with fake_province(app, world.enterprises.a.credit_code) as fake:
        yield fake


@pytest.fixture
def plant(world, tank_farm):  # noqa: F811
    """The tank farm as a 危化 enterprise reports it: its 危险源编码, the unit's department and person, an
    abnormal check of the first measure (a hazard, confirmed), a normal one of the second, a 停用 record."""
    from app.checks import service as checks
    from app.hazards import service as hazards
    from app.risks import objects

    u = world.users
    tank_farm.object.hazard_source_code = "HS-3301-0007"
    tank_farm.point.responsible_department_id = world.departments.a.id
    tank_farm.point.responsible_user_id = u.manager.id
    with clock.moved_to(NOV_MONDAY):
        bad = checks.record_check(u.staff, tank_farm.tasks[0].id, result="abnormal", note="液位计读数漂移",
                                  device_id="IMEI-8600001")
        good = checks.record_check(u.staff, tank_farm.tasks[1].id, result="normal", device_id="IMEI-8600001")
        db.session.flush()
        hazard = hazards.confirm(bad.hazard_id, u.manager, level="general", responsible_user_id=u.staff.id,
                                 deadline=(NOV_MONDAY + timedelta(days=7)).date(), measures="校准液位计")
        stop = objects.add_suspension(u.manager, risk_point_id=tank_farm.point.id,
                                      starts_at="2026-11-10 08:00", ends_at="2026-11-12 18:00",
                                      reason="年度检修")
        db.session.commit()
    return SimpleNamespace(**vars(tank_farm), records=[bad, good], hazard=hazard, suspension=stop)
