"""Excel import/export: template round trip; bad cells by row and column; nothing from a bad file."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from app.extensions import db
from app.risks import excel
from app.risks.models import RiskAssessment, RiskPoint
from tests.conftest import login

ROW = ["叉车搬运", "仓库", "设备设施", "2108,1202", "02", "限速标志", "持证上岗", "叉车培训", "安全帽", "停车断电",
       "碰撞", "", "", 3, "mes", "M=3;E=6;S=4"]


def _book(rows, header=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header or excel.HEADERS)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _post(client, data):
    return client.post("/risks/import", data={"file": (io.BytesIO(data), "r.xlsx")}, content_type="multipart/form-data")


def test_template_imports_and_export_round_trips(client, world):
    login(client, world.users.manager)
    template = client.get("/risks/template.xlsx")
    assert template.status_code == 200
    assert _post(client, template.data).status_code == 302
    assert _post(client, _book([ROW, ["高处作业", "仓库", "作业活动", "", "09"] + [""] * 9 + ["lec", "L=10;E=1;C=7"]])).status_code == 302
    points = {p.name: p for p in db.session.query(RiskPoint)}
    assert points["液氯储罐区巡检"].score == 720 and points["液氯储罐区巡检"].assessed_grade.value == "red"
    assert points["叉车搬运"].score == 72 and points["叉车搬运"].assessed_grade.value == "yellow"
    assert points["叉车搬运"].controls["ppe"] == ["安全帽"]
    assert points["高处作业"].score == 70 and points["高处作业"].assessed_grade.value == "yellow"
    exported = client.get("/risks/export.xlsx")
    ws = load_workbook(io.BytesIO(exported.data)).active
    rows = list(ws.iter_rows(values_only=True))
    assert list(rows[0][:len(excel.HEADERS)]) == excel.HEADERS
    assert {r[0] for r in rows[1:]} == {"液氯储罐区巡检", "叉车搬运", "高处作业"}
    # The exported file imports again (read-only grade columns are ignored, never taken as grades).
    before = db.session.query(RiskPoint).count()
    assert _post(client, exported.data).status_code == 302
    assert db.session.query(RiskPoint).count() == before * 2


def test_bad_rows_reported_by_row_and_column_nothing_imported(client, world):
    login(client, world.users.manager)
    bad = [ROW,
           ["", "仓库", "设备设施", "2108", "99"] + ROW[5:],  # row 3: no name, bad accident code
           ROW[:14] + ["lec", "L=4;E=6;C=15"],  # row 4: L = 4 is not in the LEC table
           ROW[:14] + ["lec", "L=6;E=-1;C=15"],  # row 5: negative exposure
           ROW[:14] + ["fmea", "L=1"],  # row 6: unknown method
           ROW[:12] + ["nobody"] + ROW[13:]]  # row 7: unknown user
    resp = _post(client, _book(bad))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    for needle in ("第 3 行", "风险点名称", "事故类型代码", "第 4 行", "第 5 行", "第 6 行", "评价方法", "第 7 行", "责任人用户名"):
        assert needle in html, needle
    assert db.session.query(RiskPoint).count() == 0 and db.session.query(RiskAssessment).count() == 0


def test_wrong_column_and_not_a_workbook(client, world):
    login(client, world.users.manager)
    header = excel.HEADERS[:-1] + ["风险等级"]
    resp = _post(client, _book([ROW], header=header))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "风险等级" in html and "评价输入" in html
    resp = _post(client, b"PK\x03\x04 not really a workbook")
    assert resp.status_code == 422
    assert db.session.query(RiskPoint).count() == 0
