"""Two first pushes of one enterprise at once, on PostgreSQL with two real connections (a job and the
立即上报 button, or two workers): exactly one status row, and no row reaches the receiver twice.

The first push has no status row to lock yet: both insert one, the second waits on the unique index until
the first commits, then takes the first's row (locked) and finds everything acknowledged. The data is
committed for real (both connections must see it) and removed at the end.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, func, select

from app import clock
from app.extensions import db
from tests.checks.conftest import local
from tests.conftest import IS_POSTGRES, Factory, delete_region_chain
from tests.exchange.conftest import COMPANY, KEY, fake_province

pytestmark = [pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (two connections)"),
              pytest.mark.postgres]
MOMENT = local(2026, 3, 2, 9, 30)
CREDIT = "91330000EXCHCONC01"


@pytest.fixture
def committed_plant(app):
    """A committed enterprise with one unit, event, measure and daily task, and two checks of it."""
    from app.checks import service as checks
    from app.risks import service as risks
    from app.risks.models import ControlMeasure, RiskEvent, RiskObject

    with app.app_context(), app.test_request_context():
        db.session.remove()
        f = Factory()
        county = f.region("并发上报县", level="county")
        enterprise = f.enterprise(county, name="并发上报化工有限公司")
        enterprise.credit_code = CREDIT
        dept = f.department(enterprise, name="储运部")
        manager = f.user("enterprise_manager", enterprise=enterprise, username="exc_conc_m")
        staff = f.user("enterprise_staff", enterprise=enterprise, username="exc_conc_s", department=dept)
        obj = RiskObject(enterprise_id=enterprise.id, name="液氯罐区", hazard_source_code="HS-3301-0099")
        db.session.add(obj)
        db.session.flush()
        point = risks.create_point(manager, enterprise, name="液氯储罐", area="罐区", controls={},
                                   hazard_factors=[], accident_types=[])
        point.object_id, point.responsible_department_id, point.responsible_user_id = obj.id, dept.id, manager.id
        event = RiskEvent(enterprise_id=enterprise.id, risk_point_id=point.id, name="泄漏")
        db.session.add(event)
        db.session.flush()
        measure = ControlMeasure(enterprise_id=enterprise.id, risk_point_id=point.id, event_id=event.id,
                                 description="液位计完好", classify1="1", classify2="1-2", check_content="查液位计")
        db.session.add(measure)
        db.session.flush()
        with clock.moved_to(local(2026, 3, 1, 12)):
            task = checks.create_task(manager, measure.id, cycle=1, cycle_unit="day",
                                      starts_at="2026-03-02", assignee_department_id=dept.id)
        db.session.flush()
        with clock.moved_to(MOMENT):
            checks.record_check(staff, task.id, result="normal", device_id="IMEI-1")
        db.session.commit()
        ids = SimpleNamespace(enterprise=enterprise.id, region=county.id, obj=obj.id)
        db.session.remove()
    try:
        yield ids
    finally:
        with app.app_context():
            from app.auth.models import User
            from app.checks.models import CheckRecord, CheckTask
            from app.exchange.models import ExchangeRow, ExchangeStatus
            from app.organisations.models import Department, Enterprise
            from app.risks.models import RiskArea, RiskPoint, RiskSummary

            e = ids.enterprise
            for stmt in (delete(ExchangeRow).where(ExchangeRow.enterprise_id == e),
                         delete(ExchangeStatus).where(ExchangeStatus.enterprise_id == e),
                         delete(CheckRecord).where(CheckRecord.enterprise_id == e),
                         delete(CheckTask).where(CheckTask.enterprise_id == e),
                         delete(ControlMeasure).where(ControlMeasure.enterprise_id == e),
                         delete(RiskEvent).where(RiskEvent.enterprise_id == e),
                         delete(RiskPoint).where(RiskPoint.enterprise_id == e),
                         delete(RiskObject).where(RiskObject.enterprise_id == e),
                         delete(RiskSummary).where(RiskSummary.enterprise_id == e),
                         delete(RiskArea).where(RiskArea.enterprise_id == e),
                         delete(User).where(User.username.like("exc_conc_%")),
                         delete(Department).where(Department.enterprise_id == e),
                         delete(Enterprise).where(Enterprise.id == e)):
                db.session.execute(stmt)
            delete_region_chain(ids.region)
            db.session.commit()
            db.session.remove()


@pytest.fixture
def province(app, monkeypatch):
    monkeypatch.setenv(f"SHUANGKONG_EXCHANGE_KEY_{COMPANY}", KEY)
    with fake_province(app, CREDIT, batch_size=2) as fake:
        yield fake


def _push(app, enterprise_id, barrier, results, hold):
    from app.exchange import service

    with app.app_context(), clock.moved_to(MOMENT):
        try:
            barrier.wait()
            result = service.push(enterprise_id)
            time.sleep(hold)  # keep the transaction open while the other one tries
            db.session.commit()
            results.append(result)
        except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on it
            db.session.rollback()
            results.append({"raised": repr(exc)})
        finally:
            db.session.remove()


def _two_pushes(app, enterprise_id) -> list[dict]:
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_push, args=(app, enterprise_id, barrier, results, 0.5)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2 and not any("raised" in r for r in results), results
    return results


def test_two_first_pushes_at_once_make_one_status_and_send_every_row_once(app, committed_plant, province):
    from app.exchange.models import ExchangeRow, ExchangeStatus

    results = _two_pushes(app, committed_plant.enterprise)
    assert sorted(r["accepted"] for r in results) == [0, 6]  # one push sent all, the other nothing
    assert len(province.rows) == 6 and set(province.times.values()) == {1}  # no row arrived twice
    with app.app_context():
        mine = ExchangeStatus.enterprise_id == committed_plant.enterprise
        assert db.session.scalar(select(func.count()).select_from(ExchangeStatus).where(mine)) == 1
        status = db.session.scalar(select(ExchangeStatus).where(mine))
        assert status.pending_rows == 0 and status.acknowledged_rows == 6 and status.last_error is None
        rows = db.session.scalar(select(func.count()).select_from(ExchangeRow)
                                 .where(ExchangeRow.enterprise_id == committed_plant.enterprise))
        assert rows == 6
        db.session.remove()


def test_two_later_pushes_at_once_send_a_change_once(app, committed_plant, province):
    from app.risks.models import ControlMeasure

    _two_pushes(app, committed_plant.enterprise)
    with app.app_context():
        measure = db.session.scalar(select(ControlMeasure).where(ControlMeasure.enterprise_id
                                                                == committed_plant.enterprise))
        measure.description = "液位计完好，高液位报警投用"
        db.session.commit()
        db.session.remove()

    results = _two_pushes(app, committed_plant.enterprise)  # the status row exists: the second waits on its lock
    assert sorted(r["accepted"] for r in results) == [0, 1]
    assert sorted(province.times.values()) == [1, 1, 1, 1, 1, 2]  # the measure twice (two contents), the rest once
