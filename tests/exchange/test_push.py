"""Pushing to the provincial platform: the seven datasets in the national shape, incrementally, parents
first, deletions as deleted=1, outages and refused rows survived (issue 21 items 1, 3 and 5)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.exchange import service
from app.exchange.models import ExchangeStatus
from app.extensions import db
from tests.exchange.conftest import COMPANY, NOV_MONDAY
from workflows import exchange as x

LATER = NOV_MONDAY + timedelta(hours=2)


def push(world, at=LATER):
    with clock.moved_to(at):
        result = service.push(world.enterprises.a.id)
        db.session.commit()
    return result


def status(world) -> ExchangeStatus:
    return db.session.scalar(select(ExchangeStatus).where(ExchangeStatus.enterprise_id == world.enterprises.a.id))


def test_an_enterprise_s_data_reaches_the_receiver_in_the_national_shape(world, plant, province):
    result = push(world)

    assert "error" not in result and result["pending"] == 0
    assert len(province.rows_of(x.UNIT)) == 1 and len(province.rows_of(x.EVENT)) == 1
    assert len(province.rows_of(x.MEASURE)) == 4 and len(province.rows_of(x.TASK)) == 3
    assert len(province.rows_of(x.RECORD)) == 2 and len(province.rows_of(x.HAZARD)) == 1
    assert len(province.rows_of(x.SUSPENSION)) == 1
    unit = province.rows_of(x.UNIT)[0]
    assert unit["hazardCode"] == "HS-3301-0007" and unit["companyCode"] == COMPANY
    assert unit["hazardDep"] == "安全部" and unit["riskUnitName"] == "液氯储罐区" and unit["deleted"] == "0"
    measures = {m["riskMeasureDesc"]: m for m in province.rows_of(x.MEASURE)}
    assert measures["DCS压力高报警联锁"]["dataSrc"] == "1" and measures["紧急切断阀完好可用"]["classify2"] == "1-3"
    task = province.rows_of(x.TASK)[0]
    assert (task["checkCycle"], task["checkCycleUnit"], task["workType"], task["workDayType"]) == (1, "天", "0", "0")
    records = {r["checkStatus"]: r for r in province.rows_of(x.RECORD)}
    assert records["1"]["mobileMe"] == "IMEI-8600001" and records["0"]["isDefend"] == "0"
    hazard = province.rows_of(x.HAZARD)[0]
    assert (hazard["dangerSrc"], hazard["dangerState"], hazard["dangerLevel"], hazard["dangerManageType"]) \
        == ("9", "0", "0", "1")
    assert hazard["checkRecordId"] == records["1"]["id"] and hazard["dangerManageDeadline"] == "20261109000000"
    stop = province.rows_of(x.SUSPENSION)[0]
    assert (stop["stopStartTime"], stop["stopReason"]) == ("20261110080000", "年度检修")
    # Parents before children: every row arrived after the rows it names.
    order = [d for d, _ in province.arrivals]
    assert order == sorted(order, key=x.ORDER.index)
    s = status(world)
    assert s.last_success_at is not None and s.pending_rows == 0 and s.acknowledged_rows == 13
    assert s.last_error is None


def test_a_day_of_changes_is_pushed_incrementally(world, plant, province):
    from app.checks import service as checks
    from app.risks import events

    push(world)
    arrived_before = len(province.arrivals)
    # The next day: one new measure, the day's checks, a unit renamed.
    with clock.moved_to(NOV_MONDAY + timedelta(days=1)):
        events.create_measure(world.users.manager, plant.event, description="防毒面具完好", classify1="4",
                              classify2="4-2", check_content="检查防毒面具")
        checks.record_check(world.users.staff, plant.tasks[1].id, result="normal")
        checks.record_check(world.users.staff, plant.tasks[2].id, result="normal")
        plant.point.name = "液氯储罐区（一期）"
        db.session.commit()
    result = push(world, NOV_MONDAY + timedelta(days=1, hours=3))

    new = province.arrivals[arrived_before:]
    assert sorted(d for d, _ in new) == sorted([x.UNIT, x.MEASURE, x.RECORD, x.RECORD])
    assert result["accepted"] == 4 and result["pending"] == 0
    assert province.rows[new[0]]["riskUnitName"] == "液氯储罐区（一期）"
    # Nothing changed since: the next push sends nothing.
    assert push(world, NOV_MONDAY + timedelta(days=2))["sent"] == 0


def test_a_retired_measure_is_sent_as_deleted_with_its_tasks(world, plant, province):
    from app.risks import events

    push(world)
    before = len(province.arrivals)
    events.update_measure(world.users.manager, plant.measures[0], active=False)
    db.session.commit()
    push(world, LATER + timedelta(hours=1))

    sent = {d: province.rows[(d, i)] for d, i in province.arrivals[before:]}
    assert set(sent) == {x.MEASURE, x.TASK}
    assert sent[x.MEASURE]["deleted"] == "1" and sent[x.MEASURE]["riskMeasureDesc"] == plant.measures[0].description
    assert sent[x.TASK]["deleted"] == "1"


def test_a_record_deleted_from_the_database_is_sent_as_deleted(world, plant, province):
    push(world)
    db.session.delete(plant.suspension)
    db.session.commit()
    push(world, LATER + timedelta(hours=1))

    (stop,) = province.rows_of(x.SUSPENSION)
    assert stop["deleted"] == "1" and stop["stopReason"] == "年度检修"


def test_an_outage_is_survived_without_loss_or_duplication(world, plant, province):
    province.down = True
    result = push(world)

    assert "error" in result and province.rows == {}
    s = status(world)
    assert s.pending_rows == 13 and s.failures == 1 and s.last_success_at is None
    assert "上报失败" in s.last_error and "HTTP 503" in s.last_error and s.retry_at > s.last_attempt_at
    # A second failure waits twice as long (backoff).
    first_wait = s.retry_at - s.last_attempt_at
    push(world, LATER + timedelta(minutes=5))
    s = status(world)
    assert s.failures == 2 and s.retry_at - s.last_attempt_at == 2 * first_wait

    # The receiver keeps what arrives but the receipts are lost: nothing is acknowledged, all is sent again.
    province.down, province.lose_receipts = False, True
    push(world, LATER + timedelta(minutes=10))
    assert status(world).pending_rows == 13
    province.lose_receipts = False
    result = push(world, LATER + timedelta(minutes=20))

    assert "error" not in result and status(world).pending_rows == 0 and status(world).failures == 0
    assert len(province.rows) == 13  # one row per national id, however often it arrived
    assert max(province.times.values()) >= 1 and status(world).last_error is None


def test_a_failed_row_does_not_block_the_rest_and_is_sent_once_corrected(world, plant, province, make_point):
    plant.point.responsible_user_id = None  # the unit's 负责人 (hazardLiablePerson, required) is missing
    db.session.commit()
    result = push(world)

    assert province.rows_of(x.UNIT) == [] and province.rows_of(x.EVENT) == []  # its children wait
    assert len(province.rows_of(x.SUSPENSION)) == 0  # names the unit too
    s = status(world)
    assert s.refused_rows == 1 and result["pending"] == 13
    assert "1 条数据未被接收" in s.last_error
    (row,) = service.refused_rows(world.users.manager, world.enterprises.a.id)
    assert row.error == "安全风险分析单元：hazardLiablePerson 缺少必填字段"

    plant.point.responsible_user_id = world.users.manager.id
    db.session.commit()
    result = push(world, LATER + timedelta(minutes=1))
    assert result["pending"] == 0 and len(province.rows) == 13 and status(world).last_error is None


def test_a_row_the_receiver_refuses_is_retried_after_a_backoff(world, plant, province):
    hazard_id = x.row_id(COMPANY, x.HAZARD, plant.hazard.id)
    province.refuse_ids = {hazard_id}
    push(world)

    s = status(world)
    assert s.refused_rows == 1 and s.pending_rows == 1 and len(province.rows) == 12
    (row,) = service.refused_rows(world.users.manager, world.enterprises.a.id)
    assert row.error.startswith("隐患信息：平台拒收") and row.attempts == 1
    province.refuse_ids = set()
    push(world, LATER + timedelta(seconds=10))  # before the backoff: not sent again
    assert status(world).pending_rows == 1
    push(world, LATER + timedelta(minutes=5))
    assert status(world).pending_rows == 0 and len(province.rows) == 13


def test_only_enterprises_configured_to_report_are_pushed(world, plant, province, app):
    assert service.push(world.enterprises.b.id) == {"skipped": "not configured to report"}
    with clock.moved_to(NOV_MONDAY.replace(hour=3)):
        assert service.due_enterprise_ids() == [world.enterprises.a.id]
    push(world)
    with clock.moved_to(LATER + timedelta(hours=1)):
        assert service.due_enterprise_ids() == []  # pushed today already
    with clock.moved_to(LATER + timedelta(days=1)):
        assert service.due_enterprise_ids() == [world.enterprises.a.id]


def test_the_scan_step_asks_for_the_push_as_a_job(world, plant, province):
    from flask import g

    from app.cli import SCAN_STEPS
    from app.jobs import JOBS

    with clock.moved_to(LATER):
        counts = SCAN_STEPS["exchange.push"]()
        db.session.commit()  # inside a request the job waits for the response: run it as the worker would
        asked = g.pop("shk_jobs_after_response")
        assert counts == {"pushes_asked": 1}
        assert [(name, kwargs) for name, kwargs, _ in asked] == [("exchange.push",
                                                                  {"enterprise_id": world.enterprises.a.id})]
        JOBS["exchange.push"](**asked[0][1])
        db.session.commit()
    assert len(province.rows) == 13 and status(world).pending_rows == 0
