"""Every register filter, for an enterprise, a district and a city, reads hazards through an index
(issue 18 item 1): PostgreSQL's plans of the real queries (the count and the page) are read with
EXPLAIN on a table of a few thousand rows, analysed, so the planner chooses as it would in
production. No ``Seq Scan on hazards``."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, text, update

from app.clock import today, utcnow
from app.extensions import db
from app.hazards import register
from app.hazards.models import Hazard
from app.risks.models import RiskPoint
from tests.conftest import IS_POSTGRES
from tests.plans import explain, statements

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="plans are PostgreSQL's")

TITLES = ["配电箱门未关闭", "消防通道堵塞", "安全阀校验过期", "灭火器压力不足", "防护栏缺失", "可燃气体报警器失效"]


@pytest.fixture
def table(world):
    """A province: the world's city (40 enterprises per county) and another city with 120, 20 000
    hazards of every state, level and age; enterprise a's hazards are all old."""
    rng = random.Random(18)
    f = world.factory
    enterprises = [world.enterprises.a, world.enterprises.b]
    other_city = f.region("他市", level="city", parent=world.regions.province)
    for county in (world.regions.county_a, world.regions.county_b, other_city):
        enterprises += [f.enterprise(county) for _ in range(40 if county is not other_city else 120)]
    db.session.flush()
    points = {}
    for e in enterprises:
        points[e.id] = db.session.scalars(insert(RiskPoint).returning(RiskPoint.id), [
            {"enterprise_id": e.id, "name": f"点{i}", "assessed_grade": g, "effective_grade": g}
            for i, g in enumerate(("red", "orange", "yellow", "blue", "blue", "blue"))]).all()
    states = ["reported", "rectifying", "pending_review", "closed", "closed", "closed", "closed"]
    now, rows = utcnow(), []
    for i in range(20000):
        # Enterprise a: 4 %; the world's city about 15 % (a city of a province); the other city the rest.
        e = enterprises[0] if i % 25 == 0 else rng.choice(enterprises[1:82] if i % 6 == 0 else enterprises[82:])  # enterprise a: old hazards
        state = rng.choice(states)
        rows.append({
            "enterprise_id": e.id, "code": f"YH-T-{i:05d}", "title": f"{rng.choice(TITLES)}{i}",
            "location": f"{i % 97}号车间", "state": state,
            "level": None if state == "reported" else ("major" if rng.random() < 0.02 else "general"),
            "risk_point_id": rng.choice(points[e.id]) if rng.random() < 0.7 else None,
            "responsible_department_id": world.departments.a.id if e is enterprises[0] and i % 3 == 0 else None,
            "deadline": today() + timedelta(days=rng.randint(-60, 60)),
            "created_at": now - timedelta(days=(400 + i % 300) if e is enterprises[0] else rng.randint(0, 700),
                                          minutes=i),
        })
    db.session.execute(insert(Hazard), rows)
    db.session.execute(text("ANALYZE hazards"))
    db.session.execute(text("ANALYZE risk_points"))
    db.session.execute(text("ANALYZE enterprises"))
    db.session.execute(text("ANALYZE regions"))
    return world


FILTERS = {
    "none": {},
    "deep page": {"page": 15},
    "state": {"state": "rectifying"},
    "level": {"level": "major"},
    "grade red": {"grade": "red"},
    "grade orange": {"grade": "orange"},
    "overdue": {"overdue": True},
    "not overdue": {"overdue": False},
    "department": {"department_id": "dept"},
    "one week": {"date_from": today() - timedelta(days=7), "date_to": today()},
    "search": {"q": "安全阀校验"},
    "search rare": {"q": "报警器失效7"},
}


def _plans(user, filters) -> list[str]:
    """The plans of the statements ``register_page`` runs for ``user`` and ``filters``."""
    with statements("hazards") as run:
        register.register_page(user, **filters)
    assert run
    return explain(run)


