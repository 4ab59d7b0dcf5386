"""National code tables: sizes and codes as national-model.md lists them, and the documented mappings."""

from __future__ import annotations

import pytest

from workflows import national_codes as nc
from workflows.check_tasks import CycleUnit, WorkdayType
from workflows.hazard_states import HazardNature, HazardSource, HazardState
from workflows.risk_codes import ControlCategory


def test_measure_classification_has_4_classes_and_17_subclasses():
    assert list(nc.MEASURE_CLASSES) == ["1", "2", "3", "4"]
    assert len(nc.MEASURE_SUBCLASSES) == 17
    assert nc.MEASURE_SUBCLASSES["1-2"] == "关键设备/部件" and nc.MEASURE_SUBCLASSES["4-2"] == "个体防护"
    for code in nc.MEASURE_SUBCLASSES:
        assert code.split("-")[0] in nc.MEASURE_CLASSES


@pytest.mark.parametrize(("c1", "c2", "errors"), [
    ("1", "1-2", {}), (1, "1-2", {}), ("4", "4-5", {}),
    ("5", "1-2", {"classify1": "unknown_value"}),
    ("1", "1-6", {"classify2": "unknown_value"}),
    ("2", "1-2", {"classify2": "wrong_class"}),
    (None, None, {"classify1": "unknown_value", "classify2": "unknown_value"}),
])
def test_classification_pairs(c1, c2, errors):
    assert nc.measure_classification_error(c1, c2) == errors


def test_every_project_category_maps_to_a_valid_national_pair():
    assert set(nc.CATEGORY_TO_NATIONAL) == set(ControlCategory)
    for c1, c2 in nc.CATEGORY_TO_NATIONAL.values():
        assert nc.measure_classification_error(c1, c2) == {}
    assert nc.CATEGORY_TO_NATIONAL[ControlCategory.ppe] == ("4", "4-2")


def test_hazard_tables():
    assert len(nc.HAZARD_SOURCES) == 10 and nc.HAZARD_SOURCES[nc.HAZARD_SOURCE_MEASURE_FAILED] == "管控措施失效"
    assert nc.HAZARD_SOURCES[nc.HAZARD_SOURCE_ROUTINE] == "日常排查"
    assert len(nc.HAZARD_TYPES) == 8 and nc.HAZARD_TYPES["6"] == "总图"
    assert nc.MANAGE_TYPE_NAMES[nc.ManageType.immediate] == "即查即改"
    assert nc.MANAGE_TYPE_CODES[nc.ManageType.deadline] == "1"
    assert nc.MANAGEMENT_CLASSIFICATIONS == {"1": "人的不安全行为", "2": "物的不安全状态", "3": "管理缺陷"}
    assert list(nc.MAJOR_HAZARD_LEVELS) == [1, 2, 3, 4]


def test_project_hazard_identifiers_all_map():
    assert set(nc.NATURE_TO_MANAGEMENT_CLASSIFICATION) == {n.value for n in HazardNature}
    assert set(nc.SOURCE_TO_DANGER_SRC) == {s.value for s in HazardSource}
    assert set(nc.SOURCE_TO_DANGER_SRC.values()) <= set(nc.HAZARD_SOURCES)
    assert set(nc.STATE_TO_DANGER_STATE) == {s.value for s in HazardState} - {"reported", "voided"}
    assert set(nc.STATE_TO_DANGER_STATE.values()) <= set(nc.DANGER_STATES)


def test_task_identifiers_match_the_engine_and_the_national_codes():
    assert set(nc.CYCLE_UNIT_NAMES) == {u.value for u in CycleUnit}
    assert set(nc.WORKDAY_TYPE_CODES) == {t.value for t in WorkdayType}
    assert [nc.TASK_TYPE_CODES[t] for t in nc.TaskType] == ["0", "1", "2", "3"]
    assert [len(nc.TASK_NUMBERS[t]) for t in (nc.TaskType.principal, nc.TaskType.technical,
                                               nc.TaskType.operator)] == [9, 9, 10]


@pytest.mark.parametrize(("task_type", "number", "errors"), [
    ("routine", None, {}), ("routine", 3, {"task_number": "not_allowed"}),
    ("technical", 9, {}), ("technical", 10, {"task_number": "out_of_range"}),
    ("operator", "10", {}), ("principal", None, {"task_number": "required"}),
    ("principal", "x", {"task_number": "not_integer"}), ("boss", 1, {"task_type": "unknown_value"}),
])
def test_task_numbers(task_type, number, errors):
    assert nc.task_number_error(task_type, number) == errors
