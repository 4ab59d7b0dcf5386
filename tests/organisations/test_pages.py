"""Organisation pages as their users see them: lists, search, filters, details, admin forms, and the
enterprise manager keeping his own enterprise. Bad input: message beside the field, input kept,
nothing saved."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.auth.models import User
from app.extensions import db
from app.organisations.credit_code import complete
from app.organisations.models import Authority, Department, Enterprise, Industry, Region
from tests.conftest import PASSWORD, login

VALID_CODE = complete("91900003MA0000991")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(resp) -> str:
    return resp.get_data(as_text=True)


def error_beside(html: str, field_id: str) -> str:
    """The error messages shown inside the field's block."""
    block = re.search(rf'id="field-{field_id}".*?</div>\s*</div>|id="field-{field_id}".*?(?=<div class="field)',
                      html, re.S)
    assert block, f"field {field_id} not on the page"
    return " ".join(re.findall(r'<div class="error"[^>]*>(.*?)</div>', block.group(0)))


def industry(code) -> int:
    return db.session.scalar(select(Industry.id).where(Industry.code == code))


def enterprise_form(world, **over):
    data = {"name": "丙化工有限公司", "credit_code": VALID_CODE, "region_id": world.regions.county_a.id,
            "industry_id": industry("hazardous_chemicals"), "address": "丙路1号", "standardisation_level": "none",
            "scale": "small"}
    data.update(over)
    return data


# --- lists and details -------------------------------------------------------------------------

def test_enterprise_list_search_by_name_and_credit_code(client, world):
    login(client, world.users.admin)
    html = text(client.get("/enterprises", query_string={"q": "甲化工"}))
    assert "甲化工有限公司" in html and "乙机械有限公司" not in html
    code = world.enterprises.b.credit_code
    html = text(client.get("/enterprises", query_string={"q": code[-8:].lower()}))
    assert "乙机械有限公司" in html and "甲化工有限公司" not in html


def test_enterprise_list_filters_by_region_subtree_and_industry(client, world):
    login(client, world.users.admin)
    town = world.factory.region("甲县某镇", level="town", parent=world.regions.county_a)
    world.factory.enterprise(town, name="甲镇建材有限公司", industry_code="building_materials")
    db.session.commit()
    html = text(client.get("/enterprises", query_string={"region_id": world.regions.county_a.id}))
    assert "甲化工有限公司" in html and "甲镇建材有限公司" in html and "乙机械有限公司" not in html
    html = text(client.get("/enterprises", query_string={"industry_id": industry("machinery")}))
    assert "乙机械有限公司" in html and "甲化工有限公司" not in html


def test_enterprise_list_is_paginated(client, world):
    for n in range(25):
        world.factory.enterprise(world.regions.county_a, name=f"分页企业{n:02d}有限公司")
    db.session.commit()
    login(client, world.users.admin)
    first = text(client.get("/enterprises", query_string={"q": "分页企业"}))
    assert "共 25 家企业" in first
    rows = re.compile(r"分页企业\d\d有限公司")
    assert len(rows.findall(first)) == 20 and "第 1 页，共 2 页" in first
    second = text(client.get("/enterprises", query_string={"q": "分页企业", "page": 2}))
    assert len(rows.findall(second)) == 5 and "分页企业24有限公司" in second


def test_inspector_lists_only_the_enterprises_of_his_county(client, world):
    login(client, world.users.inspector)
    html = text(client.get("/enterprises"))
    assert "甲化工有限公司" in html and "乙机械有限公司" not in html
    login(client, world.users.city_inspector)
    html = text(client.get("/enterprises"))
    assert "甲化工有限公司" in html and "乙机械有限公司" in html


def test_enterprise_page_shows_departments_tree_and_users(client, world):
    workshop = world.factory.department(world.enterprises.a, name="一车间", level="workshop",
                                        parent=world.departments.a)
    world.factory.department(world.enterprises.a, name="甲班", level="team", parent=workshop)
    db.session.commit()
    login(client, world.users.manager)
    html = text(client.get(f"/enterprises/{world.enterprises.a.id}"))
    assert html.index("安全部") < html.index("一车间") < html.index("甲班")
    assert "t_staff" in html and "t_principal" in html and "t_manager_b" not in html


def test_staff_sees_his_enterprise_but_no_user_list(client, world):
    login(client, world.users.staff)
    html = text(client.get(f"/enterprises/{world.enterprises.a.id}"))
    assert "甲化工有限公司" in html and "t_principal" not in html
    home = text(client.get("/"))
    assert "/enterprises" in home and 'href="/users"' not in home and 'href="/regions"' not in home