def test_no_scoped_page_scans_the_hazards_table(table):
    users = {"enterprise": table.users.manager, "district": table.users.inspector,
             "city": table.users.city_inspector}
    scans = []
    for name, filters in FILTERS.items():
        filters = dict(filters)
        if filters.get("department_id") == "dept":
            filters["department_id"] = table.departments.a.id
        for scope, user in users.items():
            if "q" in filters:
                # A search reads the trigram index and filters the scope on its rows; on 20 000 rows
                # PostgreSQL finds a scan as cheap (by cost), on 1 000 000 it takes the index
                # (bench/bench_province.py). Here: the index is there for it, and taken once a scan costs more.
                db.session.execute(text("SET LOCAL enable_seqscan = off"))
            try:
                scans += [f"{name} / {scope}:\n{plan}" for plan in _plans(user, filters)
                          if "Seq Scan on hazards" in plan]
            finally:
                db.session.execute(text("RESET enable_seqscan"))
    assert not scans, "\n\n".join(scans)


def test_search_results_do_not_depend_on_the_index(table):
    """The trigram index answers exactly what the scan answers (3 and more characters; 2 characters
    and 1 too, the planner then scans or reads the whole index)."""
    user = table.users.city_inspector
    for term in ("安全阀校验", "报警器失效7", "号车间", "配电", "门", "yh-t-0001"):
        indexed = [h.id for h in register.register_page(user, q=term, per_page=200).items]
        db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
        db.session.execute(text("SET LOCAL enable_indexscan = off"))
        scanned = [h.id for h in register.register_page(user, q=term, per_page=200).items]
        db.session.execute(text("RESET enable_bitmapscan"))
        db.session.execute(text("RESET enable_indexscan"))
        assert indexed == scanned and indexed, term
        found = db.session.scalars(select(Hazard).where(Hazard.id.in_(indexed))).all()
        assert all(term.lower() in (h.title + h.code + " " + h.location).lower() for h in found)


def test_the_scan_reads_only_the_hazards_not_yet_marked_overdue(table):
    """The overdue step of ``shuangkong scan`` (issue 18 item 4): its candidates are exactly the open
    hazards past a deadline without an overdue event, read through an index (never a scan of the table),
    and the partial index of the hazards not yet recorded applies to its query (the two share one text:
    were they to differ, PostgreSQL could not use it). On 20 000 rows the planner may as well take
    (state, deadline), the costs being close; on 1 000 000 it takes the partial index, 0.04 ms after
    VACUUM against 1.4 s reading the 185 000 hazards already recorded (bench/bench_scan.py prints it)."""
    from app.hazards.scan import _locked_candidates, overdue_candidate_ids
    from workflows.hazard_states import OPEN_STATES

    open_states = [s.value for s in OPEN_STATES]
    db.session.execute(update(Hazard).where(Hazard.state.in_(open_states),
                                            Hazard.deadline < today() - timedelta(days=1))
                       .values(overdue_recorded_for=Hazard.deadline))
    db.session.execute(text("ANALYZE hazards"))
    with statements("FROM hazards") as run:
        ids = overdue_candidate_ids()
        _locked_candidates(ids[:50], today())

    def plans() -> list[str]:
        return explain(run)

    assert len(run) == 2
    assert not [p for p in plans() if "Seq Scan on hazards" in p], plans()
    expected = db.session.scalars(select(Hazard.id).where(
        Hazard.state.in_(open_states), Hazard.deadline == today() - timedelta(days=1)).order_by(Hazard.id)).all()
    assert ids == expected and len(ids) > 20
    # The other indexes on deadline set aside (in this transaction only): the partial index answers.
    for index in ("ix_hazards_state_deadline", "ix_hazards_enterprise_state_deadline", "ix_hazards_deadline"):
        db.session.execute(text(f"DROP INDEX {index}"))
    assert "ix_hazards_overdue_unrecorded" in plans()[0], plans()[0]
