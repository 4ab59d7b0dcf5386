"""The API contract of issue 13, driven by every role (staff, manager, principal, inspector, supervisor,
admin, another enterprise)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import clock
from app.checks.models import CheckRecord, CheckTask
from app.extensions import db
from tests.checks.conftest import MONDAY, local
from tests.conftest import api_token

TASK = {"cycle": 1, "cycle_unit": "day", "starts_at": "2026-03-02T00:00:00+08:00"}


@pytest.fixture
def tokens(client, world):
    return {name: api_token(client, getattr(world.users, name)) for name in (
        "staff", "manager", "principal", "inspector", "supervisor", "admin", "manager_b", "staff_b",
        "inspector_b")}


@pytest.fixture
def task(client, world, unit, tokens):
    with clock.moved_to(local(2026, 3, 1, 12)):
        resp = client.post(f"/api/v1/measures/{unit.measures[0].id}/check-tasks", headers=tokens["manager"],
                           json={**TASK, "assignee_user_id": world.users.staff.id})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_manager_defines_a_task(task, unit, world):
    assert task["measure_id"] == unit.measures[0].id and task["risk_point_id"] == unit.point.id
    assert (task["cycle"], task["cycle_unit"], task["workday_type"], task["task_type"], task["active"]) == \
        (1, "day", "every_day", "routine", True)
    assert task["starts_at"] == "2026-03-01T16:00:00Z"
    assert task["assignee_user_id"] == world.users.staff.id


@pytest.mark.parametrize("who, status", [
    ("staff", 403), ("principal", 403), ("inspector", 403), ("supervisor", 403), ("manager_b", 404),
    ("staff_b", 404), ("inspector_b", 404), ("admin", 201)])
def test_who_may_define_tasks(client, world, unit, tokens, who, status):
    with clock.moved_to(local(2026, 3, 1, 12)):
        resp = client.post(f"/api/v1/measures/{unit.measures[0].id}/check-tasks", headers=tokens[who],
                           json={**TASK, "assignee_user_id": world.users.staff.id})
    assert resp.status_code == status, resp.get_json()
    assert _count(CheckTask) == (1 if status == 201 else 0)


@pytest.mark.parametrize("fields, bad", [
    ({"cycle": 0}, "cycle"), ({"cycle": -1}, "cycle"), ({"cycle_unit": "hour", "cycle": 2}, "work_start"),
    ({"cycle_unit": "hour", "cycle": 2, "work_start": "17:00", "work_end": "09:00"}, "work_end"),
    ({"cycle_unit": "minute"}, "cycle_unit"), ({"task_type": "principal"}, "task_number"),
    ({"assignee_user_id": None}, "assignee_user_id"), ({"workday_type": "sometimes"}, "workday_type"),
])
def test_bad_definitions_answer_422_naming_the_field(client, world, unit, tokens, fields, bad):
    body = {**TASK, "assignee_user_id": world.users.staff.id, **fields}
    resp = client.post(f"/api/v1/measures/{unit.measures[0].id}/check-tasks", headers=tokens["manager"], json=body)
    assert resp.status_code == 422
    assert bad in resp.get_json()["errors"]["json"] if "errors" in resp.get_json() and "json" in \
        resp.get_json()["errors"] else bad in str(resp.get_json())
    assert _count(CheckTask) == 0


def test_tasks_of_a_measure_in_the_list_envelope(client, task, unit, tokens):
    body = client.get(f"/api/v1/measures/{unit.measures[0].id}/check-tasks", headers=tokens["inspector"]).get_json()
    assert set(body) >= {"items", "page", "per_page", "total", "has_next"}
    assert [t["id"] for t in body["items"]] == [task["id"]] and body["total"] == 1
    assert client.get(f"/api/v1/measures/{unit.measures[0].id}/check-tasks",
                      headers=tokens["inspector_b"]).status_code == 404


def test_patch_deactivates(client, task, tokens):
    assert client.patch(f"/api/v1/check-tasks/{task['id']}", headers=tokens["staff"],
                        json={"active": False}).status_code == 403
    assert client.patch(f"/api/v1/check-tasks/{task['id']}", headers=tokens["manager_b"],
                        json={"active": False}).status_code == 404
    with clock.moved_to(local(2026, 3, 5, 9)):
        resp = client.patch(f"/api/v1/check-tasks/{task['id']}", headers=tokens["manager"], json={"active": False})
    assert resp.status_code == 200 and resp.get_json()["active"] is False
    assert resp.get_json()["ends_at"].startswith("2026-03-05T01:00:0")
    again = client.patch(f"/api/v1/check-tasks/{task['id']}", headers=tokens["manager"], json={"active": True})
    assert again.status_code == 422 and "active" in str(again.get_json())


def test_record_contract_and_client_id(client, task, tokens):
    url = f"/api/v1/check-tasks/{task['id']}/records"
    with clock.moved_to(MONDAY):
        resp = client.post(url, headers=tokens["staff"], json={"result": "normal", "client_id": "c-1",
                                                                "device_id": "IMEI-8"})
        assert resp.status_code == 201
        body = resp.get_json()
        assert set(body) >= {"id", "task_id", "window_start", "late", "hazard_id"}
        assert (body["task_id"], body["window_start"], body["late"], body["hazard_id"]) == \
            (task["id"], "2026-03-01T16:00:00Z", False, None)
        again = client.post(url, headers=tokens["staff"], json={"result": "normal", "client_id": "c-1",
                                                                 "device_id": "IMEI-8"})
        assert again.status_code == 201 and again.get_json()["id"] == body["id"]
        taken = client.post(url, headers=tokens["staff"], json={"result": "normal", "client_id": "c-2"})
        assert taken.status_code == 409
    assert _count(CheckRecord) == 1


@pytest.mark.parametrize("who, body, status, field", [
    ("staff", {"result": "normal", "window_start": "2026-03-03T00:00:00+08:00"}, 422, "window_start"),
    ("staff", {"result": "abnormal", "note": ""}, 422, "note"),
    ("staff", {"result": "maybe"}, 422, "result"),
    ("manager", {"result": "normal"}, 403, None),
    ("principal", {"result": "normal"}, 403, None),
    ("inspector", {"result": "normal"}, 403, None),
    ("supervisor", {"result": "normal"}, 403, None),
    ("admin", {"result": "normal"}, 403, None),
    ("staff_b", {"result": "normal"}, 404, None),
    ("manager_b", {"result": "normal"}, 404, None),
    ("inspector_b", {"result": "normal"}, 404, None),
])
def test_records_refused(client, task, tokens, who, body, status, field):
    with clock.moved_to(MONDAY):
        resp = client.post(f"/api/v1/check-tasks/{task['id']}/records", headers=tokens[who], json=body)
    assert resp.status_code == status, resp.get_json()
    if field:
        assert field in str(resp.get_json())
    assert _count(CheckRecord) == 0


def test_an_abnormal_record_answers_its_hazard(client, task, tokens, unit):
    with clock.moved_to(MONDAY):
        resp = client.post(f"/api/v1/check-tasks/{task['id']}/records", headers=tokens["staff"],
                           json={"result": "abnormal", "note": "紧急切断阀卡涩"})
    assert resp.status_code == 201
    hazard_id = resp.get_json()["hazard_id"]
    hazard = client.get(f"/api/v1/hazards/{hazard_id}", headers=tokens["manager"]).get_json()
    assert hazard["state"] == "reported" and hazard["risk_point_id"] == unit.point.id
    assert hazard["description"] == "紧急切断阀卡涩"


def test_windows_contract(client, task, tokens):
    with clock.moved_to(MONDAY):
        mine = client.get("/api/v1/check-windows?assignee=me", headers=tokens["staff"]).get_json()
        assert set(mine) >= {"items", "page", "per_page", "total", "has_next"}
        assert mine["items"] == [{"task_id": task["id"], "measure_id": task["measure_id"],
                                  "risk_point_id": task["risk_point_id"], "starts_at": "2026-03-01T16:00:00Z",
                                  "ends_at": "2026-03-02T16:00:00Z", "state": "due"}]
        week = client.get("/api/v1/check-windows?from=2026-02-23&to=2026-03-08&state=upcoming",
                          headers=tokens["manager"]).get_json()
        assert week["total"] == 6
        for who in ("principal", "inspector", "supervisor", "admin"):
            got = client.get("/api/v1/check-windows?from=2026-03-02&to=2026-03-02", headers=tokens[who])
            assert got.status_code == 200 and got.get_json()["total"] == 1, who
        assert client.get("/api/v1/check-windows?from=2026-03-02&to=2026-03-02",
                          headers=tokens["inspector_b"]).get_json()["total"] == 0
        assert client.get("/api/v1/check-windows?assignee=me", headers=tokens["manager"]).get_json()["total"] == 0
        assert client.get(f"/api/v1/check-windows?enterprise_id={task['enterprise_id']}",
                          headers=tokens["manager_b"]).status_code == 404
        assert client.get("/api/v1/check-windows?state=lost", headers=tokens["staff"]).status_code == 422
        assert client.get("/api/v1/check-windows?from=tomorrow", headers=tokens["staff"]).status_code == 422


def test_stats_contract(client, task, tokens, world):
    with clock.moved_to(local(2026, 3, 2, 10)):
        client.post(f"/api/v1/check-tasks/{task['id']}/records", headers=tokens["staff"], json={"result": "normal"})
    with clock.moved_to(local(2026, 3, 9, 10)):
        url = f"/api/v1/check-stats?enterprise_id={world.enterprises.a.id}&from=2026-03-02&to=2026-03-08"
        body = client.get(url + "&group_by=user", headers=tokens["manager"]).get_json()
        assert {k: body[k] for k in ("planned", "done", "late", "missed", "suspended")} == \
            {"planned": 7, "done": 1, "late": 0, "missed": 6, "suspended": 0}
        assert body["completion_rate"] == pytest.approx(1 / 7)
        assert body["groups"][0]["user_id"] == world.users.staff.id
        for who, status in (("principal", 200), ("inspector", 200), ("supervisor", 200), ("admin", 200),
                            ("staff", 403), ("manager_b", 404), ("inspector_b", 404)):
            assert client.get(url, headers=tokens[who]).status_code == status, who
        region = client.get(f"/api/v1/check-stats?region_id={world.regions.county_a.id}&from=2026-03-02"
                            "&to=2026-03-08&group_by=enterprise", headers=tokens["supervisor"]).get_json()
        assert region["planned"] == 7 and region["groups"][0]["enterprise_id"] == world.enterprises.a.id
        assert client.get(url + "&group_by=colour", headers=tokens["manager"]).status_code == 422
        assert client.get(url.replace("from=2026-03-02", "from=x"), headers=tokens["manager"]).status_code == 422
        assert client.get(f"/api/v1/check-stats?enterprise_id={world.enterprises.a.id}",
                          headers=tokens["manager"]).status_code == 422
