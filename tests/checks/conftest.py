"""Fixtures of the check pages' tests: those of the risk tests (points through the service, gettext in a
request, a fresh user per request)."""

from __future__ import annotations

from tests.risks.conftest import make_point, pdf_text, request_ctx  # noqa: F401

from datetime import datetime  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import pytest  # noqa: E402

from app import clock  # noqa: E402
from app.extensions import db  # noqa: E402

# A Monday 08:30 in China: every test of the pages runs at a known moment (clock.moved_to).
MONDAY = clock.local_moment(datetime(2026, 11, 2).date(), 8, 30)


@pytest.fixture
def tank_farm(world, make_point):
    """Enterprise a's chlorine tank farm: a major hazard source (principal, technical = the manager,
    operator = the member of staff), one unit with one event and three measures checked by people and
    one watched by monitoring; a daily task per manual measure assigned to the member of staff."""
    from app.checks import service
    from app.risks.models import ControlMeasure, RiskEvent, RiskObject

    u = world.users
    ent = world.enterprises.a
    with clock.moved_to(MONDAY.replace(day=1)):
        point = make_point(name="液氯储罐区", area="罐区")
        obj = RiskObject(enterprise_id=ent.id, name="液氯储罐区（重大危险源）", major_hazard_level=1,
                         principal_user_id=u.principal.id, technical_user_id=u.manager.id,
                         operator_user_id=u.staff.id)
        db.session.add(obj)
        db.session.flush()
        point.object_id = obj.id
        event = RiskEvent(enterprise_id=ent.id, risk_point_id=point.id, name="液氯泄漏中毒")
        db.session.add(event)
        db.session.flush()
        texts = [("储罐液位、压力在控制范围内", "1", "1-1"), ("紧急切断阀完好可用", "1", "1-3"),
                 ("氯气检测报警仪完好", "4", "4-1"), ("DCS压力高报警联锁", "1", "1-4")]
        measures = []
        for n, (text, c1, c2) in enumerate(texts):
            m = ControlMeasure(enterprise_id=ent.id, risk_point_id=point.id, event_id=event.id, description=text,
                               classify1=c1, classify2=c2, data_source="automatic" if n == 3 else "manual",
                               check_content=f"检查{text}", position=n)
            db.session.add(m)
            measures.append(m)
        db.session.flush()
        tasks = [service.create_task(u.manager, m.id, cycle=1, cycle_unit="day", starts_at="2026-11-01T00:00:00",
                                     assignee_user_id=u.staff.id) for m in measures[:3]]
        db.session.commit()
    return SimpleNamespace(point=point, object=obj, event=event, measures=measures, tasks=tasks)
