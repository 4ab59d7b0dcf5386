"""``audit verify`` catches what someone with write access to the database (but not the chain key)
may do: edit a hazard's row, delete or swap evidence, rewrite an event and re-hash the chain with the
public algorithm, strip the key id; and a key rotation keeps old histories verifiable."""

from __future__ import annotations

import hashlib
import json
from datetime import date

import pytest
from sqlalchemy import delete, select, update

from app.extensions import db
from app.hazards import history
from app.hazards.models import Hazard, HazardAttachment, HazardEvent
from app.integrity import ChainKeyError, parse_keys
from tests.hazards.helpers import make_hazard


def _verify_cli(runner):
    return runner.invoke(args=["audit", "verify"])


def _chain(hazard_id):
    return db.session.scalars(select(HazardEvent).where(HazardEvent.hazard_id == hazard_id)
                              .order_by(HazardEvent.seq)).all()


def _rehash_publicly(hazard_id, *, key_id="keep"):
    """What an attacker without the key can do: recompute every hash with plain SHA-256 over the
    documented canonical form, and move the head on the hazard's row."""
    prev = None
    for event in _chain(hazard_id):
        if key_id != "keep":
            event.key_id = key_id
        event.prev_hash = prev
        event.hash = hashlib.sha256(history.canonical(event)).hexdigest()
        prev = event.hash
    db.session.execute(update(Hazard).where(Hazard.id == hazard_id).values(chain_hash=prev)
                       .execution_options(synchronize_session=False))
    db.session.commit()


def test_intact_histories_pass(world, runner):
    make_hazard(world, "closed")
    result = _verify_cli(runner)
    assert result.exit_code == 0, result.output
    assert "intact" in result.output


def test_hazard_row_edited_to_closed_is_caught(world, runner):
    h = make_hazard(world, "rectifying")
    db.session.execute(update(Hazard).where(Hazard.id == h.id).values(state="closed")
                       .execution_options(synchronize_session=False))
    db.session.commit()
    result = _verify_cli(runner)
    assert result.exit_code == 1
    assert f"ALTERED hazard {h.id}" in result.output and "state is 'closed'" in result.output


@pytest.mark.parametrize("column, value", [("deadline", date(2020, 1, 1)), ("level", "major"),
                                           ("responsible_user_id", None), ("title", "别的隐患")])
def test_hazard_row_fields_edited_are_caught(world, column, value):
    h = make_hazard(world, "rectifying")
    db.session.execute(update(Hazard).where(Hazard.id == h.id).values({column: value})
                       .execution_options(synchronize_session=False))
    db.session.commit()
    assert column in history.verify()[h.id]


def test_enterprise_moved_in_the_row_is_caught(world):
    h = make_hazard(world)
    db.session.execute(update(Hazard).where(Hazard.id == h.id).values(enterprise_id=world.enterprises.b.id)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    assert "enterprise_id" in history.verify()[h.id]


def test_deleted_evidence_is_caught(world, runner):
    h = make_hazard(world, "pending_review")
    after = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id,
                                                              HazardAttachment.kind == "after")).one()
    db.session.execute(delete(HazardAttachment).where(HazardAttachment.id == after.id))
    db.session.commit()
    result = _verify_cli(runner)
    assert result.exit_code == 1
    assert f"evidence #{after.id}" in result.output and "deleted" in result.output


def test_swapped_or_smuggled_evidence_is_caught(world):
    h = make_hazard(world, "pending_review")
    other = make_hazard(world)
    row = db.session.scalars(select(HazardAttachment).where(HazardAttachment.hazard_id == h.id)).first()
    db.session.execute(update(HazardAttachment).where(HazardAttachment.id == row.id)
                       .values(sha256="0" * 64).execution_options(synchronize_session=False))
    db.session.commit()
    assert "is not the file the history recorded" in history.verify()[h.id]
    # An attachment moved to another hazard: gone from the first, unrecorded on the second.
    db.session.execute(update(HazardAttachment).where(HazardAttachment.id == row.id)
                       .values(hazard_id=other.id).execution_options(synchronize_session=False))
    db.session.commit()
    problems = history.verify()
    assert "deleted" in problems[h.id] and "not recorded in the history" in problems[other.id]


def test_event_rewritten_and_rehashed_with_the_public_algorithm_is_caught(world, runner):
    h = make_hazard(world, "closed")
    accept = _chain(h.id)[-1]
    accept.comment = "不合格也放行"
    db.session.commit()
    _rehash_publicly(h.id)
    result = _verify_cli(runner)
    assert result.exit_code == 1
    assert "event #1 was altered" in result.output


def test_unsigned_history_is_caught(world):
    """Stripping the key ids (a "legacy" chain) does not make a re-hashed history acceptable."""
    h = make_hazard(world, "closed")
    _rehash_publicly(h.id, key_id=None)
    assert history.verify()[h.id] == "event #1 is not signed with a chain key"


