"""Bulk import from Excel: all or nothing, every error by row and column, preview before commit."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.extensions import db
from app.imports.models import ImportUpload
from app.organisations.models import Department, Enterprise
from tests.conftest import api_token, login
from tests.imports.helpers import (
    credit_code,
    enterprise_row,
    enterprises_file,
    users_file,
)


def enterprise_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Enterprise))


def post_file(client, url, data: bytes, headers, **form):
    return client.post(url, data={"file": (io.BytesIO(data), "导入.xlsx"), **form}, headers=headers,
                       content_type="multipart/form-data")


# --- the template -------------------------------------------------------------------------------

def test_enterprise_template_has_dropdowns_instructions_and_the_regions_of_the_importer(client, world):
    login(client, world.users.admin)
    resp = client.get("/imports/enterprises/template.xlsx")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.data))
    assert wb.sheetnames == ["企业", "代码表", "填写说明"]
    ws = wb["企业"]
    assert [c.value for c in ws[1]][:4] == ["企业名称*", "统一社会信用代码*", "行政区划*", "行业*"]
    ranges = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert "'代码表'!$A$2" in ranges["C2"] and "'代码表'!$B$2" in ranges["D2"]
    codes = [c.value for c in wb["代码表"]["A"]][1:]
    assert f"{world.regions.county_a.code} 甲县" in codes
    assert wb["代码表"].sheet_state == "hidden"
    assert "全部或全不" in "".join(str(c.value) for c in wb["填写说明"]["A"])


def test_staff_template_offers_roles_and_the_existing_departments(client, world):
    login(client, world.users.manager)
    wb = load_workbook(io.BytesIO(client.get("/imports/users/template.xlsx").data))
    assert wb.sheetnames == ["部门", "人员", "代码表", "填写说明"]
    column = {name: [c.value for c in wb["代码表"][letter]][1:] for name, letter in (("roles", "A"), ("units", "B"))}
    assert [v for v in column["roles"] if v] == ["岗位员工", "安全管理人员"]
    assert [v for v in column["units"] if v] == ["安全部"]


# --- enterprises --------------------------------------------------------------------------------

def test_dry_run_creates_nothing_then_the_import_creates_every_row_and_the_manager_accounts(client, world):
    headers = api_token(client, world.users.admin)
    county = world.regions.county_a
    data = enterprises_file([enterprise_row(county, 1, manager="imp_mgr1"), enterprise_row(county, 2),
                             enterprise_row(world.regions.county_b, 3, industry="machinery")])
    before = enterprise_count()
    resp = post_file(client, "/api/v1/imports/enterprises", data, headers, dry_run="true")
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert (body["created"], body["would_create"], body["errors"]) == (0, 3, [])
    assert enterprise_count() == before
    resp = post_file(client, "/api/v1/imports/enterprises", data, headers, dry_run="false")
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["created"] == 3 and enterprise_count() == before + 3
    made = db.session.scalar(select(Enterprise).where(Enterprise.name == "导入企业1有限公司"))
    assert made.region_id == county.id and made.credit_code == credit_code(county.code, 500001)
    [account] = body["accounts"]
    user = db.session.scalar(select(User).where(User.username == "imp_mgr1"))
    assert user.role == Role.enterprise_manager and user.enterprise_id == made.id and user.display_name == "王五"
    assert user.check_password(account["password"]) and len(account["password"]) == 12


def test_one_bad_cell_among_1000_rows_creates_nothing_and_names_the_cell(client, world):
    headers = api_token(client, world.users.admin)
    county = world.regions.county_a
    rows = [enterprise_row(county, n) for n in range(1, 1001)]
    bad = credit_code(county.code, 500502)
    rows[501][1] = bad[:-1] + ("0" if bad[-1] != "0" else "1")  # row 503 of the sheet: a wrong check digit
    before = enterprise_count()
    resp = post_file(client, "/api/v1/imports/enterprises", enterprises_file(rows), headers, dry_run="false")
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["created"] == 0 and enterprise_count() == before
    [error] = body["errors"]
    assert (error["row"], error["column"], error["cell"]) == (503, "统一社会信用代码", "B503")
    assert "校验" in error["message"] or "统一社会信用代码" in error["message"]


def test_duplicate_credit_codes_in_the_file_and_in_the_database_are_both_reported(client, world):
    headers = api_token(client, world.users.admin)
    county = world.regions.county_a
    registered = world.enterprises.a.credit_code
    rows = [enterprise_row(county, 1), enterprise_row(county, 2), enterprise_row(county, 3)]
    rows[1][1] = rows[0][1]  # row 3 repeats row 2's code
    rows[2][1] = registered  # row 4 is an enterprise already registered
    resp = post_file(client, "/api/v1/imports/enterprises", enterprises_file(rows), headers)
    assert resp.status_code == 422
    errors = {(e["row"], e["column"]): e["message"] for e in resp.get_json()["errors"]}
    assert set(errors) == {(3, "统一社会信用代码"), (4, "统一社会信用代码")}
    assert "第 2 行" in errors[(3, "统一社会信用代码")] or "2" in errors[(3, "统一社会信用代码")]
    assert "已" in errors[(4, "统一社会信用代码")]


def test_every_error_of_the_file_is_listed_by_row_and_column(client, world):
    headers = api_token(client, world.users.admin)
    county = world.regions.county_a
    rows = [enterprise_row(county, 1, 行政区划="999999"), enterprise_row(county, 2, 行业="no_such"),
            enterprise_row(county, 3, 企业名称=""), enterprise_row(county, 4, 企业规模="巨型"),
            enterprise_row(county, 5, manager="t_staff")]
    resp = post_file(client, "/api/v1/imports/enterprises", enterprises_file(rows), headers)
    assert resp.status_code == 422
    cells = {(e["row"], e["column"]) for e in resp.get_json()["errors"]}
    assert cells == {(2, "行政区划"), (3, "行业"), (4, "企业名称"), (5, "企业规模"), (6, "安全管理员账号")}


def test_a_file_that_is_not_an_excel_workbook_is_refused_by_its_content(client, world):
    headers = api_token(client, world.users.admin)
    resp = post_file(client, "/api/v1/imports/enterprises", b"name,code\nx,y\n", headers)
    assert resp.status_code == 422
    assert "Excel" in resp.get_json()["error"]["fields"]["file"][0]
    resp = post_file(client, "/api/v1/imports/enterprises", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, headers)
    assert ".xls" in resp.get_json()["error"]["fields"]["file"][0]


def test_only_administrators_import_enterprises(client, world):
    for user in (world.users.manager, world.users.supervisor):
        headers = api_token(client, user)
        resp = post_file(client, "/api/v1/imports/enterprises", enterprises_file([]), headers)
        assert resp.status_code == 403


# --- departments and staff ----------------------------------------------------------------------

def test_a_manager_imports_departments_and_staff_of_his_enterprise(client, world):
    headers = api_token(client, world.users.manager)
    data = users_file(["生产部", "生产部/一车间", "生产部/一车间/甲班"], [
        ["imp_zhang", "张工", "岗位员工", "生产部/一车间/甲班", "13700000001", ""],
        ["imp_li", "李工", "安全管理人员", "安全部", "", "li@example.com"],
        ["imp_wang", "王工", "岗位员工", "", "", ""],
    ])
    resp = post_file(client, "/api/v1/imports/users", data, headers, dry_run="true")
    assert resp.status_code == 200 and resp.get_json()["would_create"] == 3
    assert resp.get_json()["departments"] == 3
    resp = post_file(client, "/api/v1/imports/users", data, headers)
    assert resp.status_code == 201, resp.get_json()
    ent = world.enterprises.a
    team = db.session.scalar(select(Department).where(Department.enterprise_id == ent.id, Department.name == "甲班"))
    assert team.level.value == "team" and team.parent.name == "一车间" and team.parent.parent.name == "生产部"
    zhang = db.session.scalar(select(User).where(User.username == "imp_zhang"))
    assert zhang.enterprise_id == ent.id and zhang.department_id == team.id and zhang.role == Role.enterprise_staff
    passwords = {a["username"]: a["password"] for a in resp.get_json()["accounts"]}
    assert zhang.check_password(passwords["imp_zhang"])
    li = db.session.scalar(select(User).where(User.username == "imp_li"))
    assert li.role == Role.enterprise_manager and li.department.name == "安全部"


def test_staff_file_errors_name_sheet_row_and_column_and_nothing_is_created(client, world):
    headers = api_token(client, world.users.manager)
    data = users_file(["安全部", "车间/甲班", "生产部", "生产部"], [
        ["t_staff", "重名", "岗位员工", "", "", ""],  # taken
        ["imp_a", "甲", "岗位员工", "", "", ""],
        ["IMP_A", "乙", "岗位员工", "", "", ""],  # the same username, other case
        ["imp_b", "丙", "监管人员", "", "", ""],  # not a role he may give
        ["imp_c", "丁", "岗位员工", "没有的部门", "", ""],
        ["imp_d", "", "岗位员工", "", "", ""],
    ])
    users_before = db.session.scalar(select(func.count()).select_from(User))
    resp = post_file(client, "/api/v1/imports/users", data, headers)
    assert resp.status_code == 422
    cells = [(e["sheet"], e["row"], e["column"]) for e in resp.get_json()["errors"]]
    assert cells == [("部门", 2, "部门路径"), ("部门", 3, "部门路径"), ("部门", 5, "部门路径"),
                     ("人员", 2, "用户名"), ("人员", 4, "用户名"), ("人员", 5, "角色"), ("人员", 6, "所属部门"),
                     ("人员", 7, "姓名")]
    assert db.session.scalar(select(func.count()).select_from(User)) == users_before


def test_a_manager_cannot_import_into_another_enterprise_nor_staff_at_all(client, world):
    data = users_file([], [["imp_x", "某", "岗位员工", "", "", ""]])
    headers = api_token(client, world.users.manager)
    resp = post_file(client, "/api/v1/imports/users", data, headers, enterprise_id=str(world.enterprises.b.id))
    assert resp.status_code == 201  # the enterprise_id is ignored: always his own
    assert db.session.scalar(select(User).where(User.username == "imp_x")).enterprise_id == world.enterprises.a.id
    resp = post_file(client, "/api/v1/imports/users", data, api_token(client, world.users.staff))
    assert resp.status_code == 403
    admin = api_token(client, world.users.admin)
    resp = post_file(client, "/api/v1/imports/users", users_file([], [["imp_y", "某", "主要负责人", "", "", ""]]),
                     admin, enterprise_id=str(world.enterprises.b.id))
    assert resp.status_code == 201
    assert db.session.scalar(select(User).where(User.username == "imp_y")).role == Role.enterprise_principal


# --- the pages: upload → preview → confirm ------------------------------------------------------

def test_upload_preview_confirm_shows_the_one_time_passwords_once(client, world):
    login(client, world.users.manager)
    data = users_file(["维修部"], [["imp_page", "页面用户", "岗位员工", "维修部", "", ""]])
    resp = client.post("/imports/users/upload", data={"file": (io.BytesIO(data), "人员.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 302
    preview_url = resp.headers["Location"]
    page = client.get(preview_url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "imp_page" in text and "页面用户" in text
    assert db.session.scalar(select(User).where(User.username == "imp_page")) is None  # previewed only
    token = preview_url.rstrip("/").rsplit("/", 1)[-1]
    done = client.post(f"/imports/{token}/confirm")
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.username == "imp_page"))
    password = text.split("<code>")[1].split("</code>")[0]
    assert user.check_password(password)
    again = client.get(preview_url).get_data(as_text=True)
    assert password not in again and "imp_page" not in again
    assert db.session.scalar(select(ImportUpload).where(ImportUpload.token == token)).created_count == 1
    # someone else's token is not found
    login(client, world.users.manager_b)
    assert client.get(preview_url).status_code == 404


def test_a_preview_with_errors_lists_them_in_chinese_and_offers_no_confirmation(client, world):
    login(client, world.users.admin)
    rows = [enterprise_row(world.regions.county_a, 1, 统一社会信用代码="123")]
    resp = client.post("/imports/enterprises/upload", data={"file": (io.BytesIO(enterprises_file(rows)), "e.xlsx")},
                       content_type="multipart/form-data")
    page = client.get(resp.headers["Location"])
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "统一社会信用代码" in text and "B2" in text and "没有导入任何内容" in text
    assert "/confirm" not in text


def test_a_page_upload_that_is_not_xlsx_is_refused_with_a_message(client, world):
    login(client, world.users.admin)
    resp = client.post("/imports/enterprises/upload", data={"file": (io.BytesIO(b"%PDF-1.4 hello"), "e.xlsx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 422
    assert "Excel" in resp.get_data(as_text=True)


def test_template_columns_are_what_the_import_reads(client, world):
    """A template downloaded, filled in by hand and uploaded imports cleanly."""
    login(client, world.users.admin)
    wb = load_workbook(io.BytesIO(client.get("/imports/enterprises/template.xlsx").data))
    ws = wb["企业"]
    ws.append(enterprise_row(world.regions.county_b, 7, 标准化等级="二级", 企业规模="中型"))
    buf = io.BytesIO()
    wb.save(buf)
    headers = api_token(client, world.users.admin)
    resp = post_file(client, "/api/v1/imports/enterprises", buf.getvalue(), headers)
    assert resp.status_code == 201, resp.get_json()
    made = db.session.scalar(select(Enterprise).where(Enterprise.name == "导入企业7有限公司"))
    assert made.standardisation_level.value == "level_2" and made.scale.value == "medium"
