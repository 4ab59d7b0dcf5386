"""The register's query: the newest-first walk (used for dense filters) returns the same page."""

from __future__ import annotations

from datetime import timedelta

from app.clock import today
from app.hazards import register
from app.hazards.models import Hazard
from app.paging import paginate
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
