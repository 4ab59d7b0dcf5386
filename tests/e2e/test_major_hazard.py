"""The enterprise's major hazard (重大事故隐患): confirmation is refused until the treatment plan (six
sections and the report to the workers' congress) is approved by the principal (主要负责人)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import today
from tests.e2e.conftest import control
from tests.e2e.files import jpeg_photo

pytestmark = pytest.mark.e2e


def test_major_hazard_waits_for_the_principals_approval_of_its_plan(browse, tmp_path):
    manager = browse.login("jiangfeng_manager")
    manager.goto("/hazards/new")
    manager.get_by_label("隐患简述").fill("氯气吸收塔联锁失效（E2E）")
    manager.get_by_label("照片", exact=True).set_input_files(jpeg_photo(tmp_path / "tower.jpg"))
    manager.get_by_role("button", name="上报").click()
    expect(manager.locator(".hz-head .state")).to_have_text("已上报")
    hazard_url = manager.url

    manager.get_by_role("link", name="确认", exact=True).click()
    control(manager, "level").select_option(label="重大隐患")
    control(manager, "responsible_user_id").select_option(label="上饶员工（岗位员工）")
    control(manager, "deadline").fill((today() + timedelta(days=30)).isoformat())
    manager.get_by_label("整改措施").fill("停用吸收塔，恢复联锁并校验。")
    manager.get_by_role("button", name="确认").click()
    expect(manager.get_by_role("alert").filter(has_text="重大事故隐患须先完成治理方案")).to_be_visible()
    expect(manager.get_by_label("整改措施")).to_have_value("停用吸收塔，恢复联锁并校验。")

    manager.get_by_role("link", name="查看治理方案").click()
    sections = {
        "一、治理的目标和任务": "恢复吸收塔联锁功能，消除氯气泄漏风险。",
        "二、采取的方法和措施": "停车检修，更换联锁仪表，联调试验。",
        "三、经费和物资的落实": "专项经费 12 万元，备件已采购。",
        "四、负责治理的机构和人员": "设备部牵头，安全环保部配合。",
        "五、治理的时限和要求": "30 日内完成并验收。",
        "六、安全措施和应急预案": "检修期间停产，配备正压式空气呼吸器，启动氯气泄漏专项预案。",
    }
    for label, text in sections.items():
        manager.get_by_label(label).fill(text)
    manager.get_by_label("向职工大会（职代会）报告日期").fill(today().isoformat())
    manager.get_by_label("报告方式").fill("职代会书面报告")
    manager.get_by_role("button", name="保存治理方案").click()
    expect(manager.get_by_role("status").filter(has_text="治理方案已保存。")).to_be_visible()
    expect(manager.locator(".plan-status")).to_contain_text("内容齐全，待主要负责人批准。")
    expect(manager.get_by_role("button", name="批准治理方案（主要负责人）")).to_have_count(0)

    principal = browse.login("jiangfeng_principal")
    principal.goto(hazard_url)
    principal.get_by_role("link", name="查看治理方案").click()
    principal.get_by_role("button", name="批准治理方案（主要负责人）").click()
    expect(principal.get_by_role("status").filter(has_text="治理方案已批准。")).to_be_visible()

    manager.goto(hazard_url)
    manager.get_by_role("link", name="确认", exact=True).click()
    control(manager, "level").select_option(label="重大隐患")
    control(manager, "responsible_user_id").select_option(label="上饶员工（岗位员工）")
    control(manager, "deadline").fill((today() + timedelta(days=30)).isoformat())
    manager.get_by_label("整改措施").fill("停用吸收塔，恢复联锁并校验。")
    manager.get_by_role("button", name="确认").click()
    expect(manager.locator(".hz-head .state")).to_have_text("整改中")
    expect(manager.locator(".hz-head")).to_contain_text("重大隐患")
    grade = manager.locator(".hz-head .grade")  # effective grade: a major hazard is red (从严从高)
    expect(grade).to_have_class(re.compile(r"\bgrade-red\b"))
    expect(grade).to_contain_text("重大风险")
