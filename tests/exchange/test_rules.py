"""The documented rules alone (workflows/exchange.py) and the payload's encryption (app/exchange/transport.py)."""

from __future__ import annotations

import pytest

from app.exchange import transport
from workflows import exchange as x


def _task(**over):
    row = {"id": "t1", "companyCode": "123456789", "deleted": "0", "createDate": "20261102083000",
           "updateDate": "20261102083000", "riskMeasureId": "m1", "troubleshootContent": "检查液位",
           "checkCycle": 8, "checkCycleUnit": "小时", "taskStartTime": "20261102000000", "workDayType": "0",
           "workType": "2", "workStartTime": "8:00:00", "workEndTime": "18:00:00", "taskNum": 3}
    return {**row, **over}


def test_a_task_s_conditional_fields_and_codes():
    assert x.row_errors(x.TASK, _task()) == {}
    assert x.row_errors(x.TASK, _task(workStartTime=None, taskNum=None)) == {"workStartTime": "required",
                                                                          "taskNum": "required"}
    assert x.row_errors(x.TASK, _task(checkCycleUnit="天", workStartTime=None, workEndTime=None)) == {}
    assert x.row_errors(x.TASK, _task(checkCycle=0, workType="5")) == {"checkCycle": "not_positive",
                                                                      "workType": "unknown_value"}


def test_a_deleted_row_needs_only_its_common_fields():
    assert x.row_errors(x.TASK, {**{k: _task()[k] for k in x.COMMON_REQUIRED}, "deleted": "1"}) == {}


def test_parents_first_and_the_national_message():
    errors = x.row_errors(x.TASK, _task(), known_parent=lambda dataset, row_id: False)
    assert errors == {"riskMeasureId": "parent_missing"}
    assert x.describe(x.TASK, errors) == "隐患排查任务：riskMeasureId 请先上传安全风险管控措施数据"


def test_a_measure_s_subclass_belongs_to_its_class():
    row = {"id": "m", "companyCode": "1", "deleted": "0", "createDate": "20261102083000",
           "updateDate": "20261102083000", "riskEventId": "e", "dataSrc": "2", "riskMeasureDesc": "d",
           "classify1": "2", "classify2": "1-2"}
    assert x.row_errors(x.MEASURE, row) == {"classify2": "wrong_class"}


def test_a_closed_hazard_needs_its_acceptance():
    row = {"dangerState": "9", "checkAcceptPerson": None}
    assert x.row_errors(x.HAZARD, row)["checkAcceptPerson"] == "required"


def test_row_ids_are_stable_and_fingerprints_ignore_bookkeeping():
    assert x.row_id("123456789", x.UNIT, 7) == x.row_id("123456789", x.UNIT, 7) != x.row_id("123456789", x.UNIT, 8)
    assert x.fingerprint(_task(updateDate="20270101000000")) == x.fingerprint(_task())
    assert x.fingerprint(_task(checkCycle=9)) != x.fingerprint(_task())


def test_backoff_doubles_up_to_the_cap():
    assert [x.backoff_seconds(n, 60, 300) for n in (1, 2, 3, 4)] == [60, 120, 240, 300]


@pytest.mark.parametrize("cipher,secret", [("AES/ECB", "0123456789abcdef"), ("AES/CBC", "0123456789abcdef|fedcba9876543210"),
                                           ("SM4/ECB", "hex:0123456789abcdeffedcba9876543210"),
                                           ("SM4/CBC", "0123456789abcdef|0000000000000000")])
def test_the_payload_round_trips_through_each_cipher(cipher, secret):
    text = '[{"riskUnitName": "液氯储罐区"}]'
    token = transport.encrypt(cipher, secret, text)
    assert token != text and transport.decrypt(cipher, secret, token) == text


def test_a_wrong_key_is_told_apart():
    token = transport.encrypt("AES/ECB", "0123456789abcdef", "[]")
    with pytest.raises(ValueError):
        transport.decrypt("AES/ECB", "fedcba9876543210", token)
    with pytest.raises(transport.KeyError_):
        transport.encrypt("AES/ECB", "short", "[]")
