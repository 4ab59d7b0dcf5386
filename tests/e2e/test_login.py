"""Each demo role logs in through the form and sees a Chinese page that says who he is."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import login_as

pytestmark = pytest.mark.e2e

ROLES = [  # demo username, display name, role as the page shows it
    ("admin", "系统管理员", "系统管理员"),
    ("jiangfeng_manager", "李卫东", "安全管理人员"),
    ("jiangfeng_principal", "周建国", "主要负责人"),
    ("jiangfeng_staff", "上饶员工", "岗位员工"),
    ("sr_inspector", "上饶市执法员甲", "执法人员"),
    ("sr_supervisor", "上饶市监管负责人", "监管负责人"),
]


@pytest.mark.parametrize(("username", "name", "role"), ROLES, ids=[r[0] for r in ROLES])
def test_each_role_logs_in_and_out_in_chinese(browse, username, name, role):
    page = browse.page(locale="en-US")  # the browser asks for English; the app answers in Chinese
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")

    login_as(page, username)
    expect(page.get_by_role("heading", name=f"欢迎，{name}")).to_be_visible()
    expect(page.locator(".userbox")).to_contain_text(role)

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_text("您已退出登录。")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_keeps_the_username_and_says_why(browse):
    page = browse.page()
    page.goto("/login")
    page.get_by_label("用户名").fill("jiangfeng_manager")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    expect(page.locator("#field-password .error")).to_have_text("用户名或密码错误。")
    expect(page.get_by_label("用户名")).to_have_value("jiangfeng_manager")
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)


def test_english_on_request(browse):
    page = browse.page()
    page.goto("/login")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("button", name="中文").click()
    expect(page.get_by_role("heading", name="登录")).to_be_visible()
