"""Two supervisors deciding the same proposal at once, and two scans proposing the same hazard at
once, on PostgreSQL with two real connections: exactly one wins, no duplicate, no second number.

The data is committed for real (both connections must see it); every table is emptied at the end
(the other tests never commit: they run inside a rolled-back transaction)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from app.errors import Conflict
from app.extensions import db
from tests.conftest import IS_POSTGRES, Factory

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (row locks, two connections)")


@pytest.fixture
def committed(app):
    from app.supervision import service
    from app.supervision.models import ProposalSource
    from tests.supervision.conftest import stored_hazard

    with app.app_context():
        db.session.remove()
        f = Factory()
        city = f.region("并发市", level="city")
        county = f.region("并发县", level="county", parent=city)
        f.authority(county, name="并发县应急管理局", abbreviation="并")
        city_authority = f.authority(city, name="并发市应急管理局", abbreviation="并市")
        enterprise = f.enterprise(county, name="并发化工有限公司")
        one = f.user("supervisor", authority=city_authority, username="conc_sup1")
        two = f.user("supervisor", authority=city_authority, username="conc_sup2")
        major = stored_hazard(enterprise, level="major", grade="red", title="并发重大隐患")
        (listing,) = service.propose(major, ProposalSource.confirm)
        orange = stored_hazard(enterprise, grade="orange", overdue_by=20, title="并发逾期隐患")
        db.session.commit()
        ids = SimpleNamespace(listing=listing.id, orange=orange.id, supervisors=(one.id, two.id))
        db.session.remove()
    try:
        yield ids
    finally:
        with app.app_context():
            db.session.remove()
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
            db.session.remove()


def run_twice(app, work):
    barrier = threading.Barrier(2)
    results: list[str] = []

    def worker(i):
        with app.app_context():
            try:
                barrier.wait()
                work(i)
                db.session.commit()
                results.append("ok")
            except Conflict:
                db.session.rollback()
                results.append("conflict")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(results)


def test_two_supervisors_listing_at_once(app, committed):
    from app.auth.models import User
    from app.documents.models import Document
    from app.supervision import service
    from app.supervision.models import Listing, ListingState

    def decide(i):
        user = db.session.get(User, committed.supervisors[i])
        service.decide(committed.listing, user, "list" if i == 0 else "dismiss", reason="另案处理")

    assert run_twice(app, decide) == ["conflict", "ok"]
    with app.app_context():
        listing = db.session.get(Listing, committed.listing)
        assert listing.state in (ListingState.listed, ListingState.dismissed)
        notices = db.session.scalar(select(func.count()).select_from(Document))
        assert notices == (1 if listing.state == ListingState.listed else 0)
        db.session.remove()


def test_two_scans_propose_the_same_hazard_once(app, committed):
    from app.hazards.models import Hazard
    from app.supervision import service
    from app.supervision.models import Listing, ProposalSource

    created = []

    def propose(_i):
        created.append(len(service.propose(db.session.get(Hazard, committed.orange), ProposalSource.scan)))

    assert run_twice(app, propose) == ["ok", "ok"]
    assert sorted(created) == [0, 1]
    with app.app_context():
        rows = db.session.scalar(select(func.count()).select_from(Listing)
                                 .where(Listing.hazard_id == committed.orange))
        assert rows == 1
        db.session.remove()
