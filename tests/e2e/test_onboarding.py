"""Onboarding in the browser (issue 15): an enterprise's safety manager creates a staff account with
its department and post; the new employee must choose his own password at his first login."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import control, login_as

pytestmark = pytest.mark.e2e


def test_manager_creates_a_staff_account_who_changes_the_password_at_first_login(browse):
    manager = browse.login("jiangfeng_manager")
    manager.goto("/users/new")
    expect(manager.get_by_role("heading", name="新建用户")).to_be_visible()
    expect(manager.locator("#form-hint")).to_contain_text("密码规则")
    # he staffs his own enterprise only: no administrator, no government role to choose
    roles = control(manager, "role")
    expect(roles.locator("option")).to_have_text(["岗位员工", "安全管理人员"])
    control(manager, "username").fill("jf_newcomer")
    control(manager, "display_name").fill("钱七")
    roles.select_option("enterprise_staff")
    for name, unit in (("department_id", "氯化车间"), ("post_id", "操作岗")):  # options indented by depth
        select = control(manager, name)
        select.select_option(select.locator("option", has_text=unit).get_attribute("value"))
    control(manager, "phone").fill("13907930077")
    control(manager, "password").fill("first-day-2026")
    manager.get_by_role("button", name="保存").click()
    expect(manager.get_by_role("heading", name="钱七")).to_be_visible()
    expect(manager.locator("dl.props")).to_contain_text("下次登录须修改密码")
    expect(manager.locator("dl.props")).to_contain_text("操作岗")

    newcomer = browse.page()
    login_as(newcomer, "jf_newcomer", "first-day-2026")
    expect(newcomer).to_have_url(re.compile(r"/account/password$"))
    expect(newcomer.locator("#password-forced")).to_be_visible()
    newcomer.goto("/hazards/")  # every page leads back to the form until he has chosen
    expect(newcomer).to_have_url(re.compile(r"/account/password$"))
    expect(newcomer.locator("#password-rules")).to_contain_text("不得与用户名相同")
    control(newcomer, "current").fill("first-day-2026")
    control(newcomer, "password").fill("qian-qi-own-7")
    control(newcomer, "confirm").fill("qian-qi-own-7")
    newcomer.get_by_role("button", name="保存").click()
    expect(newcomer.get_by_text("密码已修改。")).to_be_visible()
    expect(newcomer.get_by_role("heading", name="欢迎，钱七")).to_be_visible()
    newcomer.goto("/hazards/")
    expect(newcomer).to_have_url(re.compile(r"/hazards/$"))
