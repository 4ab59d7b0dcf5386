"""Fixtures of the check tests: a unit with measures built through the risk service (the unit) and rows
(events, measures: the risk model's own use cases are another engineer's), and a fixed clock."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from flask import g

from app import clock
from app.extensions import db
from tests.conftest import ClosingClient

# Monday 2 March 2026, 09:30 in China: an ordinary working week (no holiday in it).
MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=clock.LOCAL_TZ)


def local(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=clock.LOCAL_TZ)


class FreshUserClient(ClosingClient):
    def open(self, *args, **kwargs):
        g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app, db_session):
    return FreshUserClient(app, app.response_class, use_cookies=True)


@pytest.fixture(autouse=True)
def request_ctx(request, app):
    """Service messages are translated (gettext needs a request for the locale)."""
    if request.node.get_closest_marker("postgres"):
        yield
        return
    request.getfixturevalue("db_session")
    with app.test_request_context():
        yield


def make_unit(world, enterprise=None, name="液氯储罐区", measures=("液位计完好", "紧急切断阀可用"),
              data_source="manual", object_=None, control_level="department"):
    """A risk point (through the service) with one event and its measures."""
    from app.risks import service
    from app.risks.models import ControlMeasure, RiskEvent

    enterprise = enterprise or world.enterprises.a
    actor = world.users.manager if enterprise.id == world.enterprises.a.id else world.users.admin
    point = service.create_point(actor, enterprise, name=name, area="罐区", controls={},
                                 hazard_factors=[], accident_types=[], control_level=control_level)
    if object_ is not None:
        point.object_id = object_.id
    event = RiskEvent(enterprise_id=enterprise.id, risk_point_id=point.id, name="液氯泄漏中毒",
                      accident_type="18")
    db.session.add(event)
    db.session.flush()
    rows = [ControlMeasure(enterprise_id=enterprise.id, risk_point_id=point.id, event_id=event.id,
                           description=text, classify1="1", classify2="1-2", data_source=data_source,
                           check_content=f"检查{text}", position=i)
            for i, text in enumerate(measures)]
    db.session.add_all(rows)
    db.session.flush()
    return SimpleNamespace(point=point, event=event, measures=rows)


@pytest.fixture
def unit(world):
    return make_unit(world)


DAILY = {"cycle": 1, "cycle_unit": "day", "starts_at": "2026-03-02T00:00:00+08:00"}
