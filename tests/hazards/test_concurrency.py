"""Two people acting on the same hazard at once, on PostgreSQL with two real connections.

The data is committed for real (both connections must see it) and removed at the end.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import delete, select

from app.errors import Conflict
from app.extensions import db
from tests.conftest import IS_POSTGRES, Factory, delete_region_chain

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (row locks, two connections)")


@pytest.fixture
def committed_world(app):
    from app.auth.models import ApiToken, User
    from app.hazards.models import Hazard, HazardAttachment, HazardCodeCounter, HazardEvent, TreatmentPlan
    from app.notifications.models import Notification
    from app.organisations.models import Authority, Department, Enterprise

    ctx = app.app_context()
    ctx.push()
    try:
        db.session.remove()
        f = Factory()
        county = f.region("并发县", level="county")
        authority = f.authority(county, name="并发县应急管理局", abbreviation="并")
        enterprise = f.enterprise(county, name="并发化工有限公司")
        users = SimpleNamespace(
            staff=f.user("enterprise_staff", enterprise=enterprise, username="conc_staff"),
            manager=f.user("enterprise_manager", enterprise=enterprise, username="conc_manager"),
            principal=f.user("enterprise_principal", enterprise=enterprise, username="conc_principal"),
            inspector=f.user("inspector", authority=authority, username="conc_inspector1"),
            inspector2=f.user("inspector", authority=authority, username="conc_inspector2"),
        )
        db.session.commit()
        ids = SimpleNamespace(users={k: u.id for k, u in vars(users).items()}, enterprise=enterprise.id,
                              authority=authority.id, region=county.id)
        db.session.remove()
    finally:
        ctx.pop()
    try:
        yield ids
    finally:
        with app.app_context():
            enterprise_id, authority_id = ids.enterprise, ids.authority
            hazard_ids = select(Hazard.id).where(Hazard.enterprise_id == enterprise_id)
            user_ids = select(User.id).where(User.username.like("conc_%"))
            for stmt in (
                delete(Notification).where(Notification.user_id.in_(user_ids)),
                delete(HazardEvent).where(HazardEvent.hazard_id.in_(hazard_ids)),
                delete(HazardAttachment).where(HazardAttachment.hazard_id.in_(hazard_ids)),
                delete(TreatmentPlan).where(TreatmentPlan.hazard_id.in_(hazard_ids)),
                delete(Hazard).where(Hazard.enterprise_id == enterprise_id),
                delete(HazardCodeCounter).where(HazardCodeCounter.enterprise_id == enterprise_id),
                delete(ApiToken).where(ApiToken.user_id.in_(user_ids)),
                delete(User).where(User.username.like("conc_%")),
                delete(Department).where(Department.enterprise_id == enterprise_id),
                delete(Enterprise).where(Enterprise.id == enterprise_id),
                delete(Authority).where(Authority.id == authority_id),
            ):
                db.session.execute(stmt)
            delete_region_chain(ids.region)
            db.session.commit()
            db.session.remove()


def load_world(ids):
    """The committed world's objects, in the current app context's session."""
    from app.auth.models import User
    from app.organisations.models import Authority, Enterprise

    return SimpleNamespace(
        users=SimpleNamespace(**{k: db.session.get(User, v) for k, v in ids.users.items()}),
        enterprises=SimpleNamespace(a=db.session.get(Enterprise, ids.enterprise)),
        authorities=SimpleNamespace(county_a=db.session.get(Authority, ids.authority)))


def _accept_in_own_connection(app, hazard_id, user_id, barrier, results, hold):
    from app.auth.models import User
    from app.hazards import service

    with app.app_context():  # its own session, so its own connection and transaction
        try:
            user = db.session.get(User, user_id)
            barrier.wait()
            service.fire(hazard_id, "accept", user, comment=f"by {user.username}")
            time.sleep(hold)  # keep the row lock while the other one tries
            db.session.commit()
            results.append(("ok", user.username))
        except Conflict as exc:
            db.session.rollback()
            results.append(("conflict", exc.status))
        finally:
            db.session.remove()


def test_two_inspectors_accept_at_once(app, committed_world):
    from app.hazards import history
    from app.hazards.models import Hazard, HazardEvent
    from tests.hazards.helpers import make_hazard

    ids = committed_world
    with app.app_context():
        h = make_hazard(load_world(ids), state="pending_review", source="government_inspection")
        hazard_id = h.id
        db.session.remove()
    barrier, results = threading.Barrier(2), []
    threads = [threading.Thread(target=_accept_in_own_connection,
                                args=(app, hazard_id, uid, barrier, results, 0.3))
               for uid in (ids.users["inspector"], ids.users["inspector2"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r[0] for r in results) == ["conflict", "ok"], results
    assert [r[1] for r in results if r[0] == "conflict"] == [409]
    with app.app_context():
        h = db.session.get(Hazard, hazard_id)
        assert h.state == "closed"
        accepts = db.session.scalars(select(HazardEvent).where(
            HazardEvent.hazard_id == hazard_id, HazardEvent.trigger == "accept")).all()
        assert len(accepts) == 1
        assert hazard_id not in history.verify()
        db.session.remove()


def test_stale_object_loses_on_version_check(app, committed_world):
    """Without a lock (a session that loaded the hazard before the other committed): 409 too."""
    from app.auth.models import User
    from app.hazards import service
    from app.hazards.models import Hazard
    from tests.hazards.helpers import make_hazard

    ids = committed_world
    with app.app_context():
        hazard_id = make_hazard(load_world(ids), state="pending_review", source="government_inspection").id
        db.session.remove()
    engine_ctx = app.app_context()
    engine_ctx.push()
    try:
        stale = db.session.get(Hazard, hazard_id)  # loaded, not locked
        stale_user = db.session.get(User, ids.users["inspector2"])
        with app.app_context():
            service.fire(hazard_id, "accept", db.session.get(User, ids.users["inspector"]))
            db.session.commit()
            db.session.remove()
        with pytest.raises(Conflict):
            service._transition(stale, "reject", stale_user, service._reject_fields, {"reason": "不合格"})
        db.session.rollback()
    finally:
        db.session.remove()
        engine_ctx.pop()


def test_codes_are_unique_under_concurrent_reports(app, committed_world):
    from app.auth.models import User
    from app.hazards import service
    from app.hazards.models import Hazard

    ids = committed_world
    codes, errors = [], []
    barrier = threading.Barrier(4)

    def report(n):
        with app.app_context():
            try:
                user = db.session.get(User, ids.users["staff"])
                from app.organisations.models import Enterprise

                enterprise = db.session.get(Enterprise, ids.enterprise)
                barrier.wait()
                for i in range(5):
                    codes.append(service.create_hazard(user, enterprise=enterprise, title=f"并发{n}-{i}").code)
                    db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(repr(exc))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=report, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(codes) == 20 and len(set(codes)) == 20
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Hazard.id)).where(
            Hazard.enterprise_id == ids.enterprise)) == 20
        db.session.remove()