def test_regions_page_is_a_tree(client, world):
    login(client, world.users.admin)
    html = text(client.get("/regions"))
    assert html.index("测试省") < html.index("测试市") < html.index("甲县")
    html = text(client.get(f"/regions/{world.regions.county_a.id}"))
    assert "甲县应急管理局" in html and "甲化工有限公司" in html


def test_users_list_search_and_role_filter(client, world):
    login(client, world.users.admin)
    html = text(client.get("/users", query_string={"role": "inspector"}))
    assert "t_inspector_b" in html and "t_manager" not in html
    html = text(client.get("/users", query_string={"q": "t_principal"}))
    assert "t_principal" in html and "t_staff" not in html


# --- admin forms -------------------------------------------------------------------------------

def test_admin_creates_an_enterprise(client, world):
    login(client, world.users.admin)
    resp = client.post("/enterprises/new", data=enterprise_form(world))
    assert resp.status_code == 302
    created = db.session.scalar(select(Enterprise).where(Enterprise.credit_code == VALID_CODE))
    assert created.name == "丙化工有限公司" and created.region_id == world.regions.county_a.id
    assert "丙化工有限公司" in text(client.get(resp.headers["Location"]))


def _refused(client, url, data, field, message):
    resp = client.post(url, data=data)
    assert resp.status_code == 422
    html = text(resp)
    assert message in error_beside(html, field)
    return html


def test_enterprise_bad_inputs_are_refused_beside_the_field(client, world):
    login(client, world.users.admin)
    before = count(Enterprise)
    bad_check_digit = VALID_CODE[:-1] + ("0" if VALID_CODE[-1] != "0" else "1")
    html = _refused(client, "/enterprises/new", enterprise_form(world, credit_code=bad_check_digit),
                    "credit_code", "不是有效的统一社会信用代码")
    assert bad_check_digit in html and "丙路1号" in html  # what was typed is kept
    _refused(client, "/enterprises/new", enterprise_form(world, credit_code=world.enterprises.b.credit_code),
             "credit_code", "已存在")
    _refused(client, "/enterprises/new", enterprise_form(world, region_id=999999), "region_id", "未知区域")
    _refused(client, "/enterprises/new", enterprise_form(world, name="长" * 129), "name", "最多 128 个字符")
    _refused(client, "/enterprises/new", enterprise_form(world, name=""), "name", "必填")
    assert count(Enterprise) == before


def test_region_and_authority_bad_inputs(client, world):
    login(client, world.users.admin)
    regions, authorities = count(Region), count(Authority)
    _refused(client, "/regions/new", {"code": world.regions.county_a.code, "name": "重复", "level": "town",
                                      "parent_id": world.regions.county_a.id}, "code", "已存在")
    _refused(client, "/regions/new", {"code": world.regions.county_a.code + "099", "name": "镇", "level": "town",
                                      "parent_id": 999999}, "parent_id", "未知的上级")
    _refused(client, "/regions/new", {"code": "120000", "name": "省下", "level": "province",
                                      "parent_id": world.regions.city.id}, "level", "省级区域位于最上层")
    data = {"region_id": world.regions.county_a.id, "name": "甲县应急管理局", "abbreviation": "甲",
            "review_body": "甲县人民政府", "court": "甲县人民法院"}
    _refused(client, "/authorities/new", data, "name", "已存在")
    _refused(client, "/authorities/new", dict(data, name="新局", region_id=999999), "region_id", "未知区域")
    _refused(client, "/authorities/new", dict(data, name="新局", abbreviation="长" * 17), "abbreviation",
             "最多 16 个字符")
    assert (count(Region), count(Authority)) == (regions, authorities)


def test_admin_creates_region_and_authority(client, world):
    login(client, world.users.admin)
    resp = client.post("/regions/new", data={"code": world.regions.county_a.code + "001", "name": "甲县新镇",
                                             "level": "town", "parent_id": world.regions.county_a.id})
    assert resp.status_code == 302
    town = db.session.scalar(select(Region).where(Region.code == world.regions.county_a.code + "001"))
    assert town.path == world.regions.county_a.path + f"{town.id}/"
    resp = client.post("/authorities/new", data={"region_id": town.id, "name": "甲县新镇安监站",
                                                 "abbreviation": "新", "review_body": "甲县人民政府",
                                                 "court": "甲县人民法院"})
    assert resp.status_code == 302
    assert db.session.scalar(select(Authority).where(Authority.name == "甲县新镇安监站")).level.value == "town"


