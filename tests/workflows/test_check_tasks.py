"""Validation of a check-task definition: every bad field named with its reason, all at once."""

from __future__ import annotations

from datetime import datetime, time

import pytest

from workflows.check_tasks import (
    CheckSchedule,
    CycleUnit,
    TaskDefinitionError,
    WorkdayType,
    format_clock,
    parse_clock,
    schedule_from_input,
    suspension_from_input,
)

OK = {"cycle": 1, "cycle_unit": "day", "starts_at": "2026-03-01T00:00"}


def errors(**changes):
    with pytest.raises(TaskDefinitionError) as exc:
        schedule_from_input(**{**OK, **changes})
    return exc.value.fields


def test_a_valid_hourly_task():
    s = schedule_from_input(cycle="2", cycle_unit="hour", starts_at="2026-03-01 08:00", work_start="08:00",
                            work_end="24:00", workday_type="workdays")
    assert s == CheckSchedule(2, CycleUnit.hour, datetime(2026, 3, 1, 8), WorkdayType.workdays, 8 * 3600,
                              86_400, None)


def test_working_hours_are_ignored_for_daily_and_longer_cycles():
    s = schedule_from_input(**OK, work_start="08:00", work_end="17:00")
    assert s.work_start is None and s.work_end is None


@pytest.mark.parametrize(("changes", "expected"), [
    ({"cycle": 0}, {"cycle": "not_positive"}),
    ({"cycle": -3}, {"cycle": "not_positive"}),
    ({"cycle": "1.5"}, {"cycle": "not_integer"}),
    ({"cycle": 2.0}, {"cycle": "not_integer"}),
    ({"cycle": True}, {"cycle": "not_integer"}),
    ({"cycle": None}, {"cycle": "required"}),
    ({"cycle": 25, "cycle_unit": "hour", "work_start": "08:00", "work_end": "17:00"}, {"cycle": "too_large"}),
    ({"cycle_unit": "fortnight"}, {"cycle_unit": "unknown_value"}),
    ({"cycle_unit": ""}, {"cycle_unit": "required"}),
    ({"starts_at": "2026-02-30T00:00"}, {"starts_at": "bad_datetime"}),
    ({"starts_at": None}, {"starts_at": "required"}),
    ({"ends_at": "2026-03-01T00:00"}, {"ends_at": "end_not_after_start"}),
    ({"workday_type": "weekends"}, {"workday_type": "unknown_value"}),
    ({"cycle_unit": "hour"}, {"work_start": "hours_required", "work_end": "hours_required"}),
    ({"cycle_unit": "hour", "work_start": "08:00"}, {"work_end": "hours_required"}),
    ({"cycle_unit": "hour", "work_start": "17:00", "work_end": "08:00"}, {"work_end": "end_not_after_start"}),
    ({"cycle_unit": "hour", "work_start": "08:00", "work_end": "08:00"}, {"work_end": "end_not_after_start"}),
    ({"cycle_unit": "hour", "work_start": "8h", "work_end": "25:00"}, {"work_start": "bad_time",
                                                                       "work_end": "bad_time"}),
    ({"cycle_unit": "hour", "work_start": "24:00", "work_end": "24:00"}, {"work_start": "bad_time"}),
])
def test_each_bad_field_is_named_with_its_reason(changes, expected):
    assert errors(**changes) == expected


def test_all_errors_come_at_once():
    assert errors(cycle=0, cycle_unit="hour", starts_at="yesterday") == {
        "cycle": "not_positive", "starts_at": "bad_datetime", "work_start": "hours_required",
        "work_end": "hours_required"}


def test_clock():
    assert parse_clock("08:30") == 30600 and parse_clock(time(8, 30)) == 30600
    assert parse_clock("24:00", end=True) == 86400
    assert format_clock(30600) == "08:30"
    for bad in ("24:00", "7:60", "", "08", "a:b", "08:00:00:00"):
        with pytest.raises(ValueError):
            parse_clock(bad)


def test_suspension_validation():
    s = suspension_from_input(starts_at="2026-03-01T00:00", ends_at="2026-03-02T00:00")
    assert s.ends_at == datetime(2026, 3, 2)
    with pytest.raises(TaskDefinitionError) as exc:
        suspension_from_input(starts_at="2026-03-02T00:00", ends_at="2026-03-01T00:00")
    assert exc.value.fields == {"ends_at": "end_not_after_start"}
    with pytest.raises(TaskDefinitionError) as exc:
        suspension_from_input(starts_at="", ends_at="soon")
    assert exc.value.fields == {"starts_at": "required", "ends_at": "bad_datetime"}
