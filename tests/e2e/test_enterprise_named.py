"""Lists holding several enterprises' hazards name each row's enterprise, on a phone too (issue 10
item 18): hazard codes repeat across enterprises (YH-2026-0002 in each), so a row without its
enterprise is ambiguous."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("viewport", [PHONE, {"width": 1280, "height": 800}], ids=["phone", "desktop"])
def test_every_row_names_its_enterprise(browse, viewport):
    page = browse.login("sr_supervisor", viewport=viewport, is_mobile=viewport is PHONE)
    for url in ("/hazards/", "/supervision/listings", "/supervision/queue"):
        page.goto(url)
        rows = page.locator("table.list tbody tr:has(a)")
        if url == "/hazards/":
            expect(rows.first).to_be_visible()  # the demo city has hazards of many enterprises
        for i in range(min(rows.count(), 10)):
            name = rows.nth(i).locator(".row-enterprise")
            expect(name).to_be_visible()
            box = name.bounding_box()
            # Inside the screen without scrolling sideways, and not an empty line.
            assert box["x"] >= 0 and box["x"] + 20 <= viewport["width"], (url, i, box)
            assert len(name.inner_text().strip()) >= 4, (url, i, name.inner_text())
