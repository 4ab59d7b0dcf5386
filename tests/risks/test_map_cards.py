"""Four-colour map (upload, placement, colours, PDF), region view, risk card PDF and public page."""

from __future__ import annotations

import io

from PIL import Image

from app.extensions import db
from app.risks.models import RiskArea, SitePlan
from tests.conftest import login
from tests.risks.conftest import pdf_text


def _png(w=400, h=300, fmt="PNG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), (240, 240, 240)).save(buf, format=fmt)
    return buf.getvalue()


def _upload(client, enterprise_id, data, name="plan.png"):
    return client.post(f"/risks/map/{enterprise_id}/plan", data={"plan": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_upload_place_and_colour(client, world, make_point):
    ent = world.enterprises.a
    red = make_point(name="液氯储罐", area="罐区", assess=("direct", {"rules": ["D3"]}))
    blue = make_point(name="办公室", area="罐区", assess=("ls", {"L": 1, "S": 1}))
    login(client, world.users.manager)
    assert _upload(client, ent.id, b"GIF89a not really", "plan.png").status_code == 422
    resp = _upload(client, ent.id, b"%PDF-1.4 fake", "plan.pdf")
    assert resp.status_code == 422 and db.session.query(SitePlan).count() == 0
    assert "PNG" in resp.get_data(as_text=True) or "图" in resp.get_data(as_text=True)
    assert _upload(client, ent.id, _png(fmt="JPEG"), "plan.jpg").status_code == 302
    plan = db.session.query(SitePlan).one()
    assert (plan.mime, plan.width, plan.height) == ("image/jpeg", 400, 300)
    area = db.session.query(RiskArea).filter_by(name="罐区").one()
    resp = client.post(f"/risks/map/{ent.id}/place", json={"type": "area", "id": area.id,
                                                            "polygon": [[0.1, 0.1], [0.5, 0.1], [0.5, 0.5]]})
    assert resp.status_code == 200
    data = resp.get_json()["map"]
    assert data["areas"][0]["grade"] == "red" and data["areas"][0]["colour"] == "#e60012"
    assert data["counts"] == {"red": 1, "orange": 0, "yellow": 0, "blue": 1}
    resp = client.post(f"/risks/map/{ent.id}/place", json={"type": "pin", "id": blue.id, "x": 0.3, "y": 0.2})
    assert resp.status_code == 200 and (blue.pin_x, blue.pin_y) == (0.3, 0.2)
    bad = client.post(f"/risks/map/{ent.id}/place", json={"type": "pin", "id": red.id, "x": 1.5, "y": 0.2})
    assert bad.status_code == 422 and "x" in bad.get_json()["error"]["fields"] and red.pin_x is None
    assert client.post(f"/risks/map/{ent.id}/place", json={"type": "area", "id": area.id,
                                                           "polygon": [[0.1, 0.1]]}).status_code == 422
    html = client.get("/risks/map").get_data(as_text=True)
    assert "riskmap-data" in html and "罐区" in html and 'id="count-red">1<' in html
    assert client.get(f"/risks/map/{ent.id}/plan.img").data[:2] == b"\xff\xd8"
    # A foreign manager can neither see nor place.
    login(client, world.users.manager_b)
    assert client.post(f"/risks/map/{ent.id}/place", json={"type": "pin", "id": blue.id, "x": 0, "y": 0}).status_code == 404
    assert client.get(f"/risks/map/{ent.id}/plan.img").status_code == 404
    # The county inspector sees the map, read-only.
    login(client, world.users.inspector)
    html = client.get(f"/risks/map/{ent.id}").get_data(as_text=True)
    assert "place-what" not in html and "罐区" in html
    assert client.post(f"/risks/map/{ent.id}/place", json={"type": "pin", "id": blue.id, "x": 0, "y": 0}).status_code == 403


def test_map_pdf_a3_landscape_with_legend(client, world, make_point):
    ent = world.enterprises.a
    make_point(name="液氯储罐", area="罐区", assess=("direct", {"rules": ["D3"]}))
    make_point(name="行车吊装", area="车间", assess=("ls", {"L": 3, "S": 5}))
    login(client, world.users.manager)
    _upload(client, ent.id, _png(800, 500))
    for size, width in (("A4", 842), ("A3", 1191)):
        resp = client.get(f"/risks/map/{ent.id}.pdf?size={size}")
        assert resp.mimetype == "application/pdf"
        from pypdf import PdfReader

        page = PdfReader(io.BytesIO(resp.data)).pages[0]
        assert round(float(page.mediabox.width)) == width and page.mediabox.width > page.mediabox.height
        text = pdf_text(resp.data)
        assert "安全风险四色分布图" in text and ent.name in text
        assert "重大风险：1" in text.replace(" ", "") and "较大风险：1" in text.replace(" ", "")
        assert "液氯储罐" in text and "行车吊装" in text


def test_region_view_counts_per_grade(client, world, make_point):
    make_point(name="a1", assess=("direct", {"rules": ["D1"]}))
    make_point(name="a2", assess=("ls", {"L": 1, "S": 1}))
    make_point(enterprise=world.enterprises.b, name="b1", assess=("ls", {"L": 3, "S": 3}))
    login(client, world.users.city_supervisor)
    html = client.get("/risks/region").get_data(as_text=True)
    assert world.enterprises.a.name in html and world.enterprises.b.name in html
    assert html.index(world.enterprises.a.name) < html.index(world.enterprises.b.name)  # red first
    login(client, world.users.inspector)  # county A only
    html = client.get("/risks/region").get_data(as_text=True)
    assert world.enterprises.a.name in html and world.enterprises.b.name not in html
    from app.risks.maps import region_summary

    summary = region_summary(world.users.city_supervisor)
    rows = {i["name"]: i for i in summary["items"]}
    assert rows[world.enterprises.a.name]["highest"] == "red"
    assert rows[world.enterprises.a.name]["counts"] == {"red": 1, "orange": 0, "yellow": 0, "blue": 1, "none": 0}
    assert rows[world.enterprises.b.name]["highest"] == "yellow"
    login(client, world.users.manager)
    assert client.get("/risks/region").status_code == 302  # enterprises go to their own map


def test_risk_card_pdf_and_public_page(client, world, make_point):
    world.users.manager.phone = "13900001111"
    point = make_point(name="液氯储罐区巡检", assess=("lec", {"L": 3, "E": 6, "C": 15}),
                       responsible_user_id=world.users.manager.id, consequences="中毒窒息")
    login(client, world.users.manager)
    resp = client.get(f"/risks/{point.id}/card.pdf")
    text = pdf_text(resp.data)
    for expected in ("岗位安全风险告知卡", "液氯储罐区巡检", "较大风险", "明火", "火灾", "其他爆炸", "设置防火隔离",
                     "立即停止作业并报告", "119", "120", "中毒窒息", world.users.manager.display_name, "13900001111",
                     "甲县应急管理局"):
        assert expected in text, expected
    from app.risks.cards import card_context

    ctx = card_context(point)
    assert ctx["public_url"].endswith(f"/public/risk-cards/{point.card_token}")
    assert ctx["risk_level"] == "orange" and ctx["colour"] == "#f39800"
    client.post("/logout")
    with client.session_transaction() as s:
        s.clear()
    page = client.get(f"/public/risk-cards/{point.card_token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "液氯储罐区巡检" in html and "立即停止作业并报告" in html
    assert "FXK-" in html and "history" not in html and "/risks/" not in html
    assert client.get("/public/risk-cards/nope").status_code == 404


def test_cards_of_a_post(client, world, make_point):
    post = world.factory.department(world.enterprises.a, name="操作岗", level="post", parent=world.departments.a)
    make_point(name="投料岗位风险", responsible_department_id=post.id, assess=("ls", {"L": 3, "S": 3}))
    make_point(name="安全部巡检", responsible_department_id=world.departments.a.id, assess=("ls", {"L": 1, "S": 1}))
    make_point(name="无责任部门")
    login(client, world.users.staff)
    from pypdf import PdfReader

    resp = client.get(f"/risks/cards.pdf?department_id={world.departments.a.id}")
    assert len(PdfReader(io.BytesIO(resp.data)).pages) == 2  # the department and the post below it
    text = pdf_text(resp.data)
    assert "投料岗位风险" in text and "安全部巡检" in text and "无责任部门" not in text
    only_post = pdf_text(client.get(f"/risks/cards.pdf?department_id={post.id}").data)
    assert "投料岗位风险" in only_post and "安全部巡检" not in only_post
    login(client, world.users.manager_b)
    assert client.get(f"/risks/cards.pdf?department_id={post.id}").status_code == 404
