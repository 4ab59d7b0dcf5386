"""A large export in a real browser: the click lands on the export's page, which reloads itself while
the file is prepared and then starts the download by itself (a meta refresh, no script); the file is
the list the page showed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


@pytest.fixture
def every_export_in_the_background(live):
    before = live.app.config["EXPORT_SYNC_MAX_ROWS"]
    live.app.config["EXPORT_SYNC_MAX_ROWS"] = 0
    yield
    live.app.config["EXPORT_SYNC_MAX_ROWS"] = before


def test_a_large_register_export_downloads_by_itself_from_its_page(browse, every_export_in_the_background):
    manager = browse.login("jiangfeng_manager")
    manager.get_by_role("navigation").get_by_role("link", name="隐患排查治理").click()
    titles = manager.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    assert titles
    with manager.expect_download(timeout=20_000) as info:
        manager.get_by_role("link", name="导出 Excel").click()
        expect(manager.get_by_role("heading", level=1)).to_have_text("隐患台账")
    assert info.value.suggested_filename == "hazard-register.xlsx"
    sheet = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()), read_only=True).worksheets[0]
    exported = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True) if len(row) > 1 and row[1]}
    assert set(titles) <= exported, (titles, exported)
    expect(manager.get_by_role("link", name="下载")).to_be_visible()  # in case the browser did not
    manager.get_by_role("navigation").get_by_role("link", name="我的导出").click()
    expect(manager.locator("tr", has_text="隐患台账").first).to_contain_text("已就绪")
