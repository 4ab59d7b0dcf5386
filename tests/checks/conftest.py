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
    """A risk point with one event and its measures, through the risk register's use cases."""
    from app.risks import events, service

    enterprise = enterprise or world.enterprises.a
    actor = world.users.manager if enterprise.id == world.enterprises.a.id else world.users.admin
    point = service.create_point(actor, enterprise, name=name, area="罐区", controls={},
                                 hazard_factors=[], accident_types=[], control_level=control_level)
    if object_ is not None:
        point.object_id = object_.id
    event = events.create_event(actor, point, name="液氯泄漏中毒", accident_type="18")
    rows = [events.create_measure(actor, event, description=text, classify1="1", classify2="1-2",
                                  data_source=data_source, check_content=f"检查{text}")
            for text in measures]
    db.session.flush()
    return SimpleNamespace(point=point, event=event, measures=rows)


@pytest.fixture
def unit(world):
    return make_unit(world)


DAILY = {"cycle": 1, "cycle_unit": "day", "starts_at": "2026-03-02T00:00:00+08:00"}


# --- the check pages (feat/checks-ui) -----------------------------------------------------------------

from tests.risks.conftest import make_point, pdf_text  # noqa: E402, F401

# Monday 2 November 2026, 08:30 in China: the pages' tests run at a known moment (clock.moved_to).
NOV_MONDAY = clock.local_moment(datetime(2026, 11, 2).date(), 8, 30)


@pytest.fixture
def tank_farm(world, make_point):  # noqa: F811  (the fixture imported above)
    """Enterprise a's chlorine tank farm, through the register's use cases: a major hazard source
    (principal; technical = the manager; operator = the member of staff), one unit with one event and
    three measures checked by people and one watched by monitoring; a daily task per manual measure
    assigned to the member of staff, from Sunday 1 November 2026."""
    from app.checks import service
    from app.risks import events, objects

    u = world.users
    ent = world.enterprises.a
    with clock.moved_to(NOV_MONDAY.replace(day=1)):
        obj = objects.create_object(u.manager, ent, name="液氯储罐区（重大危险源）", major_hazard_level=1,
                                    principal_user_id=u.principal.id, technical_user_id=u.manager.id,
                                    operator_user_id=u.staff.id)
        point = make_point(name="液氯储罐区", area="罐区", controls={}, object_id=obj.id)
        event = events.events_of(point)[0]
        texts = [("储罐液位、压力在控制范围内", "1", "1-1"), ("紧急切断阀完好可用", "1", "1-3"),
                 ("氯气检测报警仪完好", "4", "4-1"), ("DCS压力高报警联锁", "1", "1-4")]
        measures = [events.create_measure(u.manager, event, description=text, classify1=c1, classify2=c2,
                                          data_source="automatic" if n == 3 else "manual",
                                          check_content=f"检查{text}")
                    for n, (text, c1, c2) in enumerate(texts)]
        db.session.flush()
        tasks = [service.create_task(u.manager, m.id, cycle=1, cycle_unit="day", starts_at="2026-11-01T00:00:00",
                                     assignee_user_id=u.staff.id) for m in measures[:3]]
        db.session.commit()
    return SimpleNamespace(point=point, object=obj, event=event, measures=measures, tasks=tasks)
