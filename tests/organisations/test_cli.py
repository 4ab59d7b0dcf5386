"""Provisioning from scripts (`shuangkong user create`), the demo city and its printed logins."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.auth import service
from app.auth.models import Role, User
from app.extensions import db
from app.organisations.credit_code import is_valid
from app.organisations.demo import DEMO_PASSWORD
from app.organisations.models import Authority, Department, Enterprise, Region


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def create(runner, *args, password="a-good-password\n"):
    return runner.invoke(args=["user", "create", *args, "--password-stdin"], input=password)


def test_first_admin_from_a_script(runner):
    result = create(runner, "--username", "root", "--role", "admin", "--name", "管理员")
    assert result.exit_code == 0, result.output
    assert "Created user root (admin)" in result.output
    user = service.authenticate("root", "a-good-password")
    assert user is not None and user.display_name == "管理员"


def test_enterprise_and_government_users_need_their_anchor(runner, world):
    before = count(User)
    result = create(runner, "--username", "lost", "--role", "enterprise_staff")
    assert result.exit_code != 0 and "--enterprise" in result.output and "该角色必须指定企业" in result.output
    result = create(runner, "--username", "lost", "--role", "inspector")
    assert result.exit_code != 0 and "--authority" in result.output and "该角色必须指定监管部门" in result.output
    result = create(runner, "--username", "lost", "--role", "admin", "--enterprise", world.enterprises.a.credit_code)
    assert result.exit_code != 0
    assert count(User) == before


def test_unknown_credit_code_or_authority(runner, world):
    result = create(runner, "--username", "u1", "--role", "enterprise_staff", "--enterprise", "91350100M000100Y43")
    assert result.exit_code != 0 and "No enterprise with credit code 91350100M000100Y43" in result.output
    result = create(runner, "--username", "u1", "--role", "inspector", "--authority", "999999")
    assert result.exit_code != 0 and "No authority with id or name 999999" in result.output
    assert count(User, User.username == "u1") == 0


def test_enterprise_and_inspector_users_are_created(runner, world):
    code = world.enterprises.a.credit_code.lower()  # typed in lower case
    assert create(runner, "--username", "s1", "--role", "enterprise_manager", "--enterprise", code).exit_code == 0
    authority = str(world.authorities.county_a.id)
    result = create(runner, "--username", "i1", "--role", "inspector", "--authority", authority)
    assert result.exit_code != 0 and "--certificate" in result.output and "执法证号" in result.output
    assert count(User, User.username == "i1") == 0
    assert create(runner, "--username", "i1", "--role", "inspector", "--authority", authority,
                  "--certificate", "36000077").exit_code == 0
    assert create(runner, "--username", "i2", "--role", "supervisor", "--authority", "乙县应急管理局").exit_code == 0
    s1, i1, i2 = (db.session.scalar(select(User).where(User.username == n)) for n in ("s1", "i1", "i2"))
    assert s1.enterprise_id == world.enterprises.a.id and i1.authority_id == world.authorities.county_a.id
    assert i1.certificate_no == "36000077"
    assert i2.authority_id == world.authorities.county_b.id


def test_short_password_and_taken_username_are_refused(runner, world):
    result = create(runner, "--username", "u2", "--role", "admin", password="short\n")
    assert result.exit_code != 0 and "8" in result.output
    result = create(runner, "--username", "t_admin", "--role", "admin")
    assert result.exit_code != 0 and "--username" in result.output


def test_demo_fills_an_empty_database_once(demo, demo_runner):
    assert demo.enterprises_before == 0
    result = demo.result  # `shuangkong demo` on the empty demo database, run once for the session
    assert result.exit_code == 0, result.output
    assert count(Enterprise) >= 8
    assert all(is_valid(code) for code in db.session.scalars(select(Enterprise.credit_code)))
    assert len(set(db.session.scalars(select(Enterprise.industry_id)))) >= 5
    assert count(Region, Region.level == "county") == 3 and count(Region, Region.level == "town") >= 3
    assert {a.level.value for a in db.session.scalars(select(Authority))} == {"city", "county"}
    assert count(Department) > 0
    assert set(db.session.scalars(select(User.role).distinct())) == set(Role)
    counts = (count(Enterprise), count(User))

    again = demo_runner.invoke(args=["demo", "--if-empty"])
    assert again.exit_code == 0 and "not loaded" in again.output
    assert (count(Enterprise), count(User)) == counts
    refused = demo_runner.invoke(args=["demo"])
    assert refused.exit_code != 0 and (count(Enterprise), count(User)) == counts


def test_printed_logins_work(demo_runner):
    output = demo_runner.invoke(args=["logins"]).output
    assert DEMO_PASSWORD in output
    printed = re.findall(r"^\s+(\w+)\s+(admin|supervisor|inspector|authority_admin|enterprise_\w+)\s", output,
                         re.M)
    assert {role for _, role in printed} == set(Role)
    for username, role in printed:
        user = service.authenticate(username, DEMO_PASSWORD)
        assert user is not None and user.role.value == role, username


def test_logins_on_an_empty_database_say_so(runner):
    assert "No demo accounts" in runner.invoke(args=["logins"]).output
