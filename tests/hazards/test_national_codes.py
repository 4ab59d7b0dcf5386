"""Hazards on the national model (issue 13 item 4, hazard side): the national enumerations, the measure and
check record that found a hazard, the 包保 flag; every value in the history (``audit verify``)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.hazards import history
from app.hazards import service as hazards
from app.hazards.models import Hazard
from app.risks import events, objects
from app.risks import service as risks
from tests.conftest import api_token, login
from tests.hazards.helpers import jpeg_bytes


@pytest.fixture
def tokens(client, world):
    cache = {}

    def get(name):
        if name not in cache:
            cache[name] = api_token(client, getattr(world.users, name))
        return cache[name]
    return get


@pytest.fixture
def tank(world):
    """A unit of a major hazard source, with two events: its own measures and an overpressure scenario."""
    u = world.users
    obj = objects.create_object(u.manager, world.enterprises.a, name="液氯储罐区", major_hazard_level=2,
                                principal_user_id=u.principal.id, technical_user_id=u.manager.id,
                                operator_user_id=u.staff.id)
    point = risks.create_point(u.manager, world.enterprises.a, name="液氯储罐", object_id=obj.id,
                               accident_types=["19"], controls={"engineering": ["泄漏报警仪"]})
    risks.assess(u.manager, point, "lec", {"L": 1, "E": 6, "C": 7})
    second = events.create_event(u.manager, point, name="储罐超压", accident_type="17")
    valve = events.create_measure(u.manager, second, description="安全阀定期校验", classify1="1", classify2="1-3",
                                  check_content="铅封完好")
    risks.assess(u.manager, point, "lec", {"L": 1, "E": 6, "C": 7}, event_id=second.id)
    db.session.commit()
    return point, events.events_of(point), valve


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Hazard))


def test_report_with_national_codes_through_the_api(client, world, tokens, tank):
    point, _events, valve = tank
    r = client.post("/api/v1/hazards", headers=tokens("staff"), json={
        "title": "安全阀铅封缺失", "risk_point_id": point.id, "control_measure_id": valve.id,
        "danger_source": "measure_failure", "hazard_type": "equipment", "manage_type": "immediate",
        "nature": "unsafe_condition"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert (body["danger_source"], body["hazard_type"], body["manage_type"], body["control_measure_id"]) == (
        "measure_failure", "equipment", "immediate", valve.id)
    assert body["reported_by_duty"] is True  # the operating responsible person of the major hazard source
    # defaults: from who found it
    r = client.post("/api/v1/hazards", headers=tokens("manager"), json={"title": "地沟积水"})
    body = r.get_json()
    assert (body["danger_source"], body["hazard_type"], body["manage_type"], body["reported_by_duty"]) == (
        "routine", "other", "deadline", False)
    r = client.post("/api/v1/hazards", headers=tokens("inspector"), json={
        "title": "应急预案未演练", "enterprise_id": world.enterprises.a.id, "enforcement_number": "（饶）应急责改〔2026〕12号"})
    body = r.get_json()
    assert (body["danger_source"], body["enforcement_number"]) == ("other", "（饶）应急责改〔2026〕12号")
    assert history.verify() == {}


@pytest.mark.parametrize("body,field", [
    ({"danger_source": "gossip"}, "danger_source"),
    ({"hazard_type": "cosmic"}, "hazard_type"),
    ({"manage_type": "never"}, "manage_type"),
    ({"enforcement_number": "责改〔2026〕1号"}, "enforcement_number"),  # not found by an inspection
    ({"control_measure_id": 999999}, "control_measure_id"),
])
def test_bad_national_codes_are_422(client, tokens, tank, body, field):
    before = _count()
    r = client.post("/api/v1/hazards", headers=tokens("staff"), json={"title": "x"} | body)
    assert r.status_code == 422 and field in r.get_json()["error"]["fields"]
    assert _count() == before


def test_a_measure_of_another_point_or_enterprise_is_refused(client, world, tokens, tank):
    point, _events, valve = tank
    other = risks.create_point(world.users.manager, world.enterprises.a, name="甲苯储罐")
    foreign = risks.create_point(world.users.admin, world.enterprises.b, name="乙的点",
                                 controls={"management": ["巡检"]})
    db.session.commit()
    foreign_measure = events.measures_of(foreign)[0]
    for body in ({"risk_point_id": other.id, "control_measure_id": valve.id},
                 {"control_measure_id": foreign_measure.id}):
        r = client.post("/api/v1/hazards", headers=tokens("staff"), json={"title": "x"} | body)
        assert r.status_code == 422 and "control_measure_id" in r.get_json()["error"]["fields"]
    # a measure alone names its unit
    r = client.post("/api/v1/hazards", headers=tokens("staff"), json={"title": "x", "control_measure_id": valve.id})
    assert r.get_json()["risk_point_id"] == point.id


def test_a_hazard_at_a_measure_raises_its_event_only(world, tank):
    point, (leak, overpressure), valve = tank
    manager = world.users.manager
    hazard = hazards.create_hazard(manager, enterprise=world.enterprises.a, title="安全阀失效", risk_point_id=point.id,
                                   control_measure_id=valve.id, danger_source="measure_failure", level="major")
    db.session.commit()
    for e in (leak, overpressure, point):
        db.session.refresh(e)
    assert (leak.initial_grade.value, leak.current_grade.value) == ("blue", "blue")
    assert (overpressure.initial_grade.value, overpressure.current_grade.value) == ("blue", "red")
    assert point.effective_grade.value == "red"  # the unit: its strictest event
    # a hazard of the unit bound to no measure raises every event (which scenario is not known: 从严从高)
    plain = hazards.create_hazard(manager, enterprise=world.enterprises.a, title="罐区无人巡检", risk_point_id=point.id,
                                  level="major")
    db.session.commit()
    db.session.refresh(leak)
    assert leak.current_grade.value == "red"
    hazards.fire(plain.id, "void", manager, reason="重复登记")
    hazards.fire(hazard.id, "void", manager, reason="误报")
    db.session.commit()
    for e in (leak, overpressure, point):
        db.session.refresh(e)
    assert (leak.current_grade.value, overpressure.current_grade.value, point.effective_grade.value) == (
        "blue", "blue", "blue")


def test_on_the_spot_rectification_is_immediate_governance(world):
    manager, staff = world.users.manager, world.users.staff
    hazard = hazards.create_hazard(staff, enterprise=world.enterprises.a, title="灭火器压力不足")
    hazards.rectify_on_the_spot(hazard.id, manager, responsible_user_id=staff.id, measures="更换灭火器",
                                rectification="已更换", attachments=[("after", "a.jpg", jpeg_bytes())])
    db.session.commit()
    assert hazard.manage_type.value == "immediate" and hazard.state.value == "closed"
    assert history.verify() == {}


def test_report_form_prefilled_from_a_measure(client, world, tank):
    point, _events, valve = tank
    login(client, world.users.staff)
    html = client.get(f"/hazards/new?control_measure_id={valve.id}").get_data(as_text=True)
    assert "管控措施失效：安全阀定期校验" in html
    assert f'value="{valve.id}"' in html
    resp = client.post("/hazards/new", data={"title": "安全阀铅封缺失", "control_measure_id": str(valve.id),
                                             "risk_point_id": str(point.id), "danger_source": "measure_failure",
                                             "hazard_type": "equipment", "manage_type": "deadline",
                                             "client_id": "c1"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    hazard = db.session.scalar(select(Hazard).where(Hazard.title == "安全阀铅封缺失"))
    assert (hazard.control_measure_id, hazard.danger_source.value, hazard.reported_by_duty) == (
        valve.id, "measure_failure", True)
    html = client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    assert "管控措施失效" in html and "设备" in html and "包保责任人登记" in html and "限期整改" in html


def test_a_failed_check_of_the_old_checklist_binds_its_hazard_to_the_measure(world, tank):
    from app.risks import checklist

    point, _events, _valve = tank
    items = checklist.items_for_point(point)
    assert [i["key"] for i in items] == ["engineering:0", "engineering:1"]  # 泄漏报警仪, 安全阀定期校验
    record = checklist.record_check(world.users.staff, point, "engineering:1", "failed", note="铅封缺失")
    hazard = db.session.get(Hazard, record.hazard_id)
    measure = db.session.get(type(_valve), items[1]["measure_id"])
    assert (hazard.control_measure_id, hazard.danger_source.value) == (measure.id, "measure_failure")
    assert measure.description == "安全阀定期校验"


def test_national_codes_are_corrected_later_and_recorded(client, world, tokens):
    r = client.post("/api/v1/hazards", headers=tokens("staff"), json={"title": "接地线松动"})
    hazard_id = r.get_json()["id"]
    url = f"/api/v1/hazards/{hazard_id}/national-codes"
    assert client.patch(url, headers=tokens("staff"), json={"hazard_type": "electrical"}).status_code == 403
    assert client.patch(url, headers=tokens("manager_b"), json={"hazard_type": "electrical"}).status_code == 404
    bad = client.patch(url, headers=tokens("manager"), json={"hazard_type": "cosmic", "enforcement_number": "x"})
    assert bad.status_code == 422 and set(bad.get_json()["error"]["fields"]) == {"hazard_type", "enforcement_number"}
    r = client.patch(url, headers=tokens("manager"), json={"hazard_type": "electrical", "manage_type": "immediate"})
    assert r.status_code == 200
    assert (r.get_json()["hazard_type"], r.get_json()["manage_type"]) == ("electrical", "immediate")
    from app.hazards.models import HazardEvent

    last = db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
                              .order_by(HazardEvent.seq.desc())).first()
    assert last.trigger == "reclassify" and last.data["hazard_type"] == "electrical"
    assert last.data["previous"] == {"hazard_type": "other", "manage_type": "deadline"}
    assert history.verify() == {}


def test_national_codes_corrected_on_the_hazard_page(client, world):
    hazard = hazards.create_hazard(world.users.staff, enterprise=world.enterprises.a, title="配电箱门未关")
    db.session.commit()
    login(client, world.users.staff)
    assert "更正国家编码" not in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    login(client, world.users.manager)
    assert "更正国家编码" in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)
    resp = client.post(f"/hazards/{hazard.id}/national-codes", data={
        "danger_source": "seasonal", "hazard_type": "electrical", "manage_type": "deadline",
        "version": hazard.version}, follow_redirects=True)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "季节性排查" in html and "电气" in html and "国家编码已记录" in html
    db.session.refresh(hazard)
    assert (hazard.danger_source.value, hazard.hazard_type.value) == ("seasonal", "electrical")
    assert history.verify() == {}
