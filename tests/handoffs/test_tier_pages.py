"""The reminder tiers kept in the UI: the admin keeps the defaults and any region's set, an authority's
administrator the sets of his region (another region answers 404, the defaults 403); bad input gives a
Chinese message next to the row with what was typed kept, and changes nothing; a saved set is the one
the scan uses, and the change is in the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.admin_log import AuditEntry
from app.extensions import db
from app.handoffs.models import ReminderTier
from app.handoffs.reminders import Tiers
from tests.access import Row, check_row, rows_as_params
from tests.conftest import login

ROWS = [
    Row("GET", "/reminder-tiers", default=403, authority_admin=200, admin=200),
    Row("GET", "/reminder-tiers/edit?subject=hazard", default=403, admin=200),
    Row("GET", "/reminder-tiers/edit?subject=report&region_id={county_a}", default=403, authority_admin=200,
        admin=200),
    Row("GET", "/reminder-tiers/edit?subject=report&region_id={county_b}", default=403, authority_admin=404,
        admin=200),
    Row("POST", "/reminder-tiers/edit?subject=report&region_id={county_b}",
        data={"rows": "1", "offset_days-0": "-5", "audience-0": "manager"}, default=403, authority_admin=404,
        admin=None),
]


@pytest.mark.parametrize("row", rows_as_params(ROWS))
def test_tier_pages_access(app, world, row):
    check_row(app, world, row)


def _own(region_id, subject):
    return [(t.offset_days, t.audience) for t in db.session.scalars(select(ReminderTier).where(
        ReminderTier.region_id == region_id, ReminderTier.subject == subject).order_by(ReminderTier.offset_days))]


def test_bad_tiers_are_explained_in_chinese_and_change_nothing(world, client):
    login(client, world.users.admin)
    url = "/reminder-tiers/edit?subject=hazard"
    page = client.get(url).get_data(as_text=True)
    assert 'name="offset_days-0" value="-3"' in page  # the defaults, then empty rows
    bad = client.post(url, data={"rows": "4", "offset_days-0": "三天前", "audience-0": "responsible",
                                 "offset_days-1": "0", "audience-1": "authority",
                                 "offset_days-2": "7", "audience-2": "manager",
                                 "offset_days-3": "7", "audience-3": "principal"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "请填写整数天数：负数为期限前，0 为当天，正数为逾期天数。" in text
    assert 'value="三天前"' in text  # what was typed is kept
    assert "监管部门只在逾期后提醒。" in text and "同一天已设置了一级提醒。" in text
    too_far = client.post(url, data={"rows": "1", "offset_days-0": "400", "audience-0": "manager"})
    assert "天数应在 -60 到 365 之间。" in too_far.get_data(as_text=True)
    empty = client.post(url, data={"rows": "1", "offset_days-0": "", "audience-0": ""})
    assert "默认设置至少保留一级提醒。" in empty.get_data(as_text=True)
    assert db.session.scalar(select(ReminderTier.id).limit(1)) is None  # nothing was written


def test_a_saved_set_is_used_by_the_scan_and_logged(world, client):
    county = world.regions.county_a
    login(client, world.users.authority_admin)
    saved = client.post(f"/reminder-tiers/edit?subject=report&region_id={county.id}",
                        data={"rows": "3", "offset_days-0": "10", "audience-0": "authority",
                              "offset_days-1": "-7", "audience-1": "enterprise", "offset_days-2": "",
                              "audience-2": ""})
    assert saved.status_code == 302
    assert _own(county.id, "report") == [(-7, "enterprise"), (10, "authority")]
    page = client.get("/reminder-tiers").get_data(as_text=True)
    assert "甲县" in page and "期限前 7 天：企业安全管理人员和主要负责人" in page
    tiers = Tiers()
    assert tiers.for_region(county.path, "report") == [(-7, "enterprise"), (10, "authority")]
    assert tiers.for_region(world.regions.county_b.path, "report")[0] == (-3, "responsible")  # the defaults
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.object_type == "reminder_tiers")).one()
    assert entry.actor_id == world.users.authority_admin.id
    assert entry.after == {"subject": "report", "tiers": [[-7, "enterprise"], [10, "authority"]]}
    # Saved empty: the county uses the set above it again.
    client.post(f"/reminder-tiers/edit?subject=report&region_id={county.id}", data={"rows": "1"})
    assert _own(county.id, "report") == []
