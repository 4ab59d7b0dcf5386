"""Region codes follow GB/T 2260 (rule sets are chosen by code prefix): every bad code is refused the
same way by the service, the admin page (Chinese message beside the field, input kept), the API (422
naming the field) and nothing is saved."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.errors import Invalid
from app.extensions import db
from app.organisations import service
from app.organisations.models import Region
from tests.conftest import api_token, login
from tests.organisations.test_pages import error_beside


def count() -> int:
    return db.session.scalar(select(func.count()).select_from(Region))


@pytest.fixture
def jiangxi(db_session):
    """江西省 360000 > 上饶市 361100 > 信州区 361102, as in GB/T 2260."""
    province = service.create_region(None, code="360000", name="江西省", level="province", parent=None)
    city = service.create_region(None, code="361100", name="上饶市", level="city", parent=province)
    county = service.create_region(None, code="361102", name="信州区", level="county", parent=city)
    db_session.commit()  # requests end their session: what they see must be committed
    return province, city, county


def bad_inputs(jiangxi):
    """(what is posted, the field refused, a part of the Chinese message) for each kind of bad code."""
    province, city, county = jiangxi
    return [
        # A county with a 4-digit code and no parent (issue 10 item 9).
        (dict(code="3611", name="短码县", level="county", parent=None), "parent_id", "只有省级区域位于最上层"),
        (dict(code="3611", name="短码县", level="county", parent=city), "code", "6 位数字"),
        # A Shandong prefix under Jiangxi.
        (dict(code="371100", name="济宁市", level="city", parent=province), "code", "须以 36 开头"),
        (dict(code="371102", name="错省县", level="county", parent=city), "code", "须以 3611 开头"),
        (dict(code="361202001", name="错县镇", level="town", parent=county), "code", "须以 361102 开头"),
        # The code says another level than the one chosen.
        (dict(code="361200", name="假县", level="county", parent=city), "code", "不是县级区域的代码"),
        (dict(code="361199", name="假市", level="city", parent=province), "code", "不是市级区域的代码"),
        (dict(code="361102000", name="零镇", level="town", parent=county), "code", "不是乡镇区域的代码"),
        # Malformed: letters, full-width digits, length, a province that does not exist.
        (dict(code="36110A", name="字母县", level="county", parent=city), "code", "6 位数字"),
        (dict(code="３６１１０３", name="全角县", level="county", parent=city), "code", "6 位数字"),
        (dict(code="3611031", name="七位", level="county", parent=city), "code", "6 位数字"),
        (dict(code="990000", name="无此省", level="province", parent=None), "code", "省级代码的前两位"),
        # Levels inconsistent with the tree.
        (dict(code="361103001", name="越级镇", level="town", parent=province), "level", "乡镇的上级须为县级或市级"),
        (dict(code="361103", name="县下县", level="county", parent=county), "level", "县级区域的上级须为市级或省级"),
        (dict(code="370000", name="省下省", level="province", parent=city), "level", "省级区域位于最上层"),
    ]


def test_the_service_refuses_each_bad_code(jiangxi):
    before = count()
    for data, field, _message in bad_inputs(jiangxi):
        with pytest.raises(Invalid) as excinfo:
            service.create_region(None, **data)
        assert field in excinfo.value.fields, data
    assert count() == before


def test_the_admin_page_says_why_beside_the_field(client, world, jiangxi):
    login(client, world.users.admin)
    before = count()
    for data, field, message in bad_inputs(jiangxi):
        form = {"code": data["code"], "name": data["name"], "level": data["level"],
                "parent_id": data["parent"].id if data["parent"] else ""}
        resp = client.post("/regions/new", data=form)
        assert resp.status_code == 422, form
        html = resp.get_data(as_text=True)
        assert message in error_beside(html, field), (form, error_beside(html, field))
        assert f'value="{data["code"]}"' in html  # what was typed is kept
    assert count() == before


def test_the_api_answers_422_naming_the_field(client, world, jiangxi):
    admin = api_token(client, world.users.admin)
    before = count()
    for data, field, message in bad_inputs(jiangxi):
        body = {"code": data["code"], "name": data["name"], "level": data["level"],
                "parent_id": data["parent"].id if data["parent"] else None}
        resp = client.post("/api/v1/regions", json=body, headers=admin)
        assert resp.status_code == 422, body
        error = resp.get_json()["error"]
        assert field in error["fields"] and message in " ".join(error["fields"][field]), (body, error)
    assert count() == before


def test_the_shortcuts_gb_t_2260_has_are_accepted(db_session):
    """County-level units directly under a province (仙桃市 429004) and towns directly under a city
    without counties (东莞市 441900 > 东城街道 441900003); a municipality's 市辖区 (北京 110100)."""
    hubei = service.create_region(None, code="420000", name="湖北省", level="province", parent=None)
    assert service.create_region(None, code="429004", name="仙桃市", level="county", parent=hubei).code == "429004"
    guangdong = service.create_region(None, code="440000", name="广东省", level="province", parent=None)
    dongguan = service.create_region(None, code="441900", name="东莞市", level="city", parent=guangdong)
    assert service.create_region(None, code="441900003", name="东城街道", level="town", parent=dongguan).parent == dongguan
    beijing = service.create_region(None, code="110000", name="北京市", level="province", parent=None)
    districts = service.create_region(None, code="110100", name="市辖区", level="city", parent=beijing)
    assert service.create_region(None, code="110101", name="东城区", level="county", parent=districts).level == "county"


def test_recoding_is_checked_against_parent_and_children(client, world, jiangxi):
    _province, city, county = jiangxi
    admin = api_token(client, world.users.admin)
    # The city re-coded out of its province, or away from its county's prefix: refused.
    resp = client.patch(f"/api/v1/regions/{city.id}", json={"code": "371100"}, headers=admin)
    assert resp.status_code == 422 and "须以 36 开头" in resp.get_json()["error"]["fields"]["code"][0]
    resp = client.patch(f"/api/v1/regions/{city.id}", json={"code": "361200"}, headers=admin)
    assert resp.status_code == 422 and "信州区（361102）" in resp.get_json()["error"]["fields"]["code"][0]
    resp = client.patch(f"/api/v1/regions/{county.id}", json={"code": "361100"}, headers=admin)
    assert resp.status_code == 422 and "code" in resp.get_json()["error"]["fields"]
    db.session.expire_all()
    assert (city.code, county.code) == ("361100", "361102")
    # A county re-coded inside its city is fine.
    resp = client.patch(f"/api/v1/regions/{county.id}", json={"code": "361125"}, headers=admin)
    assert resp.status_code == 200 and resp.get_json()["code"] == "361125"
