"""Rule sets editable by the admin: versioned from a date, previewed against today's data, validated."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.risks import service as risks
from app.risks.models import RiskAssessment
from app.rulesets import service
from app.rulesets.models import RuleSetVersion
from app.supervision import service as supervision
from app.supervision.models import ProposalSource
from tests.conftest import api_token, login
from tests.supervision.conftest import stored_hazard
from workflows import grading, listing
from workflows.grades import Grade

STRICT = service.grading_payload(grading.PRESETS["strict"])


def payload(**changes) -> dict:
    """The strict preset's payload with ``{"lec.2.lower": 100, ...}`` changed."""
    data = copy.deepcopy(STRICT)
    for path, value in changes.items():
        method, i, part = path.split(".")
        data["scales"][method][int(i)][part] = value
    return data


def create(client, headers, **body):
    body.setdefault("family", "grading")
    body.setdefault("title", "测试版本")
    return client.post("/api/v1/rule-sets", json=body, headers=headers)


# --- validation -----------------------------------------------------------------------------------

def test_thresholds_that_leave_a_gap_or_overlap_are_refused_naming_the_field(client, world):
    headers = api_token(client, world.users.admin)
    gap = create(client, headers, payload=payload(**{"lec.1.upper": 300}))  # orange ends at 300, red starts at 320
    assert gap.status_code == 422
    assert list(gap.get_json()["error"]["fields"]) == ["scales.lec[1].upper"]
    assert "空档" in gap.get_json()["error"]["fields"]["scales.lec[1].upper"][0]
    overlap = create(client, headers, payload=payload(**{"ls.2.upper": 16}))  # yellow up to 16, orange from 15
    assert overlap.status_code == 422
    assert "重叠" in overlap.get_json()["error"]["fields"]["scales.ls[2].upper"][0]
    inverted = create(client, headers, payload=payload(**{"mes.2.lower": 95}))  # yellow from 95 up to 90
    assert list(inverted.get_json()["error"]["fields"]) == ["scales.mes[2].lower"]
    assert db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.title == "测试版本")) is None


def test_listing_rules_need_exactly_one_condition(client, world):
    headers = api_token(client, world.users.admin)
    rules = service.listing_payload(listing.DEFAULT_RULES)["rules"]
    rules[1]["on_confirmation"] = True  # and still overdue_days_over = 0
    resp = create(client, headers, family="listing", payload={"rules": rules})
    assert resp.status_code == 422 and list(resp.get_json()["error"]["fields"]) == ["rules[1].overdue_days_over"]


def test_activation_date_in_the_past_is_refused(client, world):
    headers = api_token(client, world.users.admin)
    made = create(client, headers, payload=payload(**{"lec.2.lower": 100, "lec.1.upper": None})).get_json()
    # lec.1.upper None is the missing upper bound: refused too
    assert made["error"]["fields"] == {"scales.lec[1].upper": ["此项必须填写。"]}
    made = create(client, headers, payload=payload(**{"lec.2.lower": 100})).get_json()
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    resp = client.post(f"/api/v1/rule-sets/{made['id']}/activation", json={"effective_from": yesterday},
                       headers=headers)
    assert resp.status_code == 422 and list(resp.get_json()["error"]["fields"]) == ["effective_from"]
    assert db.session.get(RuleSetVersion, made["id"]).active is False


def test_only_the_admin_writes_rule_sets_and_government_users_read_them(client, world):
    resp = create(client, api_token(client, world.users.manager), payload=STRICT)
    assert resp.status_code == 403
    resp = create(client, api_token(client, world.users.supervisor), payload=STRICT)
    assert resp.status_code == 403
    listed = client.get("/api/v1/rule-sets", headers=api_token(client, world.users.supervisor))
    assert listed.status_code == 200
    assert {r["label"] for r in listed.get_json()["items"]} >= set()
    assert client.get("/api/v1/rule-sets", headers=api_token(client, world.users.staff)).status_code == 403


# --- versions in force ----------------------------------------------------------------------------

