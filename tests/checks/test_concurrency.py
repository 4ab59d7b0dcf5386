"""Two people recording the same window at once, on PostgreSQL with two real connections: exactly one
record, the other answers 409; the same client id twice at once gives the first record back.

The data is committed for real (both connections must see it) and removed at the end.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from app import clock
from app.errors import Conflict
from app.extensions import db
from tests.checks.conftest import local
from tests.conftest import IS_POSTGRES, Factory, delete_region_chain

pytestmark = [pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (two connections)"),
              pytest.mark.postgres]
MOMENT = local(2026, 3, 2, 9, 30)


@pytest.fixture
def committed_task(app):
    from app.checks import service
    from app.risks import service as risks
    from app.risks.models import ControlMeasure, RiskEvent

    with app.app_context(), app.test_request_context():
        db.session.remove()
        f = Factory()
        county = f.region("并发排查县", level="county")
        enterprise = f.enterprise(county, name="并发排查化工有限公司")
        dept = f.department(enterprise, name="储运部")
        users = SimpleNamespace(
            one=f.user("enterprise_staff", enterprise=enterprise, username="chk_conc_1", department=dept),
            two=f.user("enterprise_staff", enterprise=enterprise, username="chk_conc_2", department=dept),
            manager=f.user("enterprise_manager", enterprise=enterprise, username="chk_conc_m"))
        point = risks.create_point(users.manager, enterprise, name="液氯罐区", area="罐区", controls={},
                                   hazard_factors=[], accident_types=[])
        event = RiskEvent(enterprise_id=enterprise.id, risk_point_id=point.id, name="泄漏")
        db.session.add(event)
        db.session.flush()
        measure = ControlMeasure(enterprise_id=enterprise.id, risk_point_id=point.id, event_id=event.id,
                                 description="液位计完好", classify1="1", classify2="1-2")
        db.session.add(measure)
        db.session.flush()
        with clock.moved_to(local(2026, 3, 1, 12)):
            task = service.create_task(users.manager, measure.id, cycle=1, cycle_unit="day",
                                       starts_at="2026-03-02", assignee_department_id=dept.id)
        db.session.commit()
        ids = SimpleNamespace(task=task.id, enterprise=enterprise.id, region=county.id, point=point.id,
                              users={k: u.id for k, u in vars(users).items()})
        db.session.remove()
    try:
        yield ids
    finally:
        with app.app_context():
            from app.auth.models import User
            from app.checks.models import CheckRecord, CheckTask
            from app.organisations.models import Department, Enterprise
            from app.risks.models import RiskArea, RiskPoint, RiskSummary

            for stmt in (delete(CheckRecord).where(CheckRecord.enterprise_id == ids.enterprise),
                         delete(CheckTask).where(CheckTask.enterprise_id == ids.enterprise),
                         delete(ControlMeasure).where(ControlMeasure.enterprise_id == ids.enterprise),
                         delete(RiskEvent).where(RiskEvent.enterprise_id == ids.enterprise),
                         delete(RiskPoint).where(RiskPoint.enterprise_id == ids.enterprise),
                         delete(RiskSummary).where(RiskSummary.enterprise_id == ids.enterprise),
                         delete(RiskArea).where(RiskArea.enterprise_id == ids.enterprise),
                         delete(User).where(User.username.like("chk_conc_%")),
                         delete(Department).where(Department.enterprise_id == ids.enterprise),
                         delete(Enterprise).where(Enterprise.id == ids.enterprise)):
                db.session.execute(stmt)
            delete_region_chain(ids.region)
            db.session.commit()
            db.session.remove()


def _record(app, ids, user_key, barrier, results, hold, client_id=None):
    from app.auth.models import User
    from app.checks import service

    with app.app_context(), app.test_request_context(), clock.moved_to(MOMENT):
        try:
            user = db.session.get(User, ids.users[user_key])
            barrier.wait()
            record = service.record_check(user, ids.task, result="normal", client_id=client_id)
            time.sleep(hold)  # keep the transaction open while the other one tries
            db.session.commit()
            results.append(("ok", record.id))
        except Conflict as exc:
            db.session.rollback()
            results.append(("conflict", exc.status))
        finally:
            db.session.remove()


def _run(app, ids, who, client_ids):
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_record, args=(app, ids, w, barrier, results, 0.3, c))
               for w, c in zip(who, client_ids, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def _records(app, ids):
    from app.checks.models import CheckRecord

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(CheckRecord).where(CheckRecord.task_id == ids.task))
        db.session.remove()
    return n


def test_two_people_record_the_same_window_at_once(app, committed_task):
    results = _run(app, committed_task, ("one", "two"), (None, None))
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert [r[1] for r in results if r[0] == "conflict"] == [409]
    assert _records(app, committed_task) == 1


def test_the_same_client_id_twice_at_once_is_one_record(app, committed_task):
    results = _run(app, committed_task, ("one", "one"), ("tap-1", "tap-1"))
    assert [r[0] for r in results] == ["ok", "ok"], results
    assert results[0][1] == results[1][1]
    assert _records(app, committed_task) == 1
