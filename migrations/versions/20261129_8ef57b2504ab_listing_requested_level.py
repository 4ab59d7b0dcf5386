"""listing requested level: a proposal routed to the nearest authority keeps the level its rule asked for

Where no authority exists at a rule's level (a county-only deployment has no city authority), the
proposal goes to the nearest authority the routing allows; the listing says so (and why) with the
level the rule asked for. Existing listings were all made at their rule's level: NULL.

Revision ID: 8ef57b2504ab
Revises: 31f643dba466
Create Date: 2026-11-29 21:28:12.940745

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ef57b2504ab'
down_revision = '31f643dba466'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('requested_level', sa.Enum(
            'province', 'city', 'county', 'town', name='regionlevel', native_enum=False, length=32), nullable=True))


def downgrade():
    with op.batch_alter_table('listings', schema=None) as batch_op:
        batch_op.drop_column('requested_level')
