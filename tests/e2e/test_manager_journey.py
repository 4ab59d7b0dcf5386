"""The enterprise safety manager's journey (江丰化工): risk point graded by LEC, a hazard reported at it
from a phone with a photo, confirmed, rectified by the responsible employee with an "after" photo,
accepted (the major hazard: test_major_hazard.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import today
from tests.e2e.conftest import PHONE, control, field_box, screenshot
from tests.e2e.files import jpeg_photo

pytestmark = pytest.mark.e2e

POINT = "液氯储罐区（E2E）"
AREA = "罐区"


def add_graded_risk_point(page) -> str:
    page.get_by_role("navigation").get_by_role("link", name="风险清单").click()
    page.get_by_role("link", name="新建风险点").click()
    page.get_by_label("名称", exact=True).fill(POINT)
    page.get_by_label("区域", exact=True).fill(AREA)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("风险点已保存。请进行风险评价以确定等级。")).to_be_visible()
    expect(page.get_by_role("heading", name=POINT)).to_be_visible()

    lec = page.locator("fieldset", has_text="LEC")
    lec.get_by_label("L", exact=True).select_option("6")  # 相当可能
    lec.get_by_label("E", exact=True).select_option("6")  # 每天工作时间内暴露
    lec.get_by_label("C", exact=True).select_option("7")  # 严重
    page.locator("#assess-form").get_by_role("button", name="评价").click()
    # D = 6 × 6 × 7 = 252: 160 < D ≤ 320 is orange (较大风险) in the default rule set.
    expect(page.get_by_role("status").filter(has_text="252")).to_contain_text("较大风险")
    expect(page.get_by_role("heading", name=POINT)).to_contain_text("较大风险")
    return page.url


def place_on_the_four_colour_map(page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="四色分布图").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("四色分布图")
    orange = int(page.locator("#count-orange").inner_text())
    assert orange >= 1  # our point is orange already; the demo's are there too
    page.get_by_label("在平面图上标注").select_option(label=POINT)
    page.locator("#riskmap svg").click(position={"x": 260, "y": 180})
    expect(page.locator("#place-status")).to_have_text("✓")
    expect(page.locator("#riskmap svg circle").filter(has_text=POINT)).to_have_count(1)
    page.reload()  # the position is stored, not only drawn
    expect(page.locator("#riskmap svg circle").filter(has_text=POINT)).to_have_count(1)
    screenshot(page, "four-colour-map")


def report_from_phone(browse, tmp_path, title: str) -> tuple[str, str]:
    """The manager walks to the tank with his phone: menu, report, photo. Returns (code, url)."""
    phone = browse.login("jiangfeng_manager", viewport=PHONE, is_mobile=True, has_touch=True)
    phone.get_by_text("☰").click()
    phone.get_by_role("navigation").get_by_role("link", name=re.compile("^隐患")).click()
    phone.get_by_role("link", name="上报隐患").click()
    phone.get_by_label("隐患简述").fill(title)
    phone.get_by_label("照片", exact=True).set_input_files(jpeg_photo(tmp_path / "before.jpg"))
    phone.get_by_label("位置").fill("罐区东侧 2 号液氯储罐")
    phone.get_by_label("描述").fill("储罐底部阀门法兰处有液氯泄漏痕迹，周边无警示标志。")
    phone.get_by_text("分类（选填）").click()
    phone.get_by_label("风险点").select_option(label=f"{POINT} {AREA}")
    screenshot(phone, "report-on-phone", full_page=True)
    phone.get_by_role("button", name="上报").click()
    flash = phone.get_by_role("status").filter(has_text="已上报")
    expect(flash).to_be_visible()
    code = re.search(r"YH-\d{4}-\d{4}", flash.inner_text()).group(0)
    expect(phone.get_by_role("heading", name=re.compile(code))).to_contain_text(title)
    expect(phone.locator(".gallery img")).to_have_count(1)  # the photo is on the hazard page
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1  # no sideways scroll
    url = phone.url
    phone.context.close()
    return code, url


def test_manager_grades_a_point_and_takes_a_hazard_from_phone_report_to_closure(browse, tmp_path):
    manager = browse.login("jiangfeng_manager")
    point_url = add_graded_risk_point(manager)
    place_on_the_four_colour_map(manager)

    code, hazard_url = report_from_phone(browse, tmp_path, "液氯储罐阀门泄漏")

    # Confirm: a deadline in the past is refused next to the field, and what was typed stays.
    manager.goto(hazard_url)
    expect(manager.locator(".state")).to_have_text("已上报")
    manager.get_by_role("link", name="确认", exact=True).click()
    control(manager, "level").select_option(label="一般隐患")
    control(manager, "responsible_user_id").select_option(label="上饶员工（岗位员工）")
    control(manager, "deadline").fill((today() - timedelta(days=1)).isoformat())
    measures = "更换阀门法兰垫片，设置警示标志，每班巡检。"
    manager.get_by_label("整改措施").fill(measures)
    manager.get_by_role("button", name="确认").click()
    expect(field_box(manager, "deadline").get_by_role("alert")).to_have_text("整改期限不能早于今天。")
    expect(manager.get_by_label("整改措施")).to_have_value(measures)
    expect(manager.locator("main p .state")).to_have_text("已上报")  # nothing changed
    expect(control(manager, "responsible_user_id")).to_have_value(re.compile(r"\d+"))
    deadline = (today() + timedelta(days=7)).isoformat()
    control(manager, "deadline").fill(deadline)
    manager.get_by_role("button", name="确认").click()
    expect(manager.get_by_role("status").filter(has_text="已完成：确认。")).to_be_visible()
    expect(manager.locator(".hz-head .state")).to_have_text("整改中")

    # The responsible employee submits: without an "after" photo he is told so, his text kept.
    staff = browse.login("jiangfeng_staff", viewport=PHONE, is_mobile=True, has_touch=True)
    staff.goto(hazard_url)
    staff.get_by_role("link", name="提交整改").click()
    done = "已更换阀门法兰垫片并设置警示标志，试压无泄漏。"
    staff.get_by_label("整改完成情况").fill(done)
    staff.get_by_role("button", name="提交整改").click()
    expect(field_box(staff, "photos").get_by_role("alert")).to_have_text(
        "请先上传至少一张整改后照片或一份资料。")
    expect(staff.get_by_label("整改完成情况")).to_have_value(done)
    expect(staff.locator("main p .state")).to_have_text("整改中")
    staff.get_by_label("整改后照片或资料").set_input_files(jpeg_photo(tmp_path / "after.jpg", colour=(40, 160, 60)))
    staff.get_by_role("button", name="提交整改").click()
    expect(staff.get_by_role("status").filter(has_text="已完成：提交整改。")).to_be_visible()
    expect(staff.locator(".hz-head .state")).to_have_text("待验收")

    # The manager reviews the self-found general hazard and closes it (销号).
    manager.goto(hazard_url)
    manager.get_by_role("link", name="验收通过").click()
    manager.get_by_label("验收意见").fill("现场复查，泄漏已消除。")
    manager.get_by_role("button", name="验收通过").click()
    expect(manager.locator(".hz-head .state")).to_have_text("已销号")
    timeline = manager.locator("ol.timeline")
    for step in ("上报", "确认", "提交整改", "验收通过"):
        expect(timeline.locator("li strong", has_text=re.compile(f"^{step}$")).first).to_be_visible()
    expect(timeline).to_contain_text(done)
    expect(manager.locator(".gallery img")).to_have_count(2)  # before and after
    screenshot(manager, "hazard-page", full_page=True)

    manager.get_by_role("navigation").get_by_role("link", name=re.compile("^隐患")).click()
    row = manager.locator("tr", has=manager.get_by_role("link", name=code, exact=True))
    expect(row).to_contain_text("已销号")
    screenshot(manager, "hazard-register")

    manager.goto(point_url)
    expect(manager.get_by_text("该风险点尚无隐患记录。")).to_have_count(0)
    expect(manager.locator("table.list", has_text=code)).to_contain_text("已销号")
