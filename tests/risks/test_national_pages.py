"""The national model in the register's pages (issue 13): analysis objects with their 包保 persons, a unit's
events and measures, 停用/检修 records; Chinese messages next to the fields, nothing saved on bad input."""

from __future__ import annotations

from sqlalchemy import func, select

from app.extensions import db
from app.risks import events
from app.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskPoint, Suspension
from tests.conftest import login

OBJECT = {"name": "液氯储罐区", "kind": "储罐区", "hazard_source_code": "361103101-ZD001", "major_hazard_level": "",
          "principal_user_id": "", "technical_user_id": "", "operator_user_id": "", "description": ""}


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_major_hazard_source_needs_its_three_persons(client, world):
    login(client, world.users.manager)
    assert "新建风险分析对象" in client.get("/risks/objects").get_data(as_text=True)
    resp = client.post("/risks/objects/new", data=OBJECT | {"major_hazard_level": "2",
                                                           "principal_user_id": str(world.users.principal.id)})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "重大危险源须确定技术负责人" in html and "重大危险源须确定操作负责人" in html
    assert "361103101-ZD001" in html  # what was typed stays
    assert _count(RiskObject) == 0
    resp = client.post("/risks/objects/new", data=OBJECT | {
        "major_hazard_level": "2", "principal_user_id": str(world.users.principal.id),
        "technical_user_id": str(world.users.manager.id), "operator_user_id": str(world.users.staff.id)})
    assert resp.status_code == 302
    obj = db.session.scalar(select(RiskObject))
    assert (obj.major_hazard_level, obj.operator_user_id) == (2, world.users.staff.id)
    html = client.get(f"/risks/objects/{obj.id}").get_data(as_text=True)
    assert "二级" in html or "2 级" in html
    assert world.users.staff.display_name in html
    listing = client.get("/risks/objects").get_data(as_text=True)
    assert "液氯储罐区" in listing and world.users.principal.display_name in listing


def test_objects_of_another_enterprise_are_404_and_staff_may_not_edit(client, world):
    login(client, world.users.manager)
    client.post("/risks/objects/new", data=OBJECT)
    obj = db.session.scalar(select(RiskObject))
    login(client, world.users.manager_b)
    assert client.get(f"/risks/objects/{obj.id}").status_code == 404
    assert client.post(f"/risks/objects/{obj.id}/edit", data=OBJECT | {"name": "x"}).status_code == 404
    login(client, world.users.staff)
    assert client.get(f"/risks/objects/{obj.id}").status_code == 200
    assert client.get(f"/risks/objects/{obj.id}/edit").status_code == 403
    assert client.get("/risks/objects/new").status_code == 403


FORM = {"name": "液氯储罐", "area": "罐区", "kind": "equipment", "accident_types": ["19"],
        "engineering": "泄漏检测报警仪\n紧急切断阀", "management": "每2小时巡检", "review_interval_months": "3",
        "status": "active", "control_level": "", "responsible_user_id": "", "responsible_department_id": ""}


def test_a_unit_with_one_event_is_edited_on_one_page(client, world):
    login(client, world.users.manager)
    client.post("/risks/objects/new", data=OBJECT | {"name": "罐区"})
    obj = db.session.scalar(select(RiskObject))
    assert client.post("/risks/new", data=FORM | {"object_id": str(obj.id)}).status_code == 302
    point = db.session.scalar(select(RiskPoint))
    assert point.object_id == obj.id
    (event,) = events.events_of(point)
    assert [(m.description, m.classify2) for m in events.measures_of(point)] == [
        ("泄漏检测报警仪", "1-5"), ("紧急切断阀", "1-5"), ("每2小时巡检", "3-4")]
    kept = events.measures_of(point)[0].id
    # the form edits the single event's measures by category: a line stays, one goes, one comes
    resp = client.post(f"/risks/{point.id}/edit", data=FORM | {"object_id": str(obj.id), "version": point.version,
                                                               "engineering": "泄漏检测报警仪\n事故氯吸收装置"})
    assert resp.status_code == 302, [line for line in resp.get_data(as_text=True).splitlines() if "error" in line]
    measures = events.measures_of(point)
    assert [m.description for m in measures] == ["泄漏检测报警仪", "事故氯吸收装置", "每2小时巡检"]
    assert measures[0].id == kept
    assert db.session.scalar(select(ControlMeasure).where(ControlMeasure.description == "紧急切断阀")).active is False
    html = client.get(f"/risks/{point.id}").get_data(as_text=True)
    assert "风险事件和管控措施" in html and "事故氯吸收装置" in html and "工程技术 / 其它" in html


