"""Listing where no authority exists at a rule's level (issue 10 item 12): a county-only deployment
still gets its red major hazard proposed, the proposal says where it went and why, and the
administrator sees the gap on a page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.supervision import service
from app.supervision.models import Listing, ProposalSource
from tests.supervision.conftest import login_as, stored_hazard
from workflows.listing import NEAREST_ANY, NEAREST_UP, routed_level


def test_routed_level():
    assert routed_level("city", {"county", "city"}) == "city"
    assert routed_level("city", {"county", "province"}, NEAREST_UP) == "province"
    assert routed_level("city", {"county", "province"}, NEAREST_ANY) == "province"
    assert routed_level("city", {"county"}, NEAREST_ANY) == "county"
    assert routed_level("city", {"county"}, NEAREST_UP) is None
    assert routed_level("county", set(), NEAREST_ANY) is None
    with pytest.raises(ValueError):
        routed_level("city", {"county"}, "sideways")


@pytest.fixture
def county_only(factory, db_session):
    """A province, a city and a county, with an authority at the county only."""
    province = factory.region("广东省", level="province", code="440000")
    city = factory.region("广州市", level="city", parent=province, code="440100")
    county = factory.region("越秀区", level="county", parent=city, code="440104")
    authority = factory.authority(county, name="越秀区应急管理局", abbreviation="越")
    enterprise = factory.enterprise(county, name="越秀化工有限公司")
    users = SimpleNamespace(supervisor=factory.user("supervisor", authority=authority, username="t_yx_supervisor"),
                            admin=factory.user("admin", username="t_yx_admin"))
    db_session.commit()
    return SimpleNamespace(province=province, county=county, authority=authority, enterprise=enterprise,
                           users=users)


def test_county_only_deployment_proposes_at_the_county(client, county_only, db_session):
    hazard = stored_hazard(county_only.enterprise, level="major", grade="red")
    (listing,) = service.propose(hazard, ProposalSource.confirm)
    db_session.commit()
    assert listing.authority_id == county_only.authority.id and listing.rule == "red_major_confirmed"
    assert listing.level == "county" and listing.requested_level == "city"

    # The county supervisor finds it in his queue, may decide it, and the page says why it is his.
    login_as(client, county_only.users.supervisor)
    queue = client.get("/supervision/queue").get_data(as_text=True)
    assert hazard.code in queue and f"/supervision/listings/{listing.id}" in queue
    page = client.get(f"/supervision/listings/{listing.id}").get_data(as_text=True)
    assert "越秀区应急管理局" in page and "市级" in page and "越秀区" in page and "最近" in page
    assert 'name="decision-action"' in page

    # The administrator sees the missing city authority and where its proposals go.
    login_as(client, county_only.users.admin)
    page = client.get("/supervision/coverage").get_data(as_text=True)
    assert "越秀区" in page and "市级" in page and "越秀区应急管理局" in page
    assert hazard.code in page  # among the routed proposals
    login_as(client, county_only.users.supervisor)
    assert client.get("/supervision/coverage").status_code == 403


def test_nearest_up_goes_to_the_province_or_shows_the_gap(app, client, factory, county_only, db_session,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "LISTING_ROUTING", NEAREST_UP)
    hazard = stored_hazard(county_only.enterprise, level="major", grade="red")
    assert service.propose(hazard, ProposalSource.confirm) == []  # no authority above the city
    db_session.commit()
    login_as(client, county_only.users.admin)
    page = client.get("/supervision/coverage").get_data(as_text=True)
    assert "越秀区" in page and "不能" in page  # nowhere: the gap is on the page, not only in a log

    province_authority = factory.authority(county_only.province, name="广东省应急管理厅", abbreviation="粤")
    db_session.commit()
    (listing,) = service.propose(hazard, ProposalSource.scan)
    assert listing.authority_id == province_authority.id and listing.requested_level == "city"
    assert db_session.query(Listing).count() == 1


def test_no_routing_where_the_level_exists(world, db_session):
    hazard = stored_hazard(world.enterprises.a, level="major", grade="red")
    (listing,) = service.propose(hazard, ProposalSource.confirm)
    assert listing.authority_id == world.authorities.city.id and listing.requested_level is None
