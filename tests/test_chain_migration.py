"""Revision d266cc2b94fb re-chains histories recorded before the chain was keyed: an intact unkeyed
chain is re-hashed with the chain key and verifies; one already broken is left unsigned and
``audit verify`` keeps reporting it (the migration never blesses a forged history)."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text

from app.extensions import db
from tests.conftest import Factory, make_app
from tests.test_migrations import empty_database_url  # noqa: F401  (fixture)


def test_old_chains_are_rechained_only_when_intact(empty_database_url):  # noqa: F811
    from app.hazards import history, service
    from app.hazards.models import HazardEvent
    from tests.hazards.helpers import jpeg_bytes

    app = make_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SQLALCHEMY_ENGINE_OPTIONS": {}},
                   db_url=empty_database_url)
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        command.upgrade(config, "head")
        f = Factory()
        county = f.region("链县", level="county")
        enterprise = f.enterprise(county, name="链化工有限公司")
        staff = f.user("enterprise_staff", enterprise=enterprise, username="chain_staff")
        manager = f.user("enterprise_manager", enterprise=enterprise, username="chain_manager")
        db.session.commit()
        intact = service.create_hazard(staff, enterprise=enterprise, title="完好",
                                       attachments=[("before", "b.jpg", jpeg_bytes())])
        forged = service.create_hazard(staff, enterprise=enterprise, title="被改")
        service.fire(forged.id, "confirm", manager, level="general", deadline=service.deadline_days(5),
                     responsible_user_id=staff.id, measures="加装护栏")
        db.session.commit()
        ids = (intact.id, forged.id)
        db.session.remove()

        command.downgrade(config, "e81bb77de7b6")  # histories as the previous release kept them
        with db.engine.begin() as conn:
            assert conn.execute(text("SELECT COUNT(*) FROM hazard_events")).scalar() == 4
            conn.execute(text("UPDATE hazard_events SET comment = 'forged' WHERE hazard_id = :h AND seq = 2"),
                         {"h": ids[1]})
        command.upgrade(config, "head")

        # (seq 3 is the ``reclassify`` event of the national codes, revision 7b3e5a91c0d4: appended, keyed,
        # to every chain; it does not bless a broken one.)
        key_ids = {h: set(db.session.scalars(select(HazardEvent.key_id).where(HazardEvent.hazard_id == h,
                                                                              HazardEvent.seq <= 2)))
                   for h in ids}
        assert key_ids[ids[0]] == {history.chain_keys().current_id}
        assert key_ids[ids[1]] == {None}
        assert history.verify() == {ids[1]: "event #1 is not signed with a chain key"}
        db.session.remove()
        db.engine.dispose()
