"""An inspector files an inspection from the web form as he keeps it: the violated provision picked
from the provisions table (the list offered as he types), a photo taken on site attached to the
problem; the printed 现场检查记录 shows the provision and the photo."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import today
from tests.e2e.conftest import control
from tests.e2e.files import download_pdf, jpeg_photo, pdf_text

pytestmark = pytest.mark.e2e

ENTERPRISE = "上饶市江丰化工有限公司"
PROVISION = "《中华人民共和国安全生产法》第四十一条第二款"
PROBLEM = "储罐区可燃气体报警器失效（E2E照片）"


def test_inspector_picks_a_provision_and_the_record_prints_the_photo(browse, tmp_path):
    inspector = browse.login("gf_inspector")
    inspector.get_by_role("navigation").get_by_role("link", name="现场检查").click()
    inspector.get_by_role("link", name="记录现场检查").click()
    inspector.get_by_label("被检查单位").select_option(label=ENTERPRISE)
    inspector.get_by_label("自", exact=True).fill("08:00")
    inspector.get_by_label("至", exact=True).fill("08:40")
    inspector.get_by_label("检查场所").fill("储罐区")
    second = control(inspector, "second_officer_id")
    second.select_option(second.locator("option", has_text="广丰区执法员乙").get_attribute("value"))
    control(inspector, "problems-0-title").fill(PROBLEM)
    provision = control(inspector, "problems-0-provision")
    # The field offers the table's provisions (a datalist the browser filters as one types).
    assert provision.get_attribute("list") == "provision-options"
    expect(inspector.locator(f"datalist#provision-options option[value='{PROVISION}']")).to_have_count(1)
    provision.fill(PROVISION)
    control(inspector, "problems-0-deadline").fill((today() + timedelta(days=15)).isoformat())
    control(inspector, "problems-0-photos").set_input_files(jpeg_photo(tmp_path / "报警器.jpg", colour=(200, 40, 40)))
    inspector.get_by_role("button", name="保存并出具责令限期整改指令书").click()
    expect(inspector.get_by_role("status").filter(has_text="检查已记录，责令限期整改指令书已出具。")).to_be_visible()

    inspector.get_by_role("link", name="查看检查记录").click()
    record = pdf_text(download_pdf(inspector))
    assert "现场检查记录" in record and PROBLEM in record, record[:500]
    assert PROVISION in record and "现场照片" in record and "报警器.jpg" in record, record[-800:]
