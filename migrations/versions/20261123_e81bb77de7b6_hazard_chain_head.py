"""hazard chain head: the last event's number and hash kept on the hazard's row

Appending an event no longer needs a query for the chain head, and ``audit verify`` can tell when
events were cut off the end of a chain. Existing hazards take the head from their events.

Revision ID: e81bb77de7b6
Revises: 92af91ecfa86
Create Date: 2026-11-23 01:20:38.077996

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e81bb77de7b6'
down_revision = '92af91ecfa86'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chain_seq', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('chain_hash', sa.String(length=64), nullable=True))
    # Plain SQL that both SQLite and PostgreSQL run: the head is each hazard's last event.
    op.execute(
        "UPDATE hazards SET "
        "chain_seq = COALESCE((SELECT MAX(e.seq) FROM hazard_events e WHERE e.hazard_id = hazards.id), 0), "
        "chain_hash = (SELECT e.hash FROM hazard_events e WHERE e.hazard_id = hazards.id "
        "ORDER BY e.seq DESC LIMIT 1)"
    )


def downgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_column('chain_hash')
        batch_op.drop_column('chain_seq')
