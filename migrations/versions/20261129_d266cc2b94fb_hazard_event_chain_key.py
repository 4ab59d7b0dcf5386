"""hazard event chain key: every event's hash becomes an HMAC with a key kept outside the database

Existing histories are re-chained: each hazard's unkeyed SHA-256 chain is verified first, and only an
intact chain is re-hashed with the current chain key (``app.integrity``), so that no forged history
is blessed. A chain found broken is left as it is (unkeyed): ``audit verify`` keeps reporting it.
Downgrading re-chains the other way (verified HMAC chains back to unkeyed SHA-256).

Revision ID: d266cc2b94fb
Revises: 192a6df2384c
Create Date: 2026-11-29 21:21:56.078526

"""
import hashlib
import hmac
import json
import logging

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'd266cc2b94fb'
down_revision = '192a6df2384c'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

hazards = sa.table("hazards", sa.column("id", sa.Integer), sa.column("chain_seq", sa.Integer),
                   sa.column("chain_hash", sa.String))
events = sa.table(
    "hazard_events", sa.column("id", sa.Integer), sa.column("hazard_id", sa.Integer),
    sa.column("seq", sa.Integer), sa.column("trigger", sa.String), sa.column("from_state", sa.String),
    sa.column("to_state", sa.String), sa.column("actor_id", sa.Integer), sa.column("actor_role", sa.String),
    sa.column("comment", sa.Text), sa.column("data", sa.JSON), sa.column("created_at", sa.DateTime),
    sa.column("prev_hash", sa.String), sa.column("key_id", sa.String), sa.column("hash", sa.String))


def _body(row, prev_hash, key_id, keyed):
    # Frozen copy of app.hazards.history.canonical (before and after this revision).
    body = {
        "hazard_id": row.hazard_id, "seq": row.seq, "trigger": row.trigger, "from_state": row.from_state,
        "to_state": row.to_state, "actor_id": row.actor_id, "actor_role": row.actor_role,
        "comment": row.comment or "", "data": row.data or {},
        "created_at": row.created_at.isoformat(timespec="milliseconds"), "prev_hash": prev_hash,
    }
    if keyed:
        body["key_id"] = key_id
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _legacy(row, prev_hash, _key_id, _secrets):
    return hashlib.sha256(_body(row, prev_hash, None, False)).hexdigest()


def _keyed(row, prev_hash, key_id, secrets):
    secret = secrets.get(key_id)
    if secret is None:
        return None
    return hmac.new(secret, _body(row, prev_hash, key_id, True), hashlib.sha256).hexdigest()


def _rechain(verify_with, rehash_with, new_key_id, secrets):
    conn = op.get_bind()
    heads = {r.id: (r.chain_seq, r.chain_hash) for r in conn.execute(sa.select(hazards))}
    rows = conn.execute(sa.select(events).order_by(events.c.hazard_id, events.c.seq)).all()
    by_hazard: dict = {}
    for row in rows:
        by_hazard.setdefault(row.hazard_id, []).append(row)
    broken = []
    for hazard_id, chain in by_hazard.items():
        prev, intact = None, True
        for expected, row in enumerate(chain, start=1):
            if row.seq != expected or row.prev_hash != prev or \
                    verify_with(row, prev, row.key_id, secrets) != row.hash:
                intact = False
                break
            prev = row.hash
        if not intact or heads.get(hazard_id) != (chain[-1].seq, prev):
            broken.append(hazard_id)
            continue
        prev = None
        for row in chain:
            new_hash = rehash_with(row, prev, new_key_id, secrets)
            conn.execute(events.update().where(events.c.id == row.id).values(
                prev_hash=prev, key_id=new_key_id, hash=new_hash))
            prev = new_hash
        conn.execute(hazards.update().where(hazards.c.id == hazard_id).values(chain_hash=prev))
    if broken:
        log.warning("hazard histories already broken, left as they were (audit verify reports them): %s",
                    ", ".join(map(str, sorted(broken))))


def _keys():
    from flask import current_app

    from app.integrity import chain_keys

    return chain_keys(current_app)


def upgrade():
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_id', sa.String(length=32), nullable=True))
    if op.get_bind().execute(sa.select(events.c.id).limit(1)).first() is None:
        return  # a fresh install: nothing to re-chain, no key needed yet
    keys = _keys()
    _rechain(_legacy, _keyed, keys.current_id, keys.secrets)


def downgrade():
    if op.get_bind().execute(sa.select(events.c.id).limit(1)).first() is not None:
        _rechain(_keyed, _legacy, None, _keys().secrets)
    with op.batch_alter_table('hazard_events', schema=None) as batch_op:
        batch_op.drop_column('key_id')