def user_form(world, **over):
    data = {"username": "new_staff", "display_name": "新员工", "role": "enterprise_staff",
            "enterprise_id": world.enterprises.a.id, "authority_id": "", "department_id": "",
            "password": "long-enough-1"}
    data.update(over)
    return data


def test_user_bad_inputs(client, world):
    login(client, world.users.admin)
    before = count(User)
    _refused(client, "/users/new", user_form(world, enterprise_id=""), "enterprise_id", "该角色必须指定企业")
    _refused(client, "/users/new", user_form(world, role="inspector", enterprise_id=""), "authority_id",
             "该角色必须指定监管部门")
    _refused(client, "/users/new", user_form(world, role="inspector", authority_id=world.authorities.county_a.id),
             "enterprise_id", "")  # an inspector with an enterprise: refused on the enterprise field
    _refused(client, "/users/new", user_form(world, username="t_staff"), "username", "该用户名已被使用")
    _refused(client, "/users/new", user_form(world, display_name="长" * 65), "display_name", "")
    _refused(client, "/users/new", user_form(world, enterprise_id=999999), "enterprise_id", "未知的企业")
    _refused(client, "/users/new", user_form(world, password="short"), "password", "至少需要 8 个字符")
    html = _refused(client, "/users/new", user_form(world, username="new_inspector", role="inspector",
                                                    enterprise_id="", authority_id=world.authorities.county_a.id,
                                                    certificate_no=""),
                    "certificate_no", "执法人员必须填写执法证号")
    assert "new_inspector" in html  # what was typed is kept
    assert count(User) == before


def test_admin_creates_edits_deactivates_and_resets_a_user(client, world, app):
    login(client, world.users.admin)
    assert client.post("/users/new", data=user_form(world, department_id=world.departments.a.id)).status_code == 302
    user = db.session.scalar(select(User).where(User.username == "new_staff"))
    assert user.enterprise_id == world.enterprises.a.id and user.department_id == world.departments.a.id
    resp = client.post(f"/users/{user.id}/edit", data={"display_name": "改名员工", "role": "inspector",
                                                       "enterprise_id": "", "department_id": "",
                                                       "authority_id": world.authorities.county_a.id,
                                                       "certificate_no": "36000055"})
    assert resp.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.role.value, user.authority_id, user.enterprise_id) == \
        ("改名员工", "inspector", world.authorities.county_a.id, None)

    assert client.post(f"/users/{user.id}/retire").status_code == 302
    db.session.refresh(user)
    assert not user.active
    other = app.test_client()
    resp = other.post("/login", data={"username": "new_staff", "password": "long-enough-1"})
    assert resp.status_code == 200 and "此账号已被管理员停用" in text(resp)  # retired, said so (issue 15)

    client.post(f"/users/{user.id}/reactivate")
    resp = client.post(f"/users/{user.id}/password", data={"password": "brand-new-pass", "confirm": "brand-new-pass"})
    assert resp.status_code == 302
    assert other.post("/login", data={"username": "new_staff", "password": "brand-new-pass"}).status_code == 302


def test_password_reset_needs_matching_and_long_passwords(client, world):
    login(client, world.users.admin)
    url = f"/users/{world.users.staff.id}/password"
    assert "两次输入的密码不一致" in error_beside(text(client.post(url, data={"password": "abcdefgh1",
                                                                   "confirm": "abcdefgh2"})), "confirm")
    _refused(client, url, {"password": "short", "confirm": "short"}, "password", "至少需要 8 个字符")
    assert world.users.staff.check_password(PASSWORD)


def test_admin_cannot_deactivate_himself(client, world):
    login(client, world.users.admin)
    resp = client.post(f"/users/{world.users.admin.id}/retire", follow_redirects=True)
    assert "不能停用自己的账号" in text(resp)
    db.session.refresh(world.users.admin)
    assert world.users.admin.active


# --- the enterprise manager keeps his own enterprise ------------------------------------------

