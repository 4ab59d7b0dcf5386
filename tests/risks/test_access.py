"""Role × endpoint for the risk pages and API; another county's enterprise's points answer 404."""

from __future__ import annotations

import pytest

from tests.access import Row, check_row, rows_as_params

VIEW_ALL = dict(enterprise_staff=200, enterprise_principal=200, enterprise_manager=200, inspector=200, authority_admin=200,
                supervisor=200, admin=200)
ROWS = [
    Row("GET", "/risks/", **VIEW_ALL),
    Row("GET", "/risks/{point}", **VIEW_ALL),
    Row("GET", "/risks/{foreign_point}", default=404, admin=200),
    Row("GET", "/risks/{point}/edit", default=403, enterprise_manager=200, admin=200),
    Row("GET", "/risks/{foreign_point}/edit", default=404, admin=200),
    Row("POST", "/risks/{point}/assess", data={"method": "ls", "ls_L": "2", "ls_S": "2"}, default=403,
        enterprise_manager=302, admin=302),
    Row("POST", "/risks/{foreign_point}/assess", data={"method": "ls", "ls_L": "2", "ls_S": "2"}, default=404,
        admin=302),
    Row("GET", "/risks/{point}/card.pdf", **VIEW_ALL),
    Row("GET", "/risks/{foreign_point}/card.pdf", default=404, admin=200),
    Row("GET", "/risks/new", default=403, enterprise_manager=200, admin=422),
    Row("GET", "/risks/map/{ent_a}", **VIEW_ALL),
    Row("GET", "/risks/map/{ent_b}", default=404, admin=200),
    Row("GET", "/risks/map/{ent_a}.pdf", **VIEW_ALL),
    Row("POST", "/risks/map/{ent_a}/areas", data={"name": "新区"}, default=403, enterprise_manager=302,
        admin=422),  # the manager made it first: a second area of that name is refused
    Row("GET", "/risks/region", default=302, inspector=200, supervisor=200, authority_admin=200, admin=200),
    Row("GET", "/risks/checks", default=302),  # retired: 我的任务 (/checks/) replaced it
    Row("GET", "/risks/reviews", **VIEW_ALL),
    Row("GET", "/risks/import", default=403, enterprise_manager=200, admin=422),
    Row("GET", "/api/v1/risk-points/{point}", **VIEW_ALL),
    Row("GET", "/api/v1/risk-points/{foreign_point}", default=404, admin=200),
    Row("PATCH", "/api/v1/risk-points/{point}", json={"name": "改名"}, default=403, enterprise_manager=200,
        admin=200),
    Row("POST", "/api/v1/risk-points/{point}/assessments", json={"method": "ls", "inputs": {"L": 1, "S": 1}},
        default=403, enterprise_manager=201, admin=201),
    Row("POST", "/api/v1/risk-points/{foreign_point}/assessments",
        json={"method": "ls", "inputs": {"L": 1, "S": 1}}, default=404, admin=201),
    Row("POST", "/api/v1/risk-points", json={"name": "新点"}, default=403, enterprise_manager=201, admin=422),
]


@pytest.mark.parametrize("row", rows_as_params(ROWS))
def test_risk_access(app, world, make_point, row):
    point = make_point(assess=("ls", {"L": 3, "S": 3}))
    foreign = make_point(enterprise=world.enterprises.b, name="乙企业风险点")
    check_row(app, world, row, point=point.id, foreign_point=foreign.id)
