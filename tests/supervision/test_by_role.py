"""What each user may do with a listing, as the pages show it.

Issue 10 item 13: a district supervisor sees the city's proposals read-only, labelled with who
decides them, and no decision form. Item 14: the enterprise reaches its listing from the hazard page
and from its own list of listings, and files the progress report there."""

from __future__ import annotations

import re

from app.supervision import service
from app.supervision.models import ListingProgress
from tests.supervision.conftest import login_as


def test_district_supervisor_reads_city_proposals_without_deciding(client, world, proposal):
    login_as(client, world.users.supervisor)  # county_a, where enterprise a is; the rule is the city's
    queue = client.get("/supervision/queue").get_data(as_text=True)
    assert "由测试市应急管理局决定" in queue and proposal.hazard.code in queue
    assert "决定</a>" not in queue  # no 决定 link to a page he cannot decide on
    page = client.get(f"/supervision/listings/{proposal.id}").get_data(as_text=True)
    assert "由测试市应急管理局决定" in page and 'name="decision-action"' not in page

    login_as(client, world.users.city_supervisor)
    queue = client.get("/supervision/queue").get_data(as_text=True)
    assert f'/supervision/listings/{proposal.id}">决定</a>' in queue and "由测试市应急管理局决定" not in queue
    page = client.get(f"/supervision/listings/{proposal.id}").get_data(as_text=True)
    assert 'name="decision-action"' in page and "由测试市应急管理局决定" not in page


def test_enterprise_reaches_its_listing_and_files_progress(client, world, proposal, db_session):
    service.decide(proposal.id, world.users.city_supervisor, "list")
    db_session.commit()
    url = f"/supervision/listings/{proposal.id}"

    login_as(client, world.users.manager)
    hazard_page = client.get(f"/hazards/{proposal.hazard_id}").get_data(as_text=True)
    assert f'href="{url}"' in hazard_page
    mine = client.get("/supervision/listings")
    assert mine.status_code == 200 and f'href="{url}"' in mine.get_data(as_text=True)
    page = client.get(url)
    assert page.status_code == 200 and 'name="progress-text"' in page.get_data(as_text=True)
    resp = client.post(url, data={"progress-text": "五月：已完成储罐倒空置换，正在更换紧急切断阀"})
    assert resp.status_code == 302
    assert "正在更换紧急切断阀" in client.get(url).get_data(as_text=True)
    assert db_session.query(ListingProgress).filter_by(listing_id=proposal.id).count() == 1

    # Another enterprise sees neither the listing nor it in its list.
    login_as(client, world.users.manager_b)
    assert url not in client.get("/supervision/listings").get_data(as_text=True)
    assert client.get(url).status_code == 404
    assert client.post(url, data={"progress-text": "别的企业"}).status_code == 404


def test_enterprise_sees_no_proposal_and_no_link_to_it(client, world, proposal):
    login_as(client, world.users.manager)
    hazard_page = client.get(f"/hazards/{proposal.hazard_id}").get_data(as_text=True)
    assert not re.search(r'href="/supervision/listings/\d+"', hazard_page)
    assert proposal.hazard.code not in client.get("/supervision/listings").get_data(as_text=True)
