"""Onboarding a county (issue 15): authority administrators register the enterprises of their region
and their first accounts, enterprise managers staff their own enterprise, administrators' passwords
are changed at first login, and every change is in the audit log. Bad input: a clear message and
nothing changed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.admin_log import AuditEntry
from app.auth.models import Role, User
from app.extensions import db
from app.organisations.credit_code import complete
from app.organisations.models import Department, Enterprise, Industry
from tests.conftest import PASSWORD, Factory, api_token, login

CODE = complete("91900003MA0000777")


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(resp) -> str:
    return resp.get_data(as_text=True)


def industry(code="hazardous_chemicals") -> int:
    return db.session.scalar(select(Industry.id).where(Industry.code == code))


def enterprise_body(world, **over):
    body = {"name": "丙化工有限公司", "credit_code": CODE, "region_id": world.regions.county_a.id,
            "industry_id": industry(), "address": "丙路1号"}
    return body | over


def user_body(username, role="enterprise_staff", **anchor):
    return {"username": username, "display_name": "新员工", "role": role, "password": "long-enough-1", **anchor}


@pytest.fixture
def county_admin(client, world):
    return api_token(client, world.users.authority_admin)


@pytest.fixture
def manager(client, world):
    return api_token(client, world.users.manager)


# --- item 1: an authority's administrator ---------------------------------------------------

def test_authority_admin_registers_and_edits_an_enterprise_of_its_region(client, world, county_admin):
    resp = client.post("/api/v1/enterprises", json=enterprise_body(world), headers=county_admin)
    assert resp.status_code == 201, resp.get_json()
    ent_id = resp.get_json()["id"]
    resp = client.patch(f"/api/v1/enterprises/{ent_id}", json={"name": "丙化工股份有限公司"}, headers=county_admin)
    assert resp.status_code == 200 and resp.get_json()["name"] == "丙化工股份有限公司"
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "enterprise",
                                                          AuditEntry.object_id == ent_id)
                                 .order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor_id) for e in entries] == [("create", world.users.authority_admin.id),
                                                         ("update", world.users.authority_admin.id)]
    assert entries[1].before == {"name": "丙化工有限公司"} and entries[1].after == {"name": "丙化工股份有限公司"}
    assert entries[1].region_id == world.regions.county_a.id


def test_an_enterprise_outside_the_authority_region_is_refused_and_named(client, world, county_admin):
    before = count(Enterprise)
    resp = client.post("/api/v1/enterprises", json=enterprise_body(world, region_id=world.regions.county_b.id),
                       headers=county_admin)
    assert resp.status_code == 422
    assert "乙县" in resp.get_json()["error"]["fields"]["region_id"][0]
    assert count(Enterprise) == before
    # someone else's enterprise: it does not exist for him
    resp = client.patch(f"/api/v1/enterprises/{world.enterprises.b.id}", json={"address": "改"}, headers=county_admin)
    assert resp.status_code == 404
    # an officer of the same authority may not register enterprises at all
    resp = client.post("/api/v1/enterprises", json=enterprise_body(world),
                       headers=api_token(client, world.users.inspector))
    assert resp.status_code == 403 and count(Enterprise) == before


@pytest.mark.parametrize(("code", "message"), [
    (CODE[:-1] + ("0" if CODE[-1] != "0" else "1"), "校验位"),  # a wrong check digit
    ("taken", "已存在"),  # already registered
])
def test_a_bad_or_registered_credit_code_is_refused(client, world, county_admin, code, message):
    if code == "taken":
        code = world.enterprises.a.credit_code
    before = count(Enterprise)
    resp = client.post("/api/v1/enterprises", json=enterprise_body(world, credit_code=code), headers=county_admin)
    assert resp.status_code == 422 and message in resp.get_json()["error"]["fields"]["credit_code"][0]
    assert count(Enterprise) == before


def test_authority_admin_makes_the_first_accounts_of_its_region_and_its_own_authority(client, world, county_admin):
    ent = world.enterprises.a.id
    for body in (user_body("first_manager", "enterprise_manager", enterprise_id=ent),
                 user_body("first_principal", "enterprise_principal", enterprise_id=ent),
                 user_body("new_officer", "inspector", authority_id=world.authorities.county_a.id,
                           certificate_no="36001234")):
        resp = client.post("/api/v1/users", json=body, headers=county_admin)
        assert resp.status_code == 201, resp.get_json()
        assert resp.get_json()["must_change_password"] is True
    before = count(User)
    for body in (user_body("b_staff", enterprise_id=world.enterprises.b.id),  # another county's enterprise
                 user_body("b_officer", "inspector", authority_id=world.authorities.county_b.id,
                           certificate_no="36001235"),
                 user_body("root2", "admin")):
        resp = client.post("/api/v1/users", json=body, headers=county_admin)
        assert resp.status_code == 403, body
        assert "监管部门管理员" in resp.get_json()["error"]["message"]
    assert count(User) == before


# --- item 2: the enterprise's manager staffs his own enterprise -----------------------------

def test_manager_creates_staff_and_managers_of_his_enterprise(client, world, manager):
    resp = client.post("/api/v1/users", json=user_body("own_staff"), headers=manager)  # enterprise implied
    assert resp.status_code == 201 and resp.get_json()["enterprise_id"] == world.enterprises.a.id
    resp = client.post("/api/v1/users", json=user_body("own_manager", "enterprise_manager",
                                                       enterprise_id=world.enterprises.a.id), headers=manager)
    assert resp.status_code == 201


@pytest.mark.parametrize("body", [
    user_body("x_admin", "admin"),
    user_body("x_inspector", "inspector", certificate_no="36009876"),
    user_body("x_principal", "enterprise_principal"),
    user_body("x_other", enterprise_id="B"),
], ids=["admin", "inspector", "principal", "another enterprise"])
def test_manager_cannot_make_other_accounts(client, world, manager, body):
    if body.get("enterprise_id") == "B":
        body = body | {"enterprise_id": world.enterprises.b.id}
    before = count(User)
    resp = client.post("/api/v1/users", json=body, headers=manager)
    assert resp.status_code == 403
    assert "企业安全管理员只能创建" in resp.get_json()["error"]["message"]
    assert count(User) == before


def test_manager_page_creates_staff_with_department_and_post(client, world):
    f, ent = world.factory, world.enterprises.a
    workshop = f.department(ent, name="一车间", level="workshop", parent=world.departments.a)
    post = f.department(ent, name="操作岗", level="post", parent=workshop)
    db.session.commit()
    login(client, world.users.manager)
    page = text(client.get("/users/new"))
    assert "密码规则" in page and 'value="admin"' not in page and 'value="inspector"' not in page
    resp = client.post("/users/new", data={"username": "li_si", "display_name": "李四", "role": "enterprise_staff",
                                           "department_id": workshop.id, "post_id": post.id,
                                           "phone": "139 1234 5678", "password": "long-enough-1"})
    assert resp.status_code == 302, text(resp)
    staff = db.session.scalar(select(User).where(User.username == "li_si"))
    assert (staff.enterprise_id, staff.department_id, staff.post_id, staff.phone) == \
        (ent.id, workshop.id, post.id, "13912345678")
    assert staff.must_change_password
    # a bad phone and a role he may not give: the form says so, nothing is created
    before = count(User)
    resp = client.post("/users/new", data={"username": "wang_wu", "display_name": "王五", "role": "enterprise_staff",
                                           "phone": "12345", "password": "long-enough-1"})
    assert resp.status_code == 422 and "手机号码" in text(resp)
    resp = client.post("/users/new", data={"username": "wang_wu", "display_name": "王五", "role": "admin",
                                           "password": "long-enough-1"})
    assert resp.status_code == 422 and count(User) == before


def test_manager_resets_and_retires_staff_who_stay_in_the_records(client, world):
    staff = world.users.staff
    login(client, world.users.manager)
    resp = client.post(f"/users/{staff.id}/password", data={"password": "temporary-9", "confirm": "temporary-9"})
    assert resp.status_code == 302
    db.session.refresh(staff)
    assert staff.must_change_password
    assert client.post(f"/users/{staff.id}/retire").status_code == 302
    db.session.refresh(staff)
    assert not staff.active and db.session.get(User, staff.id) is not None  # deactivated, never deleted
    actions = db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.object_type == "user", AuditEntry.object_id == staff.id,
        AuditEntry.actor_id == world.users.manager.id).order_by(AuditEntry.id)).all()
    assert actions == ["reset_password", "retire"]
    # another enterprise's staff is not his to touch
    assert client.post(f"/users/{world.users.staff_b.id}/retire").status_code == 404
    # the principal is not his to keep either
    assert client.get(f"/users/{world.users.principal.id}/edit").status_code == 403


def test_departments_are_retired_once_their_people_moved(client, world):
    dept, staff = world.departments.a, world.users.staff
    login(client, world.users.manager)
    resp = client.post(f"/departments/{dept.id}/retire", follow_redirects=True)
    assert "请先把该单元的人员调到其他单元" in text(resp)
    db.session.refresh(dept)
    assert dept.retired_at is None
    other = world.factory.department(world.enterprises.a, name="生产部")
    db.session.commit()
    resp = client.post(f"/users/{staff.id}/edit", data={"display_name": staff.display_name, "role": "enterprise_staff",
                                                         "department_id": other.id})
    assert resp.status_code == 302, text(resp)
    assert client.post(f"/departments/{dept.id}/retire").status_code == 302
    db.session.refresh(dept)
    assert dept.retired_at is not None and db.session.get(Department, dept.id) is not None
    assert f'value="{dept.id}"' not in text(client.get("/users/new"))  # no longer offered
    units = client.get(f"/api/v1/enterprises/{dept.enterprise_id}/departments",
                       headers=api_token(client, world.users.manager)).get_json()["items"]
    assert {u["name"]: bool(u["retired_at"]) for u in units} == {"安全部": True, "生产部": False}


def test_authority_admin_sets_up_the_top_level_only(client, world):
    login(client, world.users.authority_admin)
    ent = world.enterprises.a
    assert client.post(f"/enterprises/{ent.id}/departments/new",
                       data={"name": "设备部", "level": "department"}).status_code == 302
    resp = client.post(f"/enterprises/{ent.id}/departments/new", data={"name": "一班", "level": "team"})
    assert resp.status_code == 422 and count(Department, Department.name == "一班") == 0


# --- item 4: accounts -------------------------------------------------------------------------

def test_a_password_set_by_an_administrator_is_changed_at_first_login(client, app, world):
    login(client, world.users.manager)
    client.post("/users/new", data={"username": "zhao_liu", "display_name": "赵六", "role": "enterprise_staff",
                                    "password": "given-by-boss-1"})
    newcomer = app.test_client()
    resp = newcomer.post("/login", data={"username": "zhao_liu", "password": "given-by-boss-1"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/password")
    for url in ("/", "/enterprises", "/hazards/"):
        resp = newcomer.get(url)
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/account/password"), url
    page = text(newcomer.get("/account/password"))
    assert "您当前的密码是管理员设置的" in page and "密码规则" in page
    resp = newcomer.post("/account/password", data={"current": "given-by-boss-1", "password": "given-by-boss-1",
                                                    "confirm": "given-by-boss-1"})
    assert resp.status_code == 422 and "新密码不能与当前密码相同" in text(resp)
    resp = newcomer.post("/account/password", data={"current": "given-by-boss-1", "password": "my-own-choice-7",
                                                    "confirm": "my-own-choice-7"})
    assert resp.status_code == 302
    assert newcomer.get("/enterprises").status_code == 200


def test_the_first_admin_made_on_the_command_line_is_not_asked_again(runner):
    result = runner.invoke(args=["user", "create", "--username", "root", "--role", "admin", "--password-stdin"],
                           input="chosen-by-me-1\n")
    assert result.exit_code == 0, result.output
    assert not db.session.scalar(select(User).where(User.username == "root")).must_change_password


def test_api_says_a_password_change_is_required(client, world, county_admin):
    resp = client.post("/api/v1/users", json=user_body("api_new", enterprise_id=world.enterprises.a.id),
                       headers=county_admin)
    assert resp.status_code == 201
    headers = {"Authorization": "Bearer " + client.post("/api/v1/auth/token", json={
        "username": "api_new", "password": "long-enough-1"}).get_json()["token"]}
    resp = client.get("/api/v1/hazards", headers=headers)
    assert resp.status_code == 403 and resp.get_json()["error"]["code"] == "password_change_required"


# --- item 7: the audit log --------------------------------------------------------------------

def test_the_audit_log_is_searchable_and_scoped(client, world, county_admin):
    new_id = client.post("/api/v1/enterprises", json=enterprise_body(world), headers=county_admin,
                         environ_base={"REMOTE_ADDR": "198.51.100.7"}).get_json()["id"]
    admin = api_token(client, world.users.admin)
    client.patch(f"/api/v1/enterprises/{world.enterprises.b.id}", json={"address": "乙路9号"}, headers=admin)
    ours = {new_id, world.enterprises.b.id}  # (other entries: the world fixture's, the server's own)

    def entries(headers, **query):
        resp = client.get("/api/v1/audit-log", query_string={"per_page": 200, **query}, headers=headers)
        assert resp.status_code == 200 and set(resp.get_json()) == {"items", "page", "per_page", "total",
                                                                    "has_next"}
        return [e for e in resp.get_json()["items"] if e["actor_id"] and e["object_id"] in ours]

    found = entries(admin, object_type="enterprise")
    assert [(e["action"], e["object_id"]) for e in found] == [("update", world.enterprises.b.id),
                                                              ("create", new_id)]  # newest first
    created = found[1]
    assert created["actor_id"] == world.users.authority_admin.id and created["actor_address"] == "198.51.100.7"
    assert created["after"]["credit_code"] == CODE
    # the county's administrator sees his region's entries, not county b's
    assert [e["object_id"] for e in entries(county_admin, object_type="enterprise")] == [new_id]
    assert {e["object_id"] for e in entries(admin, actor_id=world.users.admin.id)} == {world.enterprises.b.id}
    later = client.get("/api/v1/audit-log", query_string={"from": "2999-01-01"}, headers=admin)
    assert later.get_json()["total"] == 0
    bad = client.get("/api/v1/audit-log", query_string={"to": "yesterday"}, headers=admin)
    assert bad.status_code == 422 and "to" in bad.get_json()["error"]["fields"]
    assert client.get("/api/v1/audit-log", headers=api_token(client, world.users.supervisor)).status_code == 403


def test_the_audit_log_page_filters(client, world):
    login(client, world.users.admin)
    client.post(f"/users/{world.users.staff.id}/retire")
    page = text(client.get("/audit-log", query_string={"action": "retire"}))
    assert "操作日志" in page and world.users.staff.display_name in page
    rows = re.findall(r"<tr>\s*<td>", page)
    assert len(rows) == 1
    assert text(client.get("/audit-log", query_string={"action": "merge"})).count("没有符合条件的记录") == 1
    assert client.get("/audit-log", query_string={"from": "30/11/2026"}).status_code == 422


# --- item 8: day one ----------------------------------------------------------------------------

def test_day_one_steps_lead_the_first_admin(client, db_session):
    from app.organisations.accounts import create_user

    root = create_user(None, username="root", display_name="管理员", role=Role.admin, password=PASSWORD)
    db_session.commit()
    login(client, root)
    home = text(client.get("/"))  # his home page walks him through the steps until they are done
    assert "建立行政区划" in home and "创建第一个监管部门" in home and "为监管部门设置管理员" in home
    assert 'class="panel setup-step current" id="step-regions"' in home
    assert 'class="panel setup-step later" id="step-authority"' in text(client.get("/setup"))
    f = Factory()
    county = f.region("一县", level="county")
    authority = f.authority(county, name="一县应急管理局")
    db_session.commit()
    page = text(client.get("/setup"))
    assert 'class="panel setup-step done" id="step-regions"' in page
    assert 'class="panel setup-step done" id="step-authority"' in page
    assert 'class="panel setup-step current" id="step-authority_admin"' in page
    resp = client.post("/users/new", data={"username": "yixian_admin", "display_name": "一县管理员",
                                           "role": "authority_admin", "authority_id": authority.id,
                                           "password": "long-enough-1"})
    assert resp.status_code == 302, text(resp)
    f.enterprise(county)
    db_session.commit()
    assert "setup-step" not in text(client.get("/"))  # done: the home page is the usual one
    assert "各步骤均已完成" in text(client.get("/setup"))


def test_an_account_without_its_enterprise_is_a_missing_field_not_a_refusal(client, world, county_admin, manager):
    resp = client.post("/api/v1/users", json=user_body("no_anchor"), headers=county_admin)
    assert resp.status_code == 422 and "enterprise_id" in resp.get_json()["error"]["fields"]
    resp = client.patch(f"/api/v1/users/{world.users.staff.id}", json={"role": "inspector"}, headers=manager)
    assert resp.status_code == 403
    db.session.refresh(world.users.staff)
    assert world.users.staff.role == Role.enterprise_staff
