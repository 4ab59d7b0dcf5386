"""The credit families of the versioned rule sets: written through the rule-set API, validated naming the
field, selected per region and date (a record keeps the version it was made under)."""

from __future__ import annotations

from app import clock
from app.credit import rules
from app.rulesets import service as rulesets
from app.rulesets.models import RuleFamily
from tests.conftest import api_token


def _create(client, world, family, payload):
    return client.post("/api/v1/rule-sets", headers=api_token(client, world.users.admin),
                       json={"family": family, "title": "测试省", "region_id": world.regions.province.id,
                             "payload": payload})


def test_bad_credit_and_dishonesty_rule_sets_are_refused_naming_the_field(client, world):
    bad = _create(client, world, "credit", {"weights": {"review_failed": -1}})
    assert bad.status_code == 422
    assert "weights.review_failed" in bad.get_json()["error"]["fields"]
    bad = _create(client, world, "dishonesty", {"period_months": 12, "early_removal_min_months": 12})
    assert bad.status_code == 422 and "early_removal_min_months" in bad.get_json()["error"]["fields"]
    bad = _create(client, world, "dishonesty", {"conditions": ["made_up"]})
    assert bad.status_code == 422 and "conditions[0]" in bad.get_json()["error"]["fields"]


def test_a_version_applies_from_its_date_to_its_region_only(client, world, app):
    made = _create(client, world, "credit", {"weights": {"manual": 2.5}})
    assert made.status_code == 201, made.get_json()
    row = made.get_json()
    assert row["payload"]["weights"] == {"manual": 2.5}
    code = world.regions.county_a.code
    assert rules.credit_for(code).label == "default@2026.1"  # a draft is not in force
    activated = client.post(f"/api/v1/rule-sets/{row['id']}/activation", headers=api_token(client, world.users.admin),
                            json={"effective_from": clock.today().isoformat()})
    assert activated.status_code == 200, activated.get_json()
    assert rules.credit_for(code).weight("manual") == 2.5
    assert rules.credit_for(code).weight("review_failed") is None
    assert rules.credit_for("990000").label == "default@2026.1"  # another province keeps the default
    assert RuleFamily.credit in rulesets.FAMILIES