def test_manager_edits_details_but_not_identity_of_his_enterprise(client, world):
    ent = world.enterprises.a
    code, name = ent.credit_code, ent.name
    login(client, world.users.manager)
    form = text(client.get(f"/enterprises/{ent.id}/edit"))
    assert 'name="address"' in form and 'name="credit_code"' not in form
    resp = client.post(f"/enterprises/{ent.id}/edit", data={
        "address": "新厂区88号", "safety_manager_name": "新经理", "standardisation_level": "level_2",
        "scale": "medium", "credit_code": VALID_CODE, "name": "改名公司"})
    assert resp.status_code == 302
    db.session.refresh(ent)
    assert (ent.address, ent.safety_manager_name, ent.standardisation_level.value) == ("新厂区88号", "新经理", "level_2")
    assert (ent.credit_code, ent.name) == (code, name)


def test_manager_keeps_the_departments_of_his_enterprise(client, world):
    ent = world.enterprises.a
    login(client, world.users.manager)
    resp = client.post(f"/enterprises/{ent.id}/departments/new",
                       data={"name": "二车间", "level": "workshop", "parent_id": world.departments.a.id})
    assert resp.status_code == 302
    workshop = db.session.scalar(select(Department).where(Department.name == "二车间"))
    assert workshop.parent_id == world.departments.a.id and workshop.enterprise_id == ent.id
    _refused(client, f"/enterprises/{ent.id}/departments/new",
             {"name": "二车间", "level": "workshop", "parent_id": world.departments.a.id}, "name", "同名")
    _refused(client, f"/enterprises/{ent.id}/departments/new",
             {"name": "部门", "level": "department", "parent_id": workshop.id}, "level", "低于上级")
    assert client.post(f"/departments/{workshop.id}/edit", data={"name": "三车间"}).status_code == 302
    db.session.refresh(workshop)
    assert workshop.name == "三车间"
    # Another enterprise's unit cannot be used as a parent.
    foreign = world.factory.department(world.enterprises.b, name="乙部门")
    db.session.commit()
    _refused(client, f"/enterprises/{ent.id}/departments/new",
             {"name": "越界", "level": "workshop", "parent_id": foreign.id}, "parent_id", "未知的上级")
    assert count(Department, Department.name == "越界") == 0


def test_english_switch_and_chinese_default(client, world):
    login(client, world.users.admin)
    assert "企业" in text(client.get("/enterprises"))
    client.get("/lang/en")
    html = text(client.get("/enterprises"))
    assert "Enterprises" in html and "Unified social credit code" in html
    client.post("/lang/zh_CN")
    assert "统一社会信用代码" in text(client.get("/enterprises"))


def test_search_wildcards_are_taken_literally(client, world):
    login(client, world.users.admin)
    html = text(client.get("/enterprises", query_string={"q": "%"}))
    assert "共 0 家企业" in html and "甲化工有限公司" not in html


def test_admin_edits_region_and_authority(client, world):
    login(client, world.users.admin)
    county = world.regions.county_a
    new_code = county.code[:4] + "55"
    assert client.post(f"/regions/{county.id}/edit", data={"code": new_code, "name": "甲区"}).status_code == 302
    db.session.refresh(county)
    assert (county.code, county.name) == (new_code, "甲区")
    _refused(client, f"/regions/{county.id}/edit", {"code": world.regions.county_b.code, "name": "甲区"},
             "code", "已存在")
    auth = world.authorities.county_a
    data = {"region_id": county.id, "name": "甲区应急管理局", "abbreviation": "甲", "review_body": "甲区人民政府",
            "court": "甲区人民法院", "address": "甲区政府大院", "phone": "0793-8"}
    assert client.post(f"/authorities/{auth.id}/edit", data=data).status_code == 302
    db.session.refresh(auth)
    assert (auth.name, auth.address) == ("甲区应急管理局", "甲区政府大院")
    html = _refused(client, f"/authorities/{auth.id}/edit", dict(data, name="乙县应急管理局"), "name", "已存在")
    assert "甲区政府大院" in html
    db.session.refresh(auth)
    assert auth.name == "甲区应急管理局"


def test_editing_a_user_keeps_the_role_anchor_rule(client, world):
    login(client, world.users.admin)
    staff = world.users.staff
    html = _refused(client, f"/users/{staff.id}/edit",
                    {"display_name": "员工", "role": "supervisor", "enterprise_id": "", "authority_id": "",
                     "department_id": ""}, "authority_id", "该角色必须指定监管部门")
    assert 'value="supervisor" selected' in html or 'selected value="supervisor"' in html
    db.session.refresh(staff)
    assert staff.role.value == "enterprise_staff" and staff.enterprise_id == world.enterprises.a.id
