"""The supervisor's journey (上饶市应急管理局): a confirmed major hazard is proposed for listing, he lists
it and prints the supervision notice, whose QR code leads anyone (logged out) to the verification page;
after the city inspector accepts the rectification, the delisting notice is there."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import control, screenshot
from tests.e2e.files import download_pdf, pdf_qr_links, pdf_text, save_pdf_page_png
from tests.e2e.seed import confirmed_major_hazard, submit_rectification

pytestmark = pytest.mark.e2e

ENTERPRISE = "上饶市江丰化工有限公司"



def test_supervisor_lists_a_major_hazard_prints_the_notices_and_the_qr_code_verifies(browse, live, tmp_path):
    hazard = confirmed_major_hazard(live, tmp_path, "液氯钢瓶库有毒气体报警器失效（E2E）")

    supervisor = browse.login("sr_supervisor")
    supervisor.get_by_role("navigation").get_by_role("link", name="挂牌督办建议").click()
    row = supervisor.locator("tr", has_text=hazard["title"])
    expect(row).to_contain_text(ENTERPRISE)
    expect(row).to_contain_text("重大风险的重大隐患：确认即建议（市级督办）")
    screenshot(supervisor, "supervision-queue")

    row.get_by_role("link", name="决定").click()
    supervisor.get_by_label("决定", exact=True).select_option(label="挂牌督办")
    supervisor.get_by_label("督办要求").fill("立即停止液氯钢瓶库作业，30 日内完成整改并书面报告。")
    supervisor.get_by_role("button", name="保存决定").click()
    expect(supervisor.get_by_role("status").filter(has_text="已挂牌督办，督办通知书已出具。")).to_be_visible()
    expect(supervisor.locator(".panel .state").first).to_have_text("挂牌督办中")
    listing_url = supervisor.url
    supervisor.get_by_role("navigation").get_by_role("link", name="挂牌督办清单").click()
    expect(supervisor.locator("tr", has_text=hazard["title"])).to_contain_text("挂牌督办中")
    supervisor.goto(listing_url)

    supervisor.locator("dt:has-text('挂牌督办通知书') + dd").get_by_role("link", name="查看通知书").click()
    number = supervisor.get_by_role("heading", level=1).inner_text().split()[-1]
    notice = download_pdf(supervisor)
    text = pdf_text(notice)
    assert ENTERPRISE in text and hazard["title"] in text, text[:400]
    assert number in text, (number, text[:400])
    save_pdf_page_png(notice, "supervision-notice")

    links = pdf_qr_links(notice)
    assert len(links) == 1 and links[0].startswith(live.url + "/verify/"), links
    anyone = browse.page()  # no login: a citizen or an enterprise checks the paper
    anyone.goto(links[0])
    expect(anyone.get_by_role("status")).to_contain_text("真实有效")
    expect(anyone.locator("dl")).to_contain_text(number)
    expect(anyone.locator("main")).not_to_contain_text(hazard["title"])  # nothing about the hazard itself
    expect(anyone.get_by_role("button", name="退出登录")).to_have_count(0)

    # The enterprise rectifies; only the listing authority's inspector may accept, which delists it.
    submit_rectification(live, tmp_path, hazard["id"])
    inspector = browse.login("sr_inspector")
    inspector.goto(f"/hazards/{hazard['id']}")
    expect(inspector.locator(".hz-head")).to_contain_text("由上饶市应急管理局挂牌督办")
    inspector.get_by_role("link", name="验收通过").click()
    inspector.get_by_role("button", name="验收通过").click()
    expect(inspector.locator(".hz-head .state")).to_have_text("已销号")

    supervisor.get_by_role("navigation").get_by_role("link", name="挂牌督办清单").click()
    control(supervisor, "state").select_option("delisted")
    supervisor.get_by_role("button", name="筛选").click()
    supervisor.get_by_role("link", name=re.compile(re.escape(hazard["title"]))).click()
    supervisor.wait_for_url(listing_url)
    expect(supervisor.locator(".panel .state").first).to_have_text("已摘牌")
    supervisor.locator("dt:has-text('解除挂牌督办通知书') + dd").get_by_role("link", name="查看通知书").click()
    expect(supervisor.get_by_role("heading", level=1)).to_contain_text("解除挂牌督办通知书")
    delisting_number = supervisor.get_by_role("heading", level=1).inner_text().split()[-1]
    delisting = pdf_text(download_pdf(supervisor))
    assert "解除" in delisting and ENTERPRISE in delisting and delisting_number in delisting, delisting[:400]
    assert re.search(r"〔\d{4}〕\d+号", delisting_number), delisting_number
