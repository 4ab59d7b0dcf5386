"""我的任务 on a phone (390 px): the post employee opens his due checks, reports one measure abnormal with a
photo from the camera (the hazard report filled in), records the rest with one tap of 全部正常 — tapped
twice, recorded once — through the unit's QR address; the QR label prints. Under the strict CSP."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, screenshot
from tests.e2e.files import jpeg_photo, pdf_text

pytestmark = pytest.mark.e2e

MEASURE_A = "储罐及附件按期检验，测厚"
MEASURE_B = "储罐设安全阀并定期校验"


def _daily_tasks(live):
    """Two daily checks for the tank farm's 罐区主任 from today (so that something is due whatever the hour)."""

    def make():
        from sqlalchemy import select

        from app import clock
        from app.auth.models import User
        from app.checks import service
        from app.extensions import db
        from app.risks.models import ControlMeasure, RiskPoint

        manager = db.session.scalar(select(User).where(User.username == "jiangfeng_manager"))
        operator = db.session.scalar(select(User).where(User.username == "jiangfeng_operator"))
        point = db.session.scalar(select(RiskPoint).where(RiskPoint.enterprise_id == manager.enterprise_id,
                                                          RiskPoint.name == "液氯储罐区"))
        ids = {}
        for text in (MEASURE_A, MEASURE_B):
            measure = db.session.scalar(select(ControlMeasure).where(ControlMeasure.risk_point_id == point.id,
                                                                     ControlMeasure.description == text))
            task = service.create_task(manager, measure.id, cycle=1, cycle_unit="day",
                                       starts_at=f"{clock.today().isoformat()}T00:00:00+08:00",
                                       assignee_user_id=operator.id)
            ids[text] = task.id
        db.session.commit()
        return point.id, ids

    return live.run(make)


def _records(live, task_id):
    def count():
        from sqlalchemy import select

        from app.checks.models import CheckRecord
        from app.extensions import db

        return [(r.result.value, r.via_qr, bool(r.device_id), r.hazard_id is not None)
                for r in db.session.scalars(select(CheckRecord).where(CheckRecord.task_id == task_id))]

    return live.run(count)


def test_post_employee_checks_the_tank_farm_on_the_phone(browse, live, tmp_path):
    point_id, tasks = _daily_tasks(live)
    phone = browse.login("jiangfeng_operator", viewport=PHONE)
    phone.goto("/checks/")
    expect(phone.get_by_role("heading", name="我的任务")).to_be_visible()
    card = phone.locator(f"a.task-card[href='/checks/units/{point_id}']")
    expect(card).to_be_visible()
    assert card.bounding_box()["height"] >= 56  # a large touch target
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    screenshot(phone, "my-tasks-phone")

    phone.goto(f"/checks/units/{point_id}?via=qr")  # what the QR label opens
    all_normal = phone.locator("#all-normal")
    expect(all_normal).to_contain_text("全部正常")
    assert all_normal.bounding_box()["height"] >= 48
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "unit-checks-phone", full_page=True)

    # 异常 on measure A: the hazard report, filled in with the measure and the unit; a photo from the camera.
    row = phone.locator(".measure").filter(has_text=MEASURE_A)
    row.get_by_role("link", name="异常").last.click()
    expect(phone.get_by_role("heading", name="异常：上报隐患")).to_be_visible()
    expect(phone.locator("dl.props")).to_contain_text(MEASURE_A)
    expect(phone.locator("dl.props")).to_contain_text("液氯储罐区")
    photo_input = phone.locator("input[type=file][name=photos]")
    assert photo_input.get_attribute("capture") == "environment"
    phone.get_by_label("异常情况").fill("测厚点腐蚀减薄（E2E）")
    photo_input.set_input_files(jpeg_photo(tmp_path / "thin.jpg"))
    phone.get_by_role("button", name="记录异常并上报隐患").click()
    expect(phone.get_by_role("status").filter(has_text="已记录排查异常，隐患已上报。")).to_be_visible()
    expect(phone.locator("body")).to_contain_text(f"排查异常：{MEASURE_A}")
    assert _records(live, tasks[MEASURE_A]) == [("abnormal", True, True, True)]

    # 全部正常, tapped twice: one record per due window.
    phone.goto(f"/checks/units/{point_id}?via=qr")
    phone.locator("#all-normal").dblclick()
    expect(phone.get_by_role("status").filter(has_text="全部正常")).to_be_visible()
    assert _records(live, tasks[MEASURE_B]) == [("normal", True, True, False)]
    expect(phone.locator("#all-normal")).to_have_count(0)

    # The unit's QR label: an A6 PDF naming the unit.
    label = phone.request.get(f"/checks/units/{point_id}/label.pdf")
    assert label.ok and label.headers["content-type"] == "application/pdf"
    text = "".join(pdf_text(label.body()).split())
    assert "隐患排查点" in text and "液氯储罐区" in text and "扫码登录后排查本单元" in text


def test_another_enterprise_cannot_open_the_unit(browse, live):
    point_id, _tasks = live.run(lambda: _point_only())
    phone = browse.login("hengli_staff", viewport=PHONE)
    response = phone.goto(f"/checks/units/{point_id}")
    assert response.status == 404


def _point_only():
    from sqlalchemy import select

    from app.extensions import db
    from app.risks.models import RiskPoint

    return db.session.scalar(select(RiskPoint.id).where(RiskPoint.name == "液氯储罐区")), None
