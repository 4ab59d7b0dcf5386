"""Role × endpoint for imports, reference data and rule sets (tests/access.py)."""

from __future__ import annotations

import pytest

from app.rulesets import service as rulesets
from tests.access import Row, check_row, rows_as_params
from workflows import grading

GOVERNMENT_READS = dict(default=403, inspector=200, supervisor=200, authority_admin=200, admin=200)
STRICT = rulesets.grading_payload(grading.PRESETS["strict"])

ROWS = [
    Row("GET", "/imports/", default=403, enterprise_manager=200, authority_admin=200, admin=200),
    Row("GET", "/imports/enterprises/template.xlsx", default=403, authority_admin=200, admin=200),
    Row("GET", "/imports/users/template.xlsx?enterprise_id={ent_a}", default=403, enterprise_manager=200,
        authority_admin=200, admin=200),
    Row("GET", "/imports/users/template.xlsx?enterprise_id={ent_b}", default=403, enterprise_manager=200,
        inspector=404, supervisor=404, authority_admin=404, admin=200),  # a manager always gets his own
    Row("POST", "/api/v1/imports/enterprises", default=403, authority_admin=422, admin=422),  # no file: 422
    Row("POST", "/api/v1/regions/{county_b}/merge", json={"target_id": "{county_b}"}, default=403, admin=422),
    Row("POST", "/api/v1/industries/{industry}/merge", json={"target_id": "{industry}"}, default=403, admin=422),
    Row("GET", "/rule-sets/", **GOVERNMENT_READS),
    Row("GET", "/api/v1/rule-sets", **GOVERNMENT_READS),
    Row("GET", "/rule-sets/new/grading", default=403, admin=200),
    Row("POST", "/api/v1/rule-sets", json={"family": "grading", "title": "矩阵", "payload": STRICT},
        default=403, admin=201),
]


@pytest.mark.parametrize("row", rows_as_params(ROWS))
def test_import_and_rule_set_access(app, world, row):
    check_row(app, world, row, industry=world.enterprises.a.industry_id)
