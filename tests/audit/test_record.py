"""The audit log: ``record`` adds one entry with the caller's transaction; nothing changes or deletes one."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DatabaseError

from app.admin_log import AppendOnly, AuditEntry, record, snapshot
from app.extensions import db


def test_record_names_actor_object_region_and_before_after(app, world):
    ent = world.enterprises.a
    with app.test_request_context("/", environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        entry = record(world.users.admin, "update", ent, before={"name": "旧名"},
                       after=snapshot(ent, "name", "scale"), summary="改名")
    db.session.flush()
    assert (entry.actor_id, entry.actor_address, entry.action) == (world.users.admin.id, "10.1.2.3", "update")
    assert (entry.object_type, entry.object_id, entry.region_id) == ("enterprise", ent.id, ent.region_id)
    assert entry.after == {"name": "甲化工有限公司", "scale": "small"} and entry.before == {"name": "旧名"}
    assert entry.at is not None


def test_record_by_type_name_outside_a_request(world):
    entry = record(None, "import", "enterprise", summary="50 家企业", after={"ids": [1, 2]})
    db.session.flush()
    assert (entry.actor_id, entry.actor_address, entry.object_type, entry.object_id) == (None, "", "enterprise", None)


def test_record_never_commits(world, db_session):
    before = db.session.scalar(select(func.count()).select_from(AuditEntry))
    record(world.users.admin, "create", world.departments.a)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == before


def test_the_session_refuses_to_change_or_delete_an_entry(world):
    entry = record(world.users.admin, "create", world.departments.a, summary="原文")
    db.session.flush()
    entry.summary = "改过"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize("statement", ["update", "delete"])
def test_the_database_refuses_update_and_delete(world, statement):
    entry = record(world.users.admin, "create", world.departments.a, summary="原文")
    db.session.flush()
    stmt = (update(AuditEntry).where(AuditEntry.id == entry.id).values(summary="改过") if statement == "update"
            else delete(AuditEntry).where(AuditEntry.id == entry.id))
    savepoint = db.session.begin_nested()
    with pytest.raises(DatabaseError, match="append-only"):
        db.session.execute(stmt)
    savepoint.rollback()
    assert db.session.scalar(text("SELECT summary FROM audit_log WHERE id = :i"), {"i": entry.id}) == "原文"
