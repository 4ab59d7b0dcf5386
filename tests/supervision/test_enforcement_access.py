"""Role × page for the enforcement pages of issue 17: another county's hazard, summons and listing
answer 404; who may not act answers 403; the reference tables are read by all, edited by the admin."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import clock
from app.supervision import summons
from tests.access import Row, check_row, rows_as_params
from tests.supervision.conftest import stored_hazard

ALL = dict(enterprise_staff=200, enterprise_principal=200, enterprise_manager=200, inspector=200, supervisor=200,
           authority_admin=200, admin=200)
OFFICERS = dict(inspector=200, supervisor=200)

ROWS = [
    Row("GET", "/enforcement/hazards/{hz_a}/measures", **ALL),
    Row("GET", "/enforcement/hazards/{hz_b}/measures", default=404, admin=200),
    # decided only by an inspector of the region (an empty form: 422, nothing issued)
    Row("POST", "/enforcement/hazards/{hz_a}/measures", data={"facts": ""}, default=403, inspector=422),
    Row("POST", "/enforcement/hazards/{hz_b}/measures", data={"facts": ""}, default=404, admin=403),
    Row("GET", "/enforcement/summons", **ALL),
    Row("GET", "/enforcement/summons?enterprise_id={ent_b}", default=404, admin=200),
    Row("GET", "/enforcement/summons/new", default=403, **OFFICERS),
    Row("GET", "/enforcement/summons/{sm_a}", **ALL),
    Row("GET", "/enforcement/summons/{sm_b}", default=404, admin=200),
    Row("POST", "/enforcement/summons/{sm_a}", data={"content": ""}, default=403, inspector=422, supervisor=422),
    Row("GET", "/enforcement/publication", **ALL),
    Row("GET", "/enforcement/references/", **ALL),
    Row("GET", "/enforcement/references/criteria", **ALL),
    Row("GET", "/enforcement/references/provisions/new", default=403, admin=200),
    Row("POST", "/enforcement/references/provisions/new", data={"law": ""}, default=403, admin=422),
]


@pytest.mark.parametrize("row", rows_as_params(ROWS))
def test_enforcement_page_access(app, world, db_session, row):
    hz_a = stored_hazard(world.enterprises.a, level="major")
    hz_b = stored_hazard(world.enterprises.b, level="major")
    when = clock.utcnow() + timedelta(days=2)
    sm_a = summons.summon(world.users.supervisor, enterprise_id=world.enterprises.a.id, reason="逾期未整改",
                          scheduled_at=when)
    sm_b = summons.summon(world.users.supervisor_b, enterprise_id=world.enterprises.b.id, reason="逾期未整改",
                          scheduled_at=when)
    db_session.commit()
    check_row(app, world, row, hz_a=hz_a.id, hz_b=hz_b.id, sm_a=sm_a.id, sm_b=sm_b.id)
