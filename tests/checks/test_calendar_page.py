"""The holiday calendar's admin page (list years, edit a year's days, import a file) and the home page's
warning to the admin when this year or next has no calendar."""

from __future__ import annotations

import io
from datetime import datetime

from app import clock
from app.checks import service
from tests.conftest import login

# A made-up year for the tests only (the product ships only verified notices).
TEST_YEAR = """year 2027
title 国务院办公厅关于2027年部分节假日安排的通知
document 测试〔2026〕1号
holiday 2027-01-01 2027-01-03 元旦
"""


def test_admin_lists_the_years_and_is_warned_of_the_missing_one(world, client):
    login(client, world.users.admin)
    with clock.moved_to(clock.local_moment(datetime(2026, 11, 30).date())):
        page = client.get("/checks/calendar").get_data(as_text=True)
        assert 'id="year-2026"' in page and 'id="year-2025"' in page
        assert "国办发明电〔2025〕7号" in page and "尚无日历：2027" in page
        home = client.get("/").get_data(as_text=True)
        assert 'id="calendar-missing"' in home and "2027" in home
        login(client, world.users.manager)
        assert 'id="calendar-missing"' not in client.get("/").get_data(as_text=True)
    login(client, world.users.admin)
    with clock.moved_to(clock.local_moment(datetime(2025, 6, 2).date())):  # 2025 and 2026 both known
        assert 'id="calendar-missing"' not in client.get("/").get_data(as_text=True)


def test_import_a_file_then_the_warning_goes(world, client):
    login(client, world.users.admin)
    bad = client.post("/checks/calendar", data={"file": (io.BytesIO(b"year 2027\nholiday 2027-13-01 2027-01-02 x\n"),
                                                         "2027.txt")}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "第 2 行" in bad.get_data(as_text=True)
    assert 2027 not in service.calendar().years
    ok = client.post("/checks/calendar", data={"file": (io.BytesIO(TEST_YEAR.encode()), "2027.txt")},
                     content_type="multipart/form-data")
    assert ok.status_code == 302
    assert service.calendar().holiday_name(datetime(2027, 1, 2).date()) == "元旦"
    with clock.moved_to(clock.local_moment(datetime(2026, 11, 30).date())):
        assert 'id="calendar-missing"' not in client.get("/").get_data(as_text=True)


def test_edit_a_years_days(world, client):
    login(client, world.users.admin)
    page = client.get("/checks/calendar/2026").get_data(as_text=True)
    assert "holiday 2026-02-15 2026-02-23 春节" in page
    other = client.post("/checks/calendar/2026", data={"text": TEST_YEAR})
    assert other.status_code == 422 and "本页只编辑2026年" in other.get_data(as_text=True)
    client.post("/checks/calendar", data={"text": TEST_YEAR})
    edited = TEST_YEAR.replace("2027-01-03 元旦", "2027-01-01 元旦")
    assert client.post("/checks/calendar/2027", data={"text": edited}).status_code == 302
    assert service.calendar().is_workday(datetime(2027, 1, 4).date())
    assert service.calendar().holiday_name(datetime(2027, 1, 2).date()) is None


def test_only_the_admin_keeps_the_calendar(world, client):
    for user in (world.users.manager, world.users.inspector):
        login(client, user)
        assert client.get("/checks/calendar").status_code == 403
        assert client.post("/checks/calendar", data={"text": TEST_YEAR}).status_code == 403
        assert client.get("/checks/calendar/2026").status_code == 403
