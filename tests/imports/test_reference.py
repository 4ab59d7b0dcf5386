"""Reference data: the region tree from the division list; merges of regions, industries and areas."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from app.extensions import db
from app.imports import reference
from app.organisations.models import Authority, Enterprise, Industry, Region, RegionLevel
from app.risks.models import RiskArea, RiskPoint
from app.rulesets import service as rulesets
from tests.conftest import api_token, login
from tests.imports.helpers import xlsx

# 2023 codes of 江西省 / 上饶市 (民政部 行政区划代码), with two towns of 信州区 and a line of another city.
DIVISIONS = """代码,名称
360000,江西省
361100,上饶市
361102,信州区
361103,广丰区
361104,广信区
361102001,水南街道
361102002,东市街道
360100,南昌市
360102,东湖区
"""


def region(code: str) -> Region | None:
    return db.session.scalar(select(Region).where(Region.code == code))


def test_loading_a_city_loads_its_counties_towns_and_the_missing_province(client, world):
    headers = api_token(client, world.users.admin)
    resp = client.post("/api/v1/regions/load", data={"root_code": "361100", "file": (
        io.BytesIO(DIVISIONS.encode("gb18030")), "divisions.csv")}, headers=headers, content_type="multipart/form-data")
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"created": 7, "renamed": 0, "unchanged": 0}
    city, county, town = region("361100"), region("361102"), region("361102002")
    assert (city.level, county.level, town.level) == (RegionLevel.city, RegionLevel.county, RegionLevel.town)
    assert town.parent_id == county.id and county.parent_id == city.id and city.parent.code == "360000"
    assert town.path == f"{city.parent.path}{city.id}/{county.id}/{town.id}/"
    assert region("360100") is None  # another city: not asked for
    # loading again is idempotent; a changed name is updated
    again = DIVISIONS.replace("广信区", "广信区（新）").encode()
    resp = client.post("/api/v1/regions/load", data={"root_code": "361100", "file": (io.BytesIO(again), "d.csv")},
                       headers=headers, content_type="multipart/form-data")
    assert resp.get_json() == {"created": 0, "renamed": 1, "unchanged": 6}


def test_the_division_list_may_be_an_excel_file_and_a_county_alone(client, world):
    rows = [["行政区划代码", "名称"]] + [line.split(",") for line in DIVISIONS.strip().splitlines()[1:]]
    counts = reference.load_divisions(world.users.admin, xlsx({"Sheet1": rows}), root_code="361102")
    assert counts["created"] == 5  # province, city, county and its two towns
    assert region("361103") is None


def test_a_bad_division_list_loads_nothing_and_names_the_lines(client, world):
    login(client, world.users.admin)
    bad = DIVISIONS + "3611050,错码\n361102001,另一个名字\n"
    before = db.session.scalar(select(func.count()).select_from(Region))
    resp = client.post("/imports/regions/load", data={"root_code": "361100", "file": (
        io.BytesIO(bad.encode()), "d.csv")}, content_type="multipart/form-data")
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "第 11 行" in text and "第 12 行" in text
    assert db.session.scalar(select(func.count()).select_from(Region)) == before
    resp = client.post("/imports/regions/load", data={"root_code": "361100", "file": (
        io.BytesIO(b"%PDF-1.4\x00\x00"), "d.csv")}, content_type="multipart/form-data")
    assert resp.status_code == 422 and "CSV" in resp.get_data(as_text=True)


def test_merging_a_region_into_its_own_child_is_refused(client, world):
    headers = api_token(client, world.users.admin)
    city, county = world.regions.city, world.regions.county_a
    resp = client.post(f"/api/v1/regions/{city.id}/merge", json={"target_id": county.id}, headers=headers)
    assert resp.status_code == 422
    assert "下级" in resp.get_json()["error"]["fields"]["target_id"][0]
    assert region(city.code) is not None


def test_merging_a_typo_region_carries_enterprises_authorities_sub_regions_and_rule_sets(client, world):
    f = world.factory
    right = world.regions.county_a
    typo = f.region("甲县（错）", level="county", parent=world.regions.city)
    town = f.region("某镇", level="town", parent=typo)
    enterprise = f.enterprise(typo, name="错区企业")
    authority = f.authority(typo, name="错区应急局")
    inspector = f.user("inspector", authority=authority)
    version = rulesets.create(world.users.admin, family="grading", region=typo, title="错区规则",
                              payload=rulesets.grading_payload(rulesets.grading.PRESETS["strict"]))
    db.session.commit()
    typo_id, town_id = typo.id, town.id
    headers = api_token(client, world.users.admin)
    resp = client.post(f"/api/v1/regions/{typo_id}/merge", json={"target_id": right.id}, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    moved = resp.get_json()["moved"]
    assert moved["enterprises.region_id"] == 1 and moved["authorities.region_id"] == 1
    assert moved["regions.parent_id"] == 1 and moved["rule_set_versions.region_id"] == 1
    db.session.expire_all()
    from app import access
    from app.imports.models import RegionMerge

    assert db.session.scalar(select(RegionMerge.target_id).where(RegionMerge.source_id == typo_id)) == right.id
    assert db.session.scalar(access.visible(Region, world.users.admin).where(Region.id == typo_id)) is None
    listed = client.get("/api/v1/regions?per_page=200", headers=headers).get_json()["items"]
    assert typo_id not in {r["id"] for r in listed}
    assert db.session.get(Enterprise, enterprise.id).region_id == right.id
    assert db.session.get(Authority, authority.id).region_id == right.id
    moved_town = db.session.get(Region, town_id)
    assert moved_town.parent_id == right.id and moved_town.path == f"{right.path}{town_id}/"
    assert db.session.get(type(version), version.id).region_id == right.id
    # the inspector of the merged authority now sees the right county's enterprises
    visible = set(db.session.scalars(access.visible_enterprise_ids(db.session.get(type(inspector), inspector.id))))
    assert {world.enterprises.a.id, enterprise.id} <= visible


def test_regions_of_different_levels_are_not_merged(client, world):
    headers = api_token(client, world.users.admin)
    resp = client.post(f"/api/v1/regions/{world.regions.county_a.id}/merge",
                       json={"target_id": world.regions.province.id}, headers=headers)
    assert resp.status_code == 422


def test_merging_an_industry_moves_its_enterprises(client, world):
    typo = Industry(code="hazchem_typo", name="危化（错）")
    db.session.add(typo)
    db.session.flush()
    enterprise = world.enterprises.b
    enterprise.industry_id = typo.id
    db.session.commit()
    right = db.session.scalar(select(Industry).where(Industry.code == "hazardous_chemicals"))
    login(client, world.users.admin)
    resp = client.post("/imports/industries/merge", data={"source_id": typo.id, "target_id": right.id})
    assert resp.status_code == 302
    assert db.session.get(Enterprise, enterprise.id).industry_id == right.id
    assert db.session.scalar(select(Industry).where(Industry.code == "hazchem_typo")) is None


def test_only_the_admin_loads_and_merges_reference_data(client, world):
    headers = api_token(client, world.users.supervisor)
    resp = client.post(f"/api/v1/regions/{world.regions.county_a.id}/merge",
                       json={"target_id": world.regions.county_b.id}, headers=headers)
    assert resp.status_code == 403


def test_a_manager_merges_two_areas_of_his_site_with_their_risk_points(client, world, make_point):
    a = world.enterprises.a
    point = make_point(area="一车间 ")  # the area created with the point
    other = make_point(name="受限空间作业", area="1车间")
    right = db.session.get(RiskArea, point.area_id)
    typo = db.session.get(RiskArea, other.area_id)
    assert right.id != typo.id and right.enterprise_id == typo.enterprise_id == a.id
    login(client, world.users.manager)
    resp = client.post("/imports/areas/merge", data={"source_id": typo.id, "target_id": right.id})
    assert resp.status_code == 302
    moved = db.session.get(RiskPoint, other.id)
    assert (moved.area_id, moved.area) == (right.id, right.name)
    assert db.session.get(RiskArea, typo.id) is None
    login(client, world.users.manager_b)  # another enterprise's manager: not his areas
    resp = client.post("/imports/areas/merge", data={"source_id": right.id, "target_id": right.id})
    assert resp.status_code == 422
