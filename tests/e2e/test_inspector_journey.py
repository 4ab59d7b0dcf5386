"""The inspector's journey (广丰区应急管理局 at 江丰化工, in his district): an on-site inspection with two
problems, the rectification order downloaded and read; the enterprise rectifies both; he rejects one
with a reason, accepts the other, and issues the review opinion."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import today
from tests.e2e.conftest import control
from tests.e2e.files import download_pdf, jpeg_photo, pdf_text

pytestmark = pytest.mark.e2e

ENTERPRISE = "上饶市江丰化工有限公司"
PROBLEMS = ("危化品仓库未设置可燃气体报警装置（E2E）", "特种作业人员未持证上岗（E2E）")



def test_inspector_orders_reviews_and_issues_the_opinion(browse, tmp_path):
    inspector = browse.login("gf_inspector")
    inspector.get_by_role("navigation").get_by_role("link", name="现场检查").click()
    inspector.get_by_role("link", name="记录现场检查").click()
    inspector.get_by_label("被检查单位").select_option(label=ENTERPRISE)
    inspector.get_by_label("自", exact=True).fill("09:30")
    inspector.get_by_label("至", exact=True).fill("11:00")
    inspector.get_by_label("检查场所").fill("危化品仓库、生产车间")
    second = control(inspector, "second_officer_id")
    second.select_option(second.locator("option", has_text="广丰区执法员乙").get_attribute("value"))
    deadline = (today() + timedelta(days=15)).isoformat()
    for i, title in enumerate(PROBLEMS):
        control(inspector, f"problems-{i}-title").fill(title)
        control(inspector, f"problems-{i}-deadline").fill(deadline)
    inspector.get_by_role("button", name="保存并出具责令限期整改指令书").click()
    expect(inspector.get_by_role("status").filter(has_text="检查已记录，责令限期整改指令书已出具。")).to_be_visible()
    inspection_url = inspector.url
    for title in PROBLEMS:
        expect(inspector.locator("tr", has_text=title)).to_be_visible()

    inspector.get_by_role("link", name="查看指令书").click()
    number = inspector.get_by_role("heading", level=1).inner_text().split()[-1]
    assert re.fullmatch(r"（丰）应急责改〔\d{4}〕\d+号", number), number
    order = pdf_text(download_pdf(inspector))
    assert "责令限期整改指令书" in order and ENTERPRISE in order and number in order, order[:500]
    for title in PROBLEMS:
        assert title in order, (title, order[:800])

    # The enterprise's manager finds both hazards in his register and submits their rectification.
    manager = browse.login("jiangfeng_manager")
    for i, title in enumerate(PROBLEMS):
        manager.goto("/hazards/")
        manager.get_by_role("searchbox").fill(title)
        manager.get_by_role("button", name="筛选").click()
        manager.locator("tr", has_text=title).get_by_role("link").first.click()
        expect(manager.locator(".hz-head")).to_contain_text(title)
        manager.get_by_role("link", name="提交整改").click()
        manager.get_by_label("整改完成情况").fill(f"第{i + 1}项已整改。")
        control(manager, "photos").set_input_files(jpeg_photo(tmp_path / f"after-{i}.jpg", colour=(40, 160, 60)))
        manager.get_by_role("button", name="提交整改").click()
        expect(manager.locator(".hz-head .state")).to_have_text("待验收")

    # Review: the first is not good enough (reason required), the second is accepted.
    inspector.goto(inspection_url)
    rejected, accepted = (inspector.locator("tr", has_text=t) for t in PROBLEMS)
    rejected.locator("select").select_option("reject")
    accepted.locator("select").select_option("accept")
    inspector.get_by_role("button", name="保存复查结果并出具整改复查意见书").click()
    expect(inspector.get_by_role("alert").filter(has_text="请填写不予通过的理由")).to_be_visible()
    expect(rejected.locator("select")).to_have_value("reject")  # the choices made are still there
    expect(accepted.locator("select")).to_have_value("accept")
    rejected.locator("input:not([type=date])").fill("报警装置未接入中控室，不符合要求。")
    inspector.get_by_label("整改复查意见书").fill("第1项整改不合格，继续整改；第2项整改合格。")
    inspector.get_by_role("button", name="保存复查结果并出具整改复查意见书").click()
    expect(inspector.get_by_role("status").filter(has_text="复查已记录，整改复查意见书已出具。")).to_be_visible()
    expect(rejected.locator(".state")).to_have_text("整改中")
    expect(accepted.locator(".state")).to_have_text("已销号")

    inspector.get_by_role("link", name="查看意见书").click()
    review_number = inspector.get_by_role("heading", level=1).inner_text().split()[-1]
    assert re.fullmatch(r"（丰）应急复查〔\d{4}〕\d+号", review_number), review_number
    opinion = pdf_text(download_pdf(inspector))
    assert "整改复查意见书" in opinion and ENTERPRISE in opinion and review_number in opinion, opinion[:500]
    assert number in opinion, "the opinion refers to the order it reviews"
