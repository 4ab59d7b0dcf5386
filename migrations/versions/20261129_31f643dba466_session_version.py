"""session version: a per-user counter signed into session cookies

Logout, a password change and deactivation move it, so a session cookie captured before stops
working on the next request (issue 11, item 2). Existing users start at 0.

Revision ID: 31f643dba466
Revises: e81bb77de7b6
Create Date: 2026-11-29 21:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '31f643dba466'
down_revision = 'e81bb77de7b6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_version')
