"""The enterprise safety manager issues an internal rectification notice (隐患整改通知书) from a hazard's
page and reads the PDF. (Every submit of this page once answered 409: the form posted the hazard both
in its address and in its body, and the hazard was attached twice.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.clock import today
from tests.e2e.files import download_pdf, pdf_text

pytestmark = pytest.mark.e2e

TITLE = "储运部叉车充电区未设置防撞设施（E2E通知书）"


def _confirmed_hazard(live) -> tuple[int, str]:
    """A hazard of 江丰化工 reported by its staff and confirmed by its manager, through the services."""

    def make():
        from sqlalchemy import select

        from app.auth.models import User
        from app.extensions import db
        from app.hazards import service as hazards

        manager = db.session.scalar(select(User).where(User.username == "jiangfeng_manager"))
        hazard = hazards.create_hazard(manager, enterprise=manager.enterprise, title=TITLE,
                                       description="充电区与通道之间无防撞护栏", location="储运部叉车充电区")
        hazards.fire(hazard.id, "confirm", manager, level="general", deadline=today() + timedelta(days=7),
                     responsible_user_id=manager.id, measures="加装防撞护栏并划定隔离区")
        db.session.commit()
        return hazard.id, hazard.code

    return live.run(make)


def test_manager_issues_a_rectification_notice_from_the_hazard_page(browse, live):
    hazard_id, code = _confirmed_hazard(live)
    manager = browse.login("jiangfeng_manager")
    manager.goto(f"/hazards/{hazard_id}")
    manager.get_by_role("link", name="隐患整改通知书").click()
    expect(manager.locator("main form")).to_contain_text(code)
    manager.get_by_label("被通知部门").fill("储运部")
    manager.get_by_label("整改要求").fill("三日内完成护栏安装，完成后上传照片。")
    manager.get_by_role("button", name="签发").click()

    expect(manager.get_by_role("status").filter(has_text="已签发")).to_be_visible()
    heading = manager.get_by_role("heading", level=1).inner_text()
    number = heading.split()[-1]
    assert number.startswith("隐改〔") and number.endswith("号"), heading
    text = pdf_text(download_pdf(manager))
    for expected in ("隐患整改通知书", number, "储运部：", TITLE, code, "加装防撞护栏并划定隔离区",
                     "三日内完成护栏安装，完成后上传照片。", "上饶市江丰化工有限公司"):
        assert expected in text, (expected, text[:600])

    # The hazard page lists the notice once.
    manager.goto(f"/hazards/{hazard_id}")
    expect(manager.locator(".doc-list li", has_text=number)).to_have_count(1)
