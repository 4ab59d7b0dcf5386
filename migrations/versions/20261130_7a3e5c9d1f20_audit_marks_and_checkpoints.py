"""audit marks and checkpoints: incremental ``audit verify``

Issue 18 item 5. Triggers mark every hazard whose row, events or evidence change (``audit_marks``);
``audit verify`` re-verifies only those, starting from a keyed checkpoint of a full verification
(``audit_checkpoints``). See app/hazards/checkpoints.py.

Revision ID: 7a3e5c9d1f20
Revises: 4c1d7e9a2b30
Create Date: 2026-11-30 00:40:00

"""
import sqlalchemy as sa
from alembic import op

from app.hazards.checkpoints import drop_trigger_ddl, trigger_ddl

# revision identifiers, used by Alembic.
revision = '7a3e5c9d1f20'
down_revision = '4c1d7e9a2b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'audit_marks',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('hazard_id', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_marks')),
    )
    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('verified_at', sa.DateTime(), nullable=False),
        sa.Column('full', sa.Boolean(), nullable=False),
        sa.Column('hazards_verified', sa.Integer(), nullable=False),
        sa.Column('events_total', sa.BigInteger(), nullable=False),
        sa.Column('key_id', sa.String(length=32), nullable=False),
        sa.Column('key_ids', sa.String(length=400), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    )
    for statement in trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade():
    for statement in drop_trigger_ddl(op.get_bind().dialect.name):
        op.execute(statement)
    op.drop_table('audit_checkpoints')
    op.drop_table('audit_marks')