def test_rehash_with_a_guessed_key_is_caught(world):
    import hmac

    h = make_hazard(world)
    prev = None
    for event in _chain(h.id):
        event.prev_hash = prev
        event.hash = hmac.new(b"x" * 32, history.canonical(event), hashlib.sha256).hexdigest()
        prev = event.hash
    db.session.execute(update(Hazard).where(Hazard.id == h.id).values(chain_hash=prev)
                       .execution_options(synchronize_session=False))
    db.session.commit()
    assert history.verify()[h.id] == "event #1 was altered"


def test_event_data_rewritten_to_match_an_edited_row_is_caught(world):
    """Editing the row AND the event that set the field (without the key) is still seen."""
    h = make_hazard(world, "rectifying")
    confirm = next(e for e in _chain(h.id) if e.trigger == "confirm")
    confirm.data = {**confirm.data, "deadline": "2030-01-01"}
    db.session.execute(update(Hazard).where(Hazard.id == h.id).values(deadline=date(2030, 1, 1))
                       .execution_options(synchronize_session=False))
    db.session.commit()
    assert "was altered" in history.verify()[h.id]


def test_key_rotation_keeps_old_histories_verifiable(app, world, runner):
    old_keys = history.chain_keys()
    old_id = old_keys.current_id
    first = make_hazard(world)
    old_text = f"{old_id}:{old_keys.secrets[old_id].decode()}"
    new_text = "k2026b:" + "n" * 64
    try:
        app.extensions["shuangkong_chain_keys"] = parse_keys(f"{new_text},{old_text}", "test")
        second = make_hazard(world)
        assert {e.key_id for e in _chain(second.id)} == {"k2026b"}
        assert {e.key_id for e in _chain(first.id)} == {old_id}
        assert _verify_cli(runner).exit_code == 0
        # The retired key removed too early: the old histories cannot be verified, and it says why.
        app.extensions["shuangkong_chain_keys"] = parse_keys(new_text, "test")
        result = _verify_cli(runner)
        assert result.exit_code == 1 and "not configured" in result.output
        assert f"hazard {second.id} " not in result.output
    finally:
        app.extensions["shuangkong_chain_keys"] = old_keys


@pytest.mark.parametrize("text", ["short:abc", "no-colon" + "x" * 40, "bad id:" + "x" * 40,
                                  f"a:{'x' * 40},a:{'y' * 40}", ""])
def test_bad_key_configuration_is_refused_with_a_reason(text):
    with pytest.raises(ChainKeyError):
        parse_keys(text, "SHUANGKONG_CHAIN_KEY")


def test_key_comes_from_the_environment_or_the_instance_file(tmp_path):
    from app.integrity import chain_keys
    from tests.conftest import make_app

    app = make_app({"CHAIN_KEY": "env1:" + "e" * 40})
    assert chain_keys(app).current_id == "env1"
    key_file = tmp_path / "chain.key"
    app = make_app({"CHAIN_KEY_FILE": str(key_file)})
    keys = chain_keys(app)
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert parse_keys(key_file.read_text(), "file") == keys
    # The key is never stored in the database: no event carries more than its id.
    assert json.dumps([c.name for c in HazardEvent.__table__.columns]).count("key") == 1


def test_ids_given_as_text_are_recorded_as_the_row_keeps_them(world):
    """A department id arriving as text (a form) is stored as a number: the row and the history agree."""
    from app.hazards import service

    h = make_hazard(world)
    service.fire(h.id, "confirm", world.users.manager, level="general", deadline=service.deadline_days(3),
                 responsible_user_id=world.users.staff.id, measures="x",
                 responsible_department_id=str(world.users.staff.department_id or ""))
    db.session.commit()
    assert history.verify() == {}


def test_hazard_deleted_with_its_whole_history_is_caught(world, runner):
    """No chain is left to break, but hazard codes are gap-free per enterprise and year."""
    first = make_hazard(world, "pending_review")
    make_hazard(world)
    code = first.code
    for table in db.metadata.sorted_tables:  # everything that refers to it goes too
        for fk in table.foreign_keys:
            if fk.column.table.name == "hazards" and table.name != "hazards":
                db.session.execute(delete(table).where(fk.parent == first.id))
    db.session.execute(delete(Hazard).where(Hazard.id == first.id))
    db.session.commit()
    assert history.verify() == {}  # every remaining chain is intact...
    result = _verify_cli(runner)
    assert result.exit_code == 1  # ...but the hole in the codes is reported
    assert f"MISSING hazard {code} ({world.enterprises.a.name})" in result.output


def test_verify_reads_plain_rows_in_bounded_ranges(world):
    """``audit verify`` builds no ORM object per event and works range by range of hazard ids: with one
    id per range it still finds the altered hazard and nothing else (issue 18 item 5)."""
    from sqlalchemy import event as sa_event

    ids = [make_hazard(world, state="rectifying").id for _ in range(3)]
    db.session.commit()
    db.session.execute(update(Hazard).where(Hazard.id == ids[1]).values(title="改过的标题"))
    db.session.commit()
    db.session.expunge_all()
    loaded = []

    def on_load(target, _context):
        loaded.append(target)

    sa_event.listen(HazardEvent, "load", on_load)
    try:
        problems = history.verify(batch=1)
    finally:
        sa_event.remove(HazardEvent, "load", on_load)
    assert loaded == []
    assert set(problems) == {ids[1]}
    assert "title" in problems[ids[1]]
