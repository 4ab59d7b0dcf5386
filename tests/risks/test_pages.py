"""What users see: register, forms with errors, assessment form, reviews, checks → hazard, CSRF."""

from __future__ import annotations

from datetime import timedelta

from app.clock import today
from app.extensions import db
from app.risks.models import RiskPoint
from tests.conftest import login

FORM = {"name": "配电室巡检", "area": "配电室", "kind": "operation", "hazard_factors": ["2103"],
        "accident_types": ["05"], "engineering": "设置绝缘垫\n设置防护栏", "emergency": "立即断电",
        "review_interval_months": "3", "status": "active"}


def test_manager_builds_and_grades_by_form(client, world):
    login(client, world.users.manager)
    resp = client.post("/risks/new", data=FORM)
    assert resp.status_code == 302
    point = db.session.query(RiskPoint).filter_by(name="配电室巡检").one()
    assert point.controls == {"engineering": ["设置绝缘垫", "设置防护栏"], "emergency": ["立即断电"]}
    resp = client.post(f"/risks/{point.id}/assess", data={"method": "lec", "lec_L": "3", "lec_E": "6", "lec_C": "15"},
                       follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "270" in html
    assert point.assessed_grade.value == "orange"
    html = client.get("/risks/").get_data(as_text=True)
    assert "配电室巡检" in html and "grade-orange" in html


def test_form_errors_keep_input(client, world):
    login(client, world.users.manager)
    resp = client.post("/risks/new", data=FORM | {"name": "", "area": "保留的区域"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "保留的区域" in html
    point_id = client.post("/risks/new", data=FORM).headers["Location"].rsplit("/", 1)[-1]
    resp = client.post(f"/risks/{point_id}/assess", data={"method": "lec", "lec_L": "6", "lec_E": "6",
                                                          "note": "保留的备注"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "保留的备注" in html and "C" in html
    assert db.session.get(RiskPoint, int(point_id)).assessed_grade is None


def test_other_enterprise_gets_404_and_staff_cannot_edit(client, world, make_point):
    point = make_point(assess=("ls", {"L": 2, "S": 2}))
    login(client, world.users.manager_b)
    for url in (f"/risks/{point.id}", f"/risks/{point.id}/edit", f"/risks/{point.id}/card.pdf",
                f"/risks/map/{world.enterprises.a.id}", f"/risks/map/{world.enterprises.a.id}.pdf"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/risks/{point.id}/assess", data={"method": "ls", "ls_L": "5", "ls_S": "5"}).status_code == 404
    assert "动火作业" not in client.get("/risks/").get_data(as_text=True)
    login(client, world.users.staff)
    assert client.get(f"/risks/{point.id}").status_code == 200
    assert client.get(f"/risks/{point.id}/edit").status_code == 403
    assert client.post(f"/risks/{point.id}/assess", data={"method": "ls", "ls_L": "5", "ls_S": "5"}).status_code == 403


def test_reviews_list(client, world, make_point):
    point = make_point(assess=("ls", {"L": 2, "S": 2}))
    point.next_review_on = today() - timedelta(days=1)
    make_point(name="从未评估的点")
    db.session.commit()
    html = login(client, world.users.manager).get("/risks/reviews").get_data(as_text=True)
    assert "动火作业" in html and "从未评估的点" in html and "overdue" in html
    assert "动火作业" not in login(client, world.users.manager_b).get("/risks/reviews").get_data(as_text=True)


def test_csrf_is_on(app, client, world):
    login(client, world.users.manager)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert client.post("/risks/new", data=FORM).status_code == 400
        assert client.post(f"/risks/map/{world.enterprises.a.id}/place", json={"type": "pin"}).status_code == 400
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert db.session.query(RiskPoint).count() == 0