def test_an_assessment_after_activation_uses_the_new_version_and_one_before_keeps_the_old(
        client, world, make_point):
    headers = api_token(client, world.users.admin)
    point = make_point()
    made = create(client, headers, payload=payload(**{"lec.2.lower": 100}),
                  region_id=world.regions.county_a.id, title="甲县从严").get_json()
    assert made["label"] == f"r{world.regions.county_a.code}@{clock.today().year}.1" and made["active"] is False
    tomorrow = clock.today() + timedelta(days=1)
    resp = client.post(f"/api/v1/rule-sets/{made['id']}/activation", json={"effective_from": tomorrow.isoformat()},
                       headers=headers)
    assert resp.status_code == 200, resp.get_json()
    before = risks.assess(world.users.manager, point, "lec", {"L": 1, "E": 6, "C": 15})  # D = 90
    assert (before.grade, before.ruleset_version) == (Grade.yellow, "strict@2026.1")
    db.session.commit()
    with clock.moved_to(datetime.combine(tomorrow, datetime.min.time()) + timedelta(hours=10)):
        after = risks.assess(world.users.manager, point, "lec", {"L": 1, "E": 6, "C": 15})
        assert (after.grade, after.ruleset_version) == (Grade.blue, made["label"])
        # enterprise b (another county) keeps the national rules
        assert service.grading_for(world.regions.county_b.code).label == "strict@2026.1"
    db.session.commit()
    kept = db.session.get(RiskAssessment, before.id)
    assert (kept.grade, kept.ruleset_version) == (Grade.yellow, "strict@2026.1")
    login(client, world.users.manager)
    page = client.get(f"/risks/{point.id}").get_data(as_text=True)
    assert made["label"] in page and "strict@2026.1" in page


# --- preview --------------------------------------------------------------------------------------

def test_grading_preview_counts_the_points_the_new_thresholds_would_regrade(client, world, make_point):
    a, b = world.enterprises.a, world.enterprises.b
    cases = [  # (enterprise, method, inputs): hand-counted under the new version below
        (a, "lec", {"L": 1, "E": 6, "C": 15}),   # 90: yellow → blue (yellow now from 100)
        (a, "lec", {"L": 10, "E": 1, "C": 7}),   # 70: yellow → blue
        (a, "lec", {"L": 3, "E": 3, "C": 7}),    # 63: blue, stays blue
        (a, "lec", {"L": 6, "E": 6, "C": 7}),    # 252: orange, stays orange
        (a, "ls", {"L": 3, "S": 3}),             # 9: yellow, stays yellow
        (a, "ls", {"L": 4, "S": 3}),             # 12: yellow → orange (orange now from 12)
        (a, "direct", {"rules": ["D3"]}),        # red whatever the thresholds
        (b, "lec", {"L": 1, "E": 6, "C": 15}),   # 90 but in county b: another region, not counted
    ]
    for n, (enterprise, method, inputs) in enumerate(cases):
        make_point(enterprise=enterprise, name=f"预览点{n}", assess=(method, inputs))
    headers = api_token(client, world.users.admin)
    made = create(client, headers, region_id=world.regions.county_a.id, payload=payload(
        **{"lec.2.lower": 100, "ls.1.lower": 12, "ls.2.upper": 12})).get_json()
    preview = client.get(f"/api/v1/rule-sets/{made['id']}/preview", headers=headers).get_json()
    assert (preview["regraded"], preview["lowered"], preview["raised"]) == (3, 2, 1)
    login(client, world.users.admin)
    page = client.get(f"/rule-sets/{made['id']}").get_data(as_text=True)
    assert "此变更将使 3 个风险点重新定级，提出 0 项挂牌建议" in page
    # nothing was written by the preview
    assert all(p.ruleset_version == "strict@2026.1" for p in db.session.scalars(select(RiskAssessment)))
    activated = client.post(f"/api/v1/rule-sets/{made['id']}/activation",
                            json={"effective_from": clock.today().isoformat()}, headers=headers).get_json()
    assert activated["preview"]["regraded"] == 3 and activated["active"] is True


def test_listing_preview_counts_the_proposals_no_listing_covers_yet(client, world):
    a, b = world.enterprises.a, world.enterprises.b
    h1 = stored_hazard(a, grade="orange", overdue_by=10)  # new rule (> 7 days) fires: 1 proposal
    stored_hazard(a, grade="yellow", overdue_by=20)  # yellow still needs > 30 days: none
    h3 = stored_hazard(a, grade="orange", overdue_by=20)  # proposed already under the old rule: covered
    h4 = stored_hazard(a, level="major", grade="red")  # proposed already (city): covered
    stored_hazard(b, grade="orange", overdue_by=10)  # county b: outside the version's region
    for hazard in (h3, h4):
        assert supervision.propose(hazard, ProposalSource.scan)
    db.session.commit()
    rules = service.listing_payload(listing.DEFAULT_RULES)["rules"]
    rules[2] = {**rules[2], "code": "orange_overdue_7", "overdue_days_over": 7}
    headers = api_token(client, world.users.admin)
    made = create(client, headers, family="listing", region_id=world.regions.county_a.id,
                  payload={"rules": rules}).get_json()
    preview = client.get(f"/api/v1/rule-sets/{made['id']}/preview", headers=headers).get_json()
    assert preview["proposals"] == 1
    resp = client.post(f"/api/v1/rule-sets/{made['id']}/activation",
                       json={"effective_from": clock.today().isoformat()}, headers=headers)
    assert resp.status_code == 200
    (listing_row,) = supervision.propose(h1, ProposalSource.scan)
    assert (listing_row.rule, listing_row.rule_set_version) == ("orange_overdue_7", made["label"])
    assert supervision.rule_by_code("orange_overdue_7").overdue_days_over == 7
    db.session.commit()
    login(client, world.users.supervisor)
    page = client.get(f"/supervision/listings/{listing_row.id}")
    assert page.status_code == 200 and made["label"] in page.get_data(as_text=True)


