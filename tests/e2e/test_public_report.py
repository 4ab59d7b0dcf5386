"""A report filed logged out from a phone (360×740) through an authority's QR address: the anti-robot
check runs by itself, a photo goes with it, the ticket and secret are shown; the reporter follows it by
ticket while the authority handles it, and reads the result. Under the strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot
from tests.e2e.files import jpeg_photo

pytestmark = pytest.mark.e2e
SMALL_PHONE = {"width": 360, "height": 740}


def _inspector(live):
    def find():
        from sqlalchemy import select

        from app.auth.models import Role, User
        from app.extensions import db

        user = db.session.scalars(select(User).where(User.role == Role.inspector).order_by(User.id)).first()
        return user.id, user.authority_id

    return live.run(find)


def test_a_report_filed_from_a_phone_is_followed_by_its_ticket(browse, live, tmp_path, monkeypatch):
    monkeypatch.setitem(live.app.config, "PUBLIC_REPORT_CHALLENGE_MAX_NUMBER", 3000)
    inspector_id, authority_id = _inspector(live)
    page = browse.page(viewport=SMALL_PHONE)
    page.goto(f"/report/a/{authority_id}")
    expect(page.get_by_role("heading", name="安全生产举报")).to_be_visible()
    expect(page.get_by_role("button", name="退出登录")).to_have_count(0)  # nobody logged in
    page.get_by_label("安全生产违法行为").check()
    page.get_by_label("地点").fill("工业园区3号路东侧")
    page.get_by_label("举报内容").fill("夜间有货车在厂区外倾倒化工废液。<script>alert(1)</script>")
    photo = jpeg_photo(tmp_path / "photo.jpg")
    page.get_by_label("照片（可选）").set_input_files(str(photo))
    expect(page.get_by_text("验证完成，可以提交举报。")).to_be_visible()
    # The page fits the phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= SMALL_PHONE["width"]
    page.get_by_role("button", name="提交举报").click()
    expect(page.get_by_role("heading", name="举报已收到")).to_be_visible()
    ticket = page.locator("[data-ticket]").inner_text()
    secret = page.locator("[data-secret]").inner_text()
    screenshot(page, "public-report-filed")

    page.get_by_role("link", name="查询本举报进度").click()
    page.get_by_label("查询密码").fill("WRONG")
    page.get_by_role("button", name="查询进度").click()
    expect(page.get_by_text("举报编号或查询密码不正确。")).to_be_visible()
    page.get_by_label("查询密码").fill(secret)
    page.get_by_role("button", name="查询进度").click()
    expect(page.locator("[data-state]")).to_have_text("已提交")

    def handle():
        from sqlalchemy import select

        from app.auth.models import User
        from app.extensions import db
        from app.public_reports import service
        from app.public_reports.models import PublicReport

        inspector = db.session.get(User, inspector_id)
        report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == ticket))
        assert "<script>" in report.description and len(report.photos) == 1
        service.decide(inspector, report.id, "accept")
        service.verify(inspector, report.id, substantiated=True, findings="现场核查属实")
        service.close(inspector, report.id, result="举报属实，已立案查处。感谢您的监督。")
        db.session.commit()

    live.run(handle)
    page.goto("/report/track")
    page.get_by_label("举报编号").fill(ticket.lower())  # typed in lower case off the phone
    page.get_by_label("查询密码").fill(secret)
    page.get_by_role("button", name="查询进度").click()
    expect(page.locator("[data-state]")).to_have_text("已办结")
    expect(page.locator("[data-result]")).to_have_text("举报属实，已立案查处。感谢您的监督。")
    screenshot(page, "public-report-followed")
