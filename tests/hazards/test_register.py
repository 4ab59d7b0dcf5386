"""The register's query: the newest-first walk (used for dense filters) returns the same page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import update

from app.clock import LOCAL_TZ, today
from app.extensions import db
from app.hazards import register
from app.hazards.models import Hazard
from app.paging import paginate
from tests.conftest import login
from tests.hazards.helpers import make_hazard


def test_walk_and_indexed_pages_agree(world, monkeypatch):
    for i in range(4):
        make_hazard(world, state="rectifying", deadline=today() - timedelta(days=i + 1), commit=False)
    make_hazard(world, state="rectifying")
    make_hazard(world, state="closed")
    make_hazard(world, enterprise=world.enterprises.b, reporter=world.users.staff_b, state="rectifying",
                deadline=today() - timedelta(days=3))
    for user in (world.users.city_supervisor, world.users.inspector, world.users.manager):
        filters = {"state": "rectifying", "overdue": True}
        indexed = paginate(register.register_query(user, **filters).order_by(Hazard.id.desc()), 1, 3)
        walked = paginate(register.register_query(user, walk=True, **filters).order_by(Hazard.id.desc()), 1, 3)
        assert [h.id for h in indexed.items] == [h.id for h in walked.items]
        assert all(h.overdue and h.state == "rectifying" for h in walked.items)
    monkeypatch.setattr(register, "COUNT_CAP", 2)  # force the walk
    page = register.register_page(world.users.city_supervisor, per_page=10, state="rectifying", overdue=True)
    assert page.total_capped and len(page.items) == 5
    assert {h.enterprise_id for h in page.items} == {world.enterprises.a.id, world.enterprises.b.id}
    page = register.register_page(world.users.manager, per_page=10, state="rectifying", overdue=True)
    assert len(page.items) == 4 and all(h.enterprise_id == world.enterprises.a.id for h in page.items)


def _reported_on(hazard, local: datetime) -> None:
    """Say the hazard was reported at ``local`` (China time; stored as naive UTC like the app does)."""
    stored = local.replace(tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)
    db.session.execute(update(Hazard).where(Hazard.id == hazard.id).values(created_at=stored))


def test_a_range_of_reporting_dates_lists_exactly_its_hazards_newest_first(client, world, monkeypatch):
    """Reported from / until are local calendar days, both included; the list runs newest report first,
    also when the numbers were given in another order (hazards loaded from an exchange file)."""
    first = today() - timedelta(days=40)
    made = {}
    for k in range(8):  # one report a day, numbered in the opposite order of the days
        enterprise, reporter = ((world.enterprises.a, world.users.staff) if k % 2 else
                                (world.enterprises.b, world.users.staff_b))
        made[7 - k] = make_hazard(world, enterprise=enterprise, reporter=reporter, title=f"日期隐患{7 - k}")
    for day, hazard in made.items():
        _reported_on(hazard, datetime.combine(first + timedelta(days=day), time(10, 0)))
    late = make_hazard(world, title="当天深夜")  # 23:30 on the range's last day: inside
    _reported_on(late, datetime.combine(first + timedelta(days=5), time(23, 30)))
    early = make_hazard(world, title="次日零点")  # 00:10 on the day after: outside
    _reported_on(early, datetime.combine(first + timedelta(days=6), time(0, 10)))
    db.session.commit()
    expected = [late.id] + [made[day].id for day in (5, 4, 3, 2)]
    dates = {"date_from": first + timedelta(days=2), "date_to": first + timedelta(days=5)}
    query = f"date_from={dates['date_from'].isoformat()}&date_to={dates['date_to'].isoformat()}"

    login(client, world.users.city_supervisor)
    page = client.get(f"/hazards/?{query}").get_data(as_text=True)
    assert [int(i) for i in re.findall(r'<a href="/hazards/(\d+)">', page)] == expected
    assert "共 5 条隐患" in page

    # Many matches (the cap made small): the count says "more than", the pages follow one another.
    monkeypatch.setattr(register, "COUNT_CAP", 2)
    supervisor = world.users.city_supervisor
    one = register.register_page(supervisor, per_page=3, **dates)
    assert one.total_capped and [h.id for h in one.items] == expected[:3]
    two = register.register_page(supervisor, per_page=3, after=one.items[-1].id, **dates)
    assert [h.id for h in two.items] == expected[3:]
    assert [h.id for h in register.register_page(supervisor, page=2, per_page=3, **dates).items] == expected[3:]

    # Scopes: a county's inspector sees his county's; the city's filter by district keeps the other's.
    in_a = [h for h in expected if db.session.get(Hazard, h).enterprise_id == world.enterprises.a.id]
    assert [h.id for h in register.register_page(world.users.inspector, **dates).items] == in_a
    district_b = register.register_page(supervisor, region_id=world.regions.county_b.id, **dates)
    assert [h.id for h in district_b.items] == [h for h in expected if h not in in_a]
    assert [h.id for h in register.register_page(world.users.inspector_b, **dates).items] == \
        [h for h in expected if h not in in_a]