def test_the_seeded_national_versions_describe_what_is_in_force(app, world):
    assert service.grading_for(world.regions.county_a.code).label == "strict@2026.1"
    assert service.listing_for(world.regions.county_a).label == "default@2026.1"


# --- the pages ------------------------------------------------------------------------------------

def test_the_admin_edits_a_version_in_the_form_and_sees_the_gap_named(client, world):
    login(client, world.users.admin)
    form = client.get("/rule-sets/new/grading")
    assert form.status_code == 200 and 'name="lec-2-lower" value="70' in form.get_data(as_text=True)
    data = {"title": "页面版本"}
    for method, rows in STRICT["scales"].items():
        for i, row in enumerate(rows):
            data[f"{method}-{i}-lower"] = str(row["lower"])
            if i:
                data[f"{method}-{i}-upper"] = str(row["upper"])
            if row["inclusive"]:
                data[f"{method}-{i}-inclusive"] = "y"
    for grade, level in STRICT["control_levels"].items():
        data[f"control-{grade}"] = level
    bad = dict(data, **{"lec-1-upper": "300"})
    resp = client.post("/rule-sets/new/grading", data=bad)
    assert resp.status_code == 422
    text = resp.get_data(as_text=True)
    assert "LEC · 较大风险 · 上限" in text and "空档" in text
    resp = client.post("/rule-sets/new/grading", data=dict(data, **{"lec-2-lower": "100"}))
    assert resp.status_code == 302
    row = db.session.scalar(select(RuleSetVersion).where(RuleSetVersion.title == "页面版本"))
    assert row.payload["scales"]["lec"][2]["lower"] == 100 and not row.active
    past = client.post(f"/rule-sets/{row.id}/activate",
                       data={"effective_from": (clock.today() - timedelta(days=3)).isoformat()})
    assert past.status_code == 422 and "不能早于今天" in past.get_data(as_text=True)
    done = client.post(f"/rule-sets/{row.id}/activate", data={"effective_from": clock.today().isoformat()})
    assert done.status_code == 302 and db.session.get(RuleSetVersion, row.id).active


@pytest.mark.parametrize("user", ["manager", "supervisor"])
def test_the_form_is_for_the_admin_only(client, world, user):
    login(client, getattr(world.users, user))
    assert client.get("/rule-sets/new/grading").status_code == 403


def test_a_regional_version_is_listed_to_those_who_see_its_region(client, world):
    headers = api_token(client, world.users.admin)
    made = create(client, headers, region_id=world.regions.county_a.id, payload=STRICT).get_json()
    labels_a = {r["label"] for r in client.get("/api/v1/rule-sets", headers=api_token(
        client, world.users.supervisor)).get_json()["items"]}
    labels_b = {r["label"] for r in client.get("/api/v1/rule-sets", headers=api_token(
        client, world.users.supervisor_b)).get_json()["items"]}
    assert made["label"] in labels_a and made["label"] not in labels_b
    assert client.get(f"/api/v1/rule-sets/{made['id']}", headers=api_token(
        client, world.users.supervisor_b)).status_code == 404


def test_a_grading_change_counts_the_listings_its_regrade_would_propose(client, world, make_point):
    a = world.enterprises.a
    raised = make_point(enterprise=a, name="升级点", assess=("ls", {"L": 4, "S": 3}))  # 12: yellow → orange
    lowered = make_point(enterprise=a, name="降级点", assess=("lec", {"L": 1, "E": 6, "C": 15}))  # 90: yellow → blue
    for point in (raised, lowered):
        hazard = stored_hazard(a, overdue_by=20)  # confirmed, general, 20 days overdue
        hazard.risk_point_id = point.id
    db.session.commit()
    # today: yellow, 20 days overdue: no rule fires (yellow needs > 30)
    assert supervision.scan()["proposed"] == 0
    headers = api_token(client, world.users.admin)
    made = create(client, headers, region_id=world.regions.county_a.id, payload=payload(
        **{"lec.2.lower": 100, "ls.1.lower": 12, "ls.2.upper": 12})).get_json()
    preview = client.get(f"/api/v1/rule-sets/{made['id']}/preview", headers=headers).get_json()
    # the raised point's hazard becomes orange and 20 > 15 days: orange_overdue_15 proposes it
    assert (preview["regraded"], preview["proposals"]) == (2, 1)
    login(client, world.users.admin)
    assert "此变更将使 2 个风险点重新定级，提出 1 项挂牌建议" in client.get(f"/rule-sets/{made['id']}").get_data(as_text=True)
