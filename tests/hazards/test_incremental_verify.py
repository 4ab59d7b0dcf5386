"""``audit verify`` after a full verification re-reads only what changed, and still catches tampering:
rows and events edited with SQL (the database's triggers mark them), events deleted with their marks,
hazards deleted, checkpoints forged (issue 18 item 5)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update

from app.extensions import db
from app.hazards import checkpoints, history
from app.hazards.checkpoints import AuditCheckpoint, AuditMark
from app.hazards.models import Hazard, HazardEvent
from app.integrity import chain_keys
from tests.hazards.helpers import make_hazard


def _verify(runner, *args):
    return runner.invoke(args=["audit", "verify", *args])


def _sql(statement):
    db.session.execute(statement.execution_options(synchronize_session=False))
    db.session.commit()


def test_first_run_is_full_then_only_changes_are_reread(world, runner):
    for state in ("closed", "rectifying", "reported"):
        make_hazard(world, state)
    first = _verify(runner)
    assert first.exit_code == 0, first.output
    assert "no full verification to start from" in first.output
    assert db.session.scalar(select(func.count()).select_from(AuditMark)) == 0  # cleared by the clean run
    checkpoint = db.session.scalars(select(AuditCheckpoint)).one()
    assert checkpoint.full and checkpoint.hazards_verified == 3

    second = _verify(runner)
    assert second.exit_code == 0, second.output
    assert "0 hazards changed since the last verification" in second.output
    assert "intact" in second.output

    make_hazard(world, "pending_review")  # a day's work: one new hazard taken through three steps
    third = _verify(runner)
    assert third.exit_code == 0, third.output
    assert "1 hazards changed since the last verification" in third.output


def test_row_edited_with_sql_after_a_full_run_is_caught_incrementally(world, runner):
    h = make_hazard(world, "rectifying")
    other = make_hazard(world, "closed")
    assert _verify(runner).exit_code == 0
    _sql(update(Hazard).where(Hazard.id == h.id).values(state="closed"))
    result = _verify(runner)
    assert result.exit_code == 1
    assert "1 hazards changed" in result.output
    assert f"ALTERED hazard {h.id}" in result.output and f"hazard {other.id} " not in result.output
    # Nothing was cleared and no checkpoint written: the next run finds it again.
    assert _verify(runner).exit_code == 1
    assert db.session.scalar(select(func.count()).select_from(AuditCheckpoint)) == 1


def test_event_rewritten_with_sql_is_caught_incrementally(world, runner):
    h = make_hazard(world, "closed")
    assert _verify(runner).exit_code == 0
    _sql(update(HazardEvent).where(HazardEvent.hazard_id == h.id, HazardEvent.trigger == "accept")
         .values(comment="改过的意见"))
    result = _verify(runner)
    assert result.exit_code == 1 and f"ALTERED hazard {h.id}" in result.output


def test_event_deleted_with_its_marks_is_still_caught(world, runner):
    """Someone who also deletes the marks: the events no longer add up to the hazards' chains."""
    h = make_hazard(world, "closed")
    assert _verify(runner).exit_code == 0
    last = db.session.scalar(select(func.max(HazardEvent.seq)).where(HazardEvent.hazard_id == h.id))
    _sql(delete(HazardEvent).where(HazardEvent.hazard_id == h.id, HazardEvent.seq == last))
    _sql(delete(AuditMark))
    result = _verify(runner)
    assert result.exit_code == 1
    assert "events were deleted or inserted" in result.output
    assert h.id in history.verify()  # the full verification names the hazard


def test_hazard_deleted_with_its_history_is_missing(world, runner):
    h = make_hazard(world, "reported")
    make_hazard(world, "reported")
    assert _verify(runner).exit_code == 0
    hazard_id, code = h.id, h.code
    for table in db.metadata.sorted_tables:  # everything that refers to it goes too
        for fk in table.foreign_keys:
            if fk.column.table.name == "hazards" and table.name != "hazards":
                db.session.execute(delete(table).where(fk.parent == hazard_id))
    _sql(delete(Hazard).where(Hazard.id == hazard_id))
    result = _verify(runner)
    assert result.exit_code == 1
    assert f"MISSING hazard {code}" in result.output


def test_forged_checkpoint_is_reported_and_not_trusted(world, runner):
    h = make_hazard(world, "rectifying")
    _sql(update(Hazard).where(Hazard.id == h.id).values(state="closed"))
    _sql(delete(AuditMark))  # the attacker hides his change and forges a checkpoint to skip the full run
    db.session.add(AuditCheckpoint(full=True, hazards_verified=1, events_total=1, key_id="test", mac="0" * 64))
    db.session.commit()
    result = _verify(runner)
    assert result.exit_code == 1
    assert "FORGED checkpoint" in result.output
    assert "no full verification to start from" in result.output  # the forged one was not trusted
    assert f"ALTERED hazard {h.id}" in result.output


def test_full_flag_verifies_everything(world, runner):
    h = make_hazard(world, "rectifying")
    assert _verify(runner).exit_code == 0
    _sql(update(Hazard).where(Hazard.id == h.id).values(title="改过"))
    _sql(delete(AuditMark))
    assert _verify(runner).exit_code == 0  # the incremental run trusts the marks (docs/operations.md)
    result = _verify(runner, "--full")
    assert result.exit_code == 1 and f"ALTERED hazard {h.id}" in result.output


def test_checkpoint_signature_covers_its_fields(world, runner):
    make_hazard(world, "closed")
    assert _verify(runner).exit_code == 0
    _sql(update(AuditCheckpoint).values(hazards_verified=999))
    assert checkpoints.forged(chain_keys()) != []
