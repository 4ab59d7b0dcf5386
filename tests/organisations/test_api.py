"""The organisation API driven with a token: lists with filters and pages, details, admin writes,
and every bad input answered 422 with the offending fields and nothing saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.organisations.credit_code import complete
from app.organisations.models import Authority, Enterprise, Industry, Region
from tests.conftest import api_token

VALID_CODE = complete("91900003MA0000992")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def admin(client, world):
    return api_token(client, world.users.admin)


def industry(code) -> int:
    return db.session.scalar(select(Industry.id).where(Industry.code == code))


def new_enterprise(world, **over):
    body = {"name": "丙化工有限公司", "credit_code": VALID_CODE, "region_id": world.regions.county_a.id,
            "industry_id": industry("hazardous_chemicals"), "address": "丙路1号", "scale": "medium"}
    body.update(over)
    return body


def test_enterprise_list_pages_and_filters(client, world, admin):
    for n in range(7):
        world.factory.enterprise(world.regions.county_b, name=f"接口企业{n}有限公司", industry_code="machinery")
    db.session.commit()
    body = client.get("/api/v1/enterprises", query_string={"per_page": 5}, headers=admin).get_json()
    assert (body["page"], body["per_page"], body["total"], body["has_next"]) == (1, 5, 9, True)
    assert len(body["items"]) == 5
    body = client.get("/api/v1/enterprises", query_string={"per_page": 5, "page": 2}, headers=admin).get_json()
    assert len(body["items"]) == 4 and body["has_next"] is False
    names = lambda **q: {e["name"] for e in client.get("/api/v1/enterprises", query_string=q,  # noqa: E731
                                                        headers=admin).get_json()["items"]}
    assert names(region_id=world.regions.county_a.id) == {"甲化工有限公司"}
    assert names(industry="hazardous_chemicals") == {"甲化工有限公司"}
    assert names(q="接口企业3") == {"接口企业3有限公司"}
    assert names(q=world.enterprises.a.credit_code.lower()) == {"甲化工有限公司"}
    assert len(names(region_id=world.regions.city.id)) == 9
    resp = client.get("/api/v1/enterprises", query_string={"per_page": 1000}, headers=admin)
    assert resp.status_code == 422 and "per_page" in resp.get_json()["error"]["fields"]


def test_enterprise_detail_and_tenancy(client, world):
    headers = api_token(client, world.users.inspector)
    body = client.get(f"/api/v1/enterprises/{world.enterprises.a.id}", headers=headers).get_json()
    assert body["credit_code"] == world.enterprises.a.credit_code and body["industry"] == "hazardous_chemicals"
    assert body["region_id"] == world.regions.county_a.id and body["standardisation_level"] == "none"
    resp = client.get(f"/api/v1/enterprises/{world.enterprises.b.id}", headers=headers)
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    items = client.get("/api/v1/enterprises", headers=headers).get_json()["items"]
    assert [e["name"] for e in items] == ["甲化工有限公司"]


def test_admin_creates_and_patches_an_enterprise(client, world, admin):
    resp = client.post("/api/v1/enterprises", json=new_enterprise(world), headers=admin)
    assert resp.status_code == 201, resp.get_json()
    created = resp.get_json()
    assert created["credit_code"] == VALID_CODE and created["scale"] == "medium"
    resp = client.patch(f"/api/v1/enterprises/{created['id']}", json={"standardisation_level": "level_1",
                                                                      "region_id": created["region_id"]},
                        headers=admin)
    assert resp.status_code == 200  # the same region may be sent back; moving it is a transfer (test_transfers)
    assert resp.get_json()["standardisation_level"] == "level_1"


@pytest.mark.parametrize(("over", "field", "message"), [
    ({"credit_code": VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")}, "credit_code", "统一社会信用代码"),
    ({"credit_code": "91900003MA00009I2X"}, "credit_code", "统一社会信用代码"),
    ({"credit_code": "short"}, "credit_code", "统一社会信用代码"),
    ({"credit_code": "DUPLICATE"}, "credit_code", "已存在"),
    ({"region_id": 999999}, "region_id", "未知区域"),
    ({"industry_id": 999999}, "industry_id", ""),
    ({"name": "长" * 129}, "name", "最多 128 个字符"),
    ({"scale": "huge"}, "scale", ""),
    ({"region_id": "abc"}, "region_id", ""),
    ({"unexpected": 1}, "unexpected", ""),
])
def test_enterprise_bad_input_is_422_with_fields_and_nothing_saved(client, world, admin, over, field, message):
    if over.get("credit_code") == "DUPLICATE":
        over = {"credit_code": world.enterprises.b.credit_code}
    before = count(Enterprise)
    resp = client.post("/api/v1/enterprises", json=new_enterprise(world, **over), headers=admin)
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "validation_failed" and field in error["fields"]
    assert message in " ".join(error["fields"][field])
    assert count(Enterprise) == before


def test_several_bad_fields_are_reported_together(client, world, admin):
    resp = client.post("/api/v1/enterprises", json=new_enterprise(world, credit_code="x", region_id=999999,
                                                                  name=""), headers=admin)
    assert set(resp.get_json()["error"]["fields"]) >= {"credit_code", "region_id", "name"}


def test_patch_with_a_duplicate_credit_code_changes_nothing(client, world, admin):
    resp = client.patch(f"/api/v1/enterprises/{world.enterprises.a.id}",
                        json={"credit_code": world.enterprises.b.credit_code, "address": "不应保存"}, headers=admin)
    assert resp.status_code == 422 and "credit_code" in resp.get_json()["error"]["fields"]
    db.session.expire_all()
    assert db.session.get(Enterprise, world.enterprises.a.id).address == "测试路1号"


def test_regions_and_authorities(client, world, admin):
    county = world.regions.county_a
    resp = client.post("/api/v1/regions", json={"code": county.code + "010", "name": "甲县新镇", "level": "town",
                                                "parent_id": county.id}, headers=admin)
    assert resp.status_code == 201
    town = resp.get_json()
    assert town["path"] == world.regions.county_a.path + f"{town['id']}/"
    before = count(Region)
    for body, field in [({"code": county.code + "010", "name": "重复", "level": "town", "parent_id": county.id},
                         "code"),
                        ({"code": county.code + "011", "name": "无父", "level": "town", "parent_id": 999999},
                         "parent_id"),
                        ({"code": "99A", "name": "字母", "level": "town", "parent_id": county.id}, "code"),
                        ({"code": county.code + "012", "name": "长" * 65, "level": "town", "parent_id": county.id},
                         "name"),
                        ({"code": county.code + "013", "name": "错级", "level": "planet"}, "level")]:
        resp = client.post("/api/v1/regions", json=body, headers=admin)
        assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"], body
    assert count(Region) == before

    inspector = api_token(client, world.users.inspector)
    regions = client.get("/api/v1/regions", headers=inspector).get_json()["items"]
    assert {r["name"] for r in regions} == {"甲县", "甲县新镇"}
    body = {"region_id": world.regions.county_a.id, "name": "甲县第二局", "abbreviation": "甲二",
            "review_body": "甲县人民政府", "court": "甲县人民法院"}
    before = count(Authority)
    for over, field in [({"region_id": 999999}, "region_id"), ({"name": "甲县应急管理局"}, "name"),
                        ({"court": ""}, "court"), ({"abbreviation": "长" * 17}, "abbreviation")]:
        resp = client.post("/api/v1/authorities", json=dict(body, **over), headers=admin)
        assert resp.status_code == 422 and field in resp.get_json()["error"]["fields"], over
    assert count(Authority) == before
    resp = client.post("/api/v1/authorities", json=body, headers=admin)
    assert resp.status_code == 201 and resp.get_json()["level"] == "county"
    authorities = client.get("/api/v1/authorities", headers=inspector).get_json()["items"]
    assert {a["name"] for a in authorities} == {"甲县应急管理局", "甲县第二局"}


def new_user(world, **over):
    body = {"username": "api_staff", "display_name": "接口员工", "role": "enterprise_staff",
            "enterprise_id": world.enterprises.a.id, "password": "long-enough-1"}
    body.update(over)
    return body


@pytest.mark.parametrize(("over", "field"), [
    ({"enterprise_id": None}, "enterprise_id"),
    ({"role": "inspector", "enterprise_id": None}, "authority_id"),
    ({"role": "supervisor"}, "authority_id"),
    ({"enterprise_id": 999999}, "enterprise_id"),
    ({"username": "t_staff"}, "username"),
    ({"display_name": "长" * 65}, "display_name"),
    ({"password": "short"}, "password"),
    ({"role": "boss"}, "role"),
    ({"role": "admin"}, "enterprise_id"),
])
def test_user_bad_input_is_422_with_fields_and_nothing_saved(client, world, admin, over, field):
    before = count(User)
    resp = client.post("/api/v1/users", json=new_user(world, **over), headers=admin)
    assert resp.status_code == 422
    assert field in resp.get_json()["error"]["fields"], resp.get_json()
    assert count(User) == before


def test_an_inspector_without_certificate_number_is_refused(client, world, admin):
    """An inspector without 执法证号 could only fail later, after filling in a whole inspection."""
    before = count(User)
    body = new_user(world, username="api_inspector", role="inspector", enterprise_id=None,
                    authority_id=world.authorities.county_a.id)
    for certificate in (None, "", "   "):
        if certificate is not None:
            body["certificate_no"] = certificate
        resp = client.post("/api/v1/users", json=body, headers=admin)
        assert resp.status_code == 422
        assert resp.get_json()["error"]["fields"].keys() == {"certificate_no"}
    assert count(User) == before
    # Nor can an existing user become an inspector without one, nor an inspector lose his.
    staff = world.users.staff
    resp = client.patch(f"/api/v1/users/{staff.id}", json={"role": "inspector", "enterprise_id": None,
                                                             "department_id": None,
                                                             "authority_id": world.authorities.county_a.id},
                        headers=admin)
    assert resp.status_code == 422 and "certificate_no" in resp.get_json()["error"]["fields"]
    resp = client.patch(f"/api/v1/users/{world.users.inspector.id}", json={"certificate_no": ""}, headers=admin)
    assert resp.status_code == 422 and "certificate_no" in resp.get_json()["error"]["fields"]
    db.session.expire_all()
    assert world.users.inspector.certificate_no == "36000001"
    body["certificate_no"] = "36000088"
    assert client.post("/api/v1/users", json=body, headers=admin).status_code == 201


def test_admin_creates_moves_and_deactivates_a_user(client, world, admin):
    resp = client.post("/api/v1/users", json=new_user(world), headers=admin)
    assert resp.status_code == 201
    created = resp.get_json()
    assert "password" not in created and created["role"] == "enterprise_staff"
    token = client.post("/api/v1/auth/token", json={"username": "api_staff", "password": "long-enough-1"})
    staff = {"Authorization": f"Bearer {token.get_json()['token']}"}
    # The administrator chose the password: nothing else until the staff member has chosen his own.
    resp = client.get("/api/v1/enterprises", headers=staff)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "password_change_required"
    assert client.post("/api/v1/auth/password", json={"current": "long-enough-1", "password": "my-own-pass-2"},
                       headers=staff).status_code == 204
    token = client.post("/api/v1/auth/token", json={"username": "api_staff", "password": "my-own-pass-2"})
    staff = {"Authorization": f"Bearer {token.get_json()['token']}"}
    assert client.get("/api/v1/enterprises", headers=staff).status_code == 200

    resp = client.patch(f"/api/v1/users/{created['id']}", json={"role": "inspector", "enterprise_id": None,
                                                                 "authority_id": world.authorities.county_b.id,
                                                                 "certificate_no": "36000099"},
                        headers=admin)
    assert resp.status_code == 200 and resp.get_json()["authority_id"] == world.authorities.county_b.id
    resp = client.patch(f"/api/v1/users/{created['id']}", json={"active": False}, headers=admin)
    assert resp.get_json()["active"] is False
    assert client.get("/api/v1/enterprises", headers=staff).status_code == 401


def test_user_list_is_scoped(client, world):
    headers = api_token(client, world.users.manager)
    names = {u["username"] for u in client.get("/api/v1/users", query_string={"per_page": 200},
                                               headers=headers).get_json()["items"]}
    assert names == {"t_staff", "t_manager", "t_principal"}
    headers = api_token(client, world.users.supervisor)
    names = {u["username"] for u in client.get("/api/v1/users", query_string={"per_page": 200},
                                               headers=headers).get_json()["items"]}
    assert {"t_inspector", "t_inspector2", "t_staff"} <= names
    assert not names & {"t_inspector_b", "t_manager_b", "t_admin", "t_city_inspector"}


def test_api_ignores_the_session_cookie(client, world):
    from tests.conftest import login

    login(client, world.users.admin)
    assert client.get("/enterprises").status_code == 200
    resp = client.get("/api/v1/enterprises")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "unauthorized"


def test_departments_and_industries(client, world):
    world.factory.department(world.enterprises.a, name="一车间", level="workshop", parent=world.departments.a)
    db.session.commit()
    headers = api_token(client, world.users.staff)
    units = client.get(f"/api/v1/enterprises/{world.enterprises.a.id}/departments", headers=headers).get_json()
    assert [(u["name"], u["level"]) for u in units] == [("安全部", "department"), ("一车间", "workshop")]
    assert units[1]["parent_id"] == units[0]["id"]
    industries = client.get("/api/v1/industries", headers=headers).get_json()
    assert {"code": "hazardous_chemicals", "name": "危险化学品"}.items() <= next(
        i for i in industries if i["code"] == "hazardous_chemicals").items()
