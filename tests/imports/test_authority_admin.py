"""An authority's administrator imports the enterprises of his region; every import, merge and rule-set
change is in the audit log; a city authority may edit its city's rule sets where configured."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from app.admin_log import AuditEntry
from app.auth.models import User
from app.extensions import db
from app.organisations.models import Enterprise
from app.rulesets import service as rulesets
from tests.conftest import api_token
from tests.imports.helpers import enterprise_row, enterprises_file, users_file
from workflows import grading


def post_file(client, url, data, headers, **form):
    return client.post(url, data={"file": (io.BytesIO(data), "导入.xlsx"), **form}, headers=headers,
                       content_type="multipart/form-data")


@pytest.fixture
def county_admin(world):
    user = world.factory.user("authority_admin", authority=world.authorities.county_a, username="t_county_admin")
    db.session.commit()
    return user


@pytest.fixture
def city_admin(world):
    user = world.factory.user("authority_admin", authority=world.authorities.city, username="t_city_admin")
    db.session.commit()
    return user


def test_a_county_administrator_imports_into_his_county_only(client, world, county_admin):
    headers = api_token(client, county_admin)
    rows = [enterprise_row(world.regions.county_a, 1, manager="imp_ca_mgr"), enterprise_row(world.regions.county_b, 2)]
    resp = post_file(client, "/api/v1/imports/enterprises", enterprises_file(rows), headers)
    assert resp.status_code == 422
    [error] = resp.get_json()["errors"]
    assert (error["row"], error["column"]) == (3, "行政区划") and "辖区" in error["message"]
    resp = post_file(client, "/api/v1/imports/enterprises", enterprises_file(rows[:1]), headers)
    assert resp.status_code == 201, resp.get_json()
    made = db.session.scalar(select(Enterprise).where(Enterprise.name == "导入企业1有限公司"))
    assert made.region_id == world.regions.county_a.id
    manager = db.session.scalar(select(User).where(User.username == "imp_ca_mgr"))
    assert manager.must_change_password
    # ... and then the staff of that enterprise
    resp = post_file(client, "/api/v1/imports/users", users_file(["生产部"], [["imp_ca_staff", "员工", "岗位员工", "生产部", "", ""]]),
                     headers, enterprise_id=str(made.id))
    assert resp.status_code == 201, resp.get_json()
    # not into an enterprise of another county
    resp = post_file(client, "/api/v1/imports/users", users_file([], [["imp_ca_x", "员工", "岗位员工", "", "", ""]]),
                     headers, enterprise_id=str(world.enterprises.b.id))
    assert resp.status_code == 404


def test_imports_merges_and_rule_set_changes_are_in_the_audit_log(client, world):
    admin = world.users.admin
    headers = api_token(client, admin)
    post_file(client, "/api/v1/imports/enterprises", enterprises_file([enterprise_row(world.regions.county_a, 9)]),
              headers)
    row = rulesets.create(admin, family="grading", region=None, title="审计测试",
                          payload=rulesets.grading_payload(grading.PRESETS["strict"]))
    from app import clock

    rulesets.activate(admin, row, effective_from=clock.today())
    db.session.commit()
    entries = {(e.action, e.object_type) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.actor_id == admin.id))}
    assert {("import", "enterprise"), ("create", "rule_set_version"), ("reconfigure", "rule_set_version")} <= entries
    activation = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reconfigure"))
    assert activation.after["label"] == row.label and activation.after["effective_from"] == clock.today().isoformat()


def test_a_city_authority_edits_its_city_rule_sets_only_where_configured(app, client, world, city_admin):
    body = {"family": "grading", "title": "市级规则", "region_id": world.regions.county_a.id,
            "payload": rulesets.grading_payload(grading.PRESETS["strict"])}
    headers = api_token(client, city_admin)
    assert client.post("/api/v1/rule-sets", json=body, headers=headers).status_code == 403
    app.config["RULE_SETS_BY_CITY_AUTHORITY"] = True
    try:
        assert client.post("/api/v1/rule-sets", json=body, headers=headers).status_code == 201
        national = dict(body, region_id=None)
        assert client.post("/api/v1/rule-sets", json=national, headers=headers).status_code == 403
    finally:
        app.config["RULE_SETS_BY_CITY_AUTHORITY"] = False
