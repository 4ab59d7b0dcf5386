"""The unit's A6 QR label: what it prints, and who may print it."""

from __future__ import annotations

import io

from pypdf import PdfReader

from tests.checks.conftest import pdf_text
from tests.conftest import login


def test_label_is_one_a6_page_naming_the_unit_and_opening_its_checks(world, client, make_point):
    point = make_point(name="液氯储罐区", area="罐区")
    resp = login(client, world.users.staff).get(f"/checks/units/{point.id}/label.pdf")
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    page = PdfReader(io.BytesIO(resp.data)).pages[0]
    width_mm, height_mm = (float(v) * 25.4 / 72 for v in (page.mediabox.width, page.mediabox.height))
    assert (round(width_mm), round(height_mm)) == (105, 148)
    text = "".join(pdf_text(resp.data).split())
    assert "隐患排查点" in text and "液氯储罐区" in text and "甲化工有限公司" in text
    assert "扫码登录后排查本单元" in text and f"PC-{point.enterprise_id:04d}-{point.id:05d}" in text


def test_label_of_another_enterprise_is_not_found(world, client, make_point):
    point = make_point()
    assert login(client, world.users.staff_b).get(f"/checks/units/{point.id}/label.pdf").status_code == 404


def test_label_qr_leads_to_the_units_checks_through_the_label(world, make_point, app):
    from app.checks.labels_pdf import label_context

    point = make_point(name="液氯储罐区")
    saved = app.config["PUBLIC_BASE_URL"]
    app.config["PUBLIC_BASE_URL"] = "https://shk.example.cn"
    try:
        context = label_context(point, 3)
    finally:
        app.config["PUBLIC_BASE_URL"] = saved
    assert context["url"] == f"https://shk.example.cn/checks/units/{point.id}?via=qr"
    assert context["measure_count"] == 3
