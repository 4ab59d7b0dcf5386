"""A user's department and post are units of his own enterprise, in use, the post of level "post" under
his department: refused otherwise (422 naming the field, nothing saved). Organisations administers the
accounts and owns the units (app/organisations/accounts.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.organisations import service
from tests.conftest import api_token


@pytest.fixture
def units(world):
    f, ent_a, dept_a = world.factory, world.enterprises.a, world.departments.a
    other = f.department(ent_a, name="生产部")
    made = {
        "post": f.department(ent_a, name="操作岗", level="post", parent=dept_a),
        "other_post": f.department(ent_a, name="巡检岗", level="post", parent=other),
        "foreign": f.department(world.enterprises.b, name="乙安全部"),
        "retired": service.retire_department(None, f.department(ent_a, name="旧部门")),
    }
    db.session.commit()
    return made


def _post(client, world, **fields):
    body = {"username": "unit_staff", "display_name": "单元员工", "role": "enterprise_staff",
            "enterprise_id": world.enterprises.a.id, "password": "long-enough-1", **fields}
    return client.post("/api/v1/users", json=body, headers=api_token(client, world.users.admin))


def _users() -> int:
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize(("unit", "field", "message"), [
    ({"department_id": "foreign"}, "department_id", "该部门不属于此企业。"),
    ({"department_id": "retired"}, "department_id", "该单元已撤销。"),
    ({"post_id": "dept"}, "post_id", "请选择层级为“岗位”的单元。"),
    ({"department_id": "dept", "post_id": "other_post"}, "post_id", "该岗位不在所选部门之下。"),
])
def test_a_unit_that_is_not_his_is_refused(client, world, units, unit, field, message):
    ids = {**{name: dept.id for name, dept in units.items()}, "dept": world.departments.a.id}
    before = _users()
    resp = _post(client, world, **{key: ids[name] for key, name in unit.items()})
    assert resp.status_code == 422
    assert resp.get_json()["error"]["fields"][field] == [message]
    assert _users() == before


def test_an_unknown_unit_is_refused_and_a_right_one_kept(client, world, units):
    resp = _post(client, world, department_id=999999)
    assert resp.status_code == 422 and "department_id" in resp.get_json()["error"]["fields"]
    resp = _post(client, world, department_id=world.departments.a.id, post_id=units["post"].id)
    assert resp.status_code == 201
    assert (resp.get_json()["department_id"], resp.get_json()["post_id"]) == (world.departments.a.id,
                                                                              units["post"].id)


def test_another_enterprises_user_is_absent_to_a_manager(client, world):
    headers = api_token(client, world.users.manager)
    resp = client.patch(f"/api/v1/users/{world.users.staff_b.id}", json={"display_name": "改名"}, headers=headers)
    assert resp.status_code == 404
