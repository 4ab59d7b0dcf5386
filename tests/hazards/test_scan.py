"""The periodic scan is set-based: it reads only what can fire, in batches committed as they go, and
leaves a hazard a user holds locked for the next run (issue 18 item 4)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event, func, select

from app import clock, signals
from app.cli import committing_batches, scan_in_transaction
from app.clock import today
from app.extensions import db
from app.hazards import history
from app.hazards.models import Hazard, HazardEvent
from app.supervision import service as supervision
from app.supervision.models import Listing
from tests.conftest import IS_POSTGRES
from tests.hazards.helpers import make_hazard
from tests.hazards.test_concurrency import committed_world, load_world  # noqa: F401  (fixture)
from tests.supervision.conftest import stored_hazard


def overdue_hazard(world, days: int) -> Hazard:
    """A hazard confirmed 30 days before its deadline, ``days`` ago, through the real lifecycle."""
    with clock.moved_to(clock.utcnow() - timedelta(days=30 + days)):
        hazard = make_hazard(world, state="rectifying", commit=False)
    db.session.commit()
    assert hazard.deadline == today() - timedelta(days=days)
    return hazard


def scan_overdue(**kw) -> dict:
    # Imported here: importing the module registers its scan step, which must happen in the app's
    # order (create_app), not at collection time.
    from app.hazards.scan import scan_overdue as step

    return step(**kw)


def _overdue_events(hazard_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(HazardEvent).where(
        HazardEvent.hazard_id == hazard_id, HazardEvent.trigger == "overdue"))


class StatementCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args, **_kw):
        self.count += 1

    def __enter__(self):
        self.conn = db.session.connection()
        event.listen(self.conn, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        event.remove(self.conn, "before_cursor_execute", self)


def test_second_run_does_nothing(world):
    """Overdue events, reminders and listing proposals once; the second run changes nothing."""
    overdue = [overdue_hazard(world, d) for d in (3, 40)]
    stored_hazard(world.enterprises.a, level="major", grade="red")  # red_major_confirmed
    stored_hazard(world.enterprises.a, grade="orange", overdue_by=20)  # orange_overdue_15
    db.session.commit()
    first = scan_in_transaction()
    db.session.commit()
    assert first["hazards.overdue"]["overdue"] == 3  # the stored orange one too
    assert db.session.scalar(select(func.count()).select_from(Listing)) == 2
    listings = db.session.scalar(select(func.count()).select_from(Listing))
    events = db.session.scalar(select(func.count()).select_from(HazardEvent))
    second = scan_in_transaction()
    assert second["hazards.overdue"] == {"overdue": 0, "reminders": 0}
    assert second["listing rules"] == {"checked": 0, "proposed": 0}
    assert db.session.scalar(select(func.count()).select_from(Listing)) == listings
    assert db.session.scalar(select(func.count()).select_from(HazardEvent)) == events
    assert [_overdue_events(h.id) for h in overdue] == [1, 1]
    assert not set(history.verify()) & {h.id for h in overdue}


def test_statements_do_not_grow_with_hazards_that_cannot_fire(world):
    """A run with nothing to do costs the same few statements whatever the number of open hazards."""
    def idle_run_statements() -> int:
        with StatementCounter() as counter:
            result = scan_in_transaction()
        assert result["hazards.overdue"]["overdue"] == 0 and result["listing rules"]["proposed"] == 0
        return counter.count

    overdue_hazard(world, 5)
    scan_in_transaction()
    db.session.commit()
    few = idle_run_statements()
    # Open hazards that cannot fire: overdue already recorded, not yet due, below a rule's overdue age,
    # blue, or already proposed for their rule.
    for days in range(1, 9):
        overdue_hazard(world, 4 - days)
    for grade, overdue_by in (("orange", 3), ("yellow", 10), ("blue", 90), ("orange", None)):
        stored_hazard(world.enterprises.a, grade=grade, overdue_by=overdue_by)
    stored_hazard(world.enterprises.a, level="major", grade="red")
    scan_in_transaction()
    db.session.commit()
    many = idle_run_statements()
    assert many == few
    # A few per step: the hazards' and listings' steps, and the later features' own (checks, figures,
    # weekly scores, report reminders, public reports' deadlines, the dishonesty list's expiry, the data
    # exchange: each a constant number of statements when it has nothing to do).
    assert few <= 30


def test_a_failed_batch_keeps_the_batches_before_it(world):
    """Under ``shuangkong scan`` each batch commits: a failure in batch 2 leaves batch 1 done, and the
    next run picks up the rest."""
    hazards = [overdue_hazard(world, 3) for _ in range(3)]
    ids = sorted(h.id for h in hazards)
    db.session.commit()

    def fail_on_third(hazard, **_kw):
        if hazard.id == ids[2]:
            raise RuntimeError("mail server on fire")

    signals.hazard_overdue.connect(fail_on_third)
    try:
        with committing_batches(), pytest.raises(RuntimeError):
            scan_overdue(batch=2)
    finally:
        signals.hazard_overdue.disconnect(fail_on_third)
    db.session.rollback()
    assert [_overdue_events(i) for i in ids] == [1, 1, 0]
    assert scan_overdue(batch=2)["overdue"] == 1
    assert [_overdue_events(i) for i in ids] == [1, 1, 1]
    assert history.verify() == {}


def test_listing_rules_select_only_hazards_without_a_proposal(world):
    """The listing step looks at a hazard only while a rule can still fire for it."""
    h = stored_hazard(world.enterprises.a, grade="yellow", overdue_by=20)
    db.session.commit()
    assert supervision.scan() == {"checked": 0, "proposed": 0}  # not 30 days overdue yet
    later = today() + timedelta(days=11)
    assert supervision.scan(on=later) == {"checked": 1, "proposed": 1}
    assert db.session.scalars(select(Listing.rule).where(Listing.hazard_id == h.id)).all() == [
        "yellow_overdue_30"]
    assert supervision.scan(on=later) == {"checked": 0, "proposed": 0}


@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (row locks, two connections)")
def test_a_hazard_a_user_holds_is_skipped_and_taken_next_run(app, committed_world):  # noqa: F811
    with app.app_context():
        world = load_world(committed_world)
        locked = overdue_hazard(world, 3).id
        free = overdue_hazard(world, 3).id
        db.session.remove()
    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def user_holds_the_row():
        with app.app_context():
            db.session.execute(select(Hazard).where(Hazard.id == locked).with_for_update())
            holding.set()
            release.wait(30)
            db.session.rollback()
            db.session.remove()
            done.set()

    thread = threading.Thread(target=user_holds_the_row)
    thread.start()
    try:
        assert holding.wait(10)
        with app.app_context():
            with committing_batches():
                result = scan_overdue()  # returns at once: it does not wait for the user's lock
            db.session.commit()
            assert result["overdue"] == 1
            assert (_overdue_events(locked), _overdue_events(free)) == (0, 1)
            db.session.remove()
    finally:
        release.set()
        thread.join(30)
    with app.app_context():
        with committing_batches():
            assert scan_overdue()["overdue"] == 1
        db.session.commit()
        assert (_overdue_events(locked), _overdue_events(free)) == (1, 1)
        assert history.verify() == {}
        db.session.remove()


def test_the_overdue_index_predicate_is_the_scans_rule():
    """The migration writes the partial index's predicate out; it must stay the model's (the scan's
    query uses the model's text: were they to differ, PostgreSQL would stop using the index)."""
    import importlib.util
    from pathlib import Path

    from app.hazards.models import OVERDUE_UNRECORDED

    path = next(Path("migrations/versions").glob("*_partial_index_of_hazards_not_yet_overdue.py"))
    spec = importlib.util.spec_from_file_location("overdue_index_revision", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.PREDICATE == OVERDUE_UNRECORDED