def test_several_events_measures_and_assessment_by_event(client, world):
    login(client, world.users.manager)
    client.post("/risks/new", data=FORM)
    point = db.session.scalar(select(RiskPoint))
    resp = client.post(f"/risks/{point.id}/events/new", data={"name": "储罐超压容器爆炸", "accident_type": "17"})
    assert resp.status_code == 302
    second = db.session.scalar(select(RiskEvent).where(RiskEvent.name == "储罐超压容器爆炸"))
    # a classification code that does not exist: a message next to the field, nothing saved
    before = _count(ControlMeasure)
    resp = client.post(f"/risks/events/{second.id}/measures/new", data={
        "description": "安全阀定期校验", "classify2": "1-9", "data_source": "manual", "check_content": ""})
    assert resp.status_code == 422 and "不是国家分类中的代码" in resp.get_data(as_text=True)
    assert _count(ControlMeasure) == before
    resp = client.post(f"/risks/events/{second.id}/measures/new", data={
        "description": "安全阀定期校验", "classify2": "1-3", "data_source": "manual",
        "check_content": "铅封完好、在校验有效期内"})
    assert resp.status_code == 302
    # the assessment names its event now; without one it says so
    resp = client.post(f"/risks/{point.id}/assess", data={"method": "lec", "lec_L": "3", "lec_E": "6", "lec_C": "40"})
    assert resp.status_code == 422 and "请选择所评价的风险事件" in resp.get_data(as_text=True)
    resp = client.post(f"/risks/{point.id}/assess", data={"event_id": str(second.id), "method": "lec", "lec_L": "3",
                                                          "lec_E": "6", "lec_C": "40"})
    assert resp.status_code == 302
    db.session.refresh(point)
    assert point.assessed_grade.value == "red" and second.initial_grade.value == "red"
    html = client.get(f"/risks/{point.id}").get_data(as_text=True)
    assert "储罐超压容器爆炸" in html and "铅封完好" in html and "1-3" in html
    # the point's form no longer edits measures by category, and saving it keeps them
    page = client.get(f"/risks/{point.id}/edit").get_data(as_text=True)
    assert "有多个风险事件" in page
    resp = client.post(f"/risks/{point.id}/edit", data={k: v for k, v in FORM.items() if k not in (
        "engineering", "management")} | {"name": "液氯储罐（1#）", "version": point.version, "object_id": ""})
    assert resp.status_code == 302, [line for line in resp.get_data(as_text=True).splitlines() if "alert" in line]
    assert len(events.measures_of(point)) == 4


def test_suspensions_on_the_object_and_unit_pages(client, world):
    login(client, world.users.manager)
    client.post("/risks/objects/new", data=OBJECT)
    obj = db.session.scalar(select(RiskObject))
    client.post("/risks/new", data=FORM)
    point = db.session.scalar(select(RiskPoint))
    resp = client.post(f"/risks/objects/{obj.id}/suspensions", data={
        "starts_at": "2026-12-03T08:00", "ends_at": "2026-12-01T08:00", "reason": "年度检修"})
    assert resp.status_code == 422 and "结束时间必须晚于开始时间" in resp.get_data(as_text=True)
    assert _count(Suspension) == 0
    resp = client.post(f"/risks/objects/{obj.id}/suspensions", data={
        "starts_at": "2026-12-01T08:00", "ends_at": "2026-12-03T08:00", "reason": "年度检修"}, follow_redirects=True)
    assert resp.status_code == 200 and "年度检修" in resp.get_data(as_text=True)
    assert "2026-12-01 08:00" in resp.get_data(as_text=True)  # shown in China time, as typed
    resp = client.post(f"/risks/{point.id}/suspensions", data={
        "starts_at": "2026-12-05T08:00", "ends_at": "2026-12-05T20:00", "reason": "停车消缺"}, follow_redirects=True)
    assert resp.status_code == 200 and "停车消缺" in resp.get_data(as_text=True)
    assert _count(Suspension) == 2


def test_card_excel_and_api_show_every_event_s_measures(client, world, make_point):
    """A unit with two events: the risk card, the Excel export and the API's ``controls`` show the measures of
    both, by category; the exported file imports again."""
    import io

    from openpyxl import load_workbook

    from tests.conftest import api_token
    from tests.risks.conftest import pdf_text

    point = make_point(name="液氯储罐", assess=("lec", {"L": 3, "E": 6, "C": 15}))
    second = events.create_event(world.users.manager, point, name="储罐超压容器爆炸", accident_type="17")
    events.create_measure(world.users.manager, second, description="安全阀定期校验", classify1="1", classify2="1-3")
    events.create_measure(world.users.manager, second, description="充装前核对液位", classify1="3", classify2="3-2")
    db.session.commit()
    login(client, world.users.manager)
    text = pdf_text(client.get(f"/risks/{point.id}/card.pdf").data)
    for expected in ("设置防火隔离", "安全阀定期校验", "充装前核对液位", "立即停止作业并报告"):
        assert expected in text, expected
    rows = list(load_workbook(io.BytesIO(client.get("/risks/export.xlsx").data)).active.iter_rows(values_only=True))
    (row,) = [r for r in rows[1:] if r[0] == "液氯储罐"]
    assert row[5] == "设置防火隔离\n安全阀定期校验" and row[6] == "执行动火审批\n充装前核对液位"
    got = client.get(f"/api/v1/risk-points/{point.id}", headers=api_token(client, world.users.manager)).get_json()
    assert got["controls"]["engineering"] == ["设置防火隔离", "安全阀定期校验"]
