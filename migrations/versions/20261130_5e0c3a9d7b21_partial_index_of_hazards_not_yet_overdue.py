"""partial index of the open hazards not yet marked overdue for their deadline (issue 18 item 4)

The scan's overdue step reads its candidates from this index: the open hazards whose current deadline
has no overdue event yet. The hundreds of thousands already recorded are not in it, so a second scan
the same day reads nothing. The predicate is the text of ``app.hazards.models.OVERDUE_UNRECORDED``
(the query uses the same text, so PostgreSQL proves the index applies); written out here because a
migration must not change when the model's code does. Building it on 1 000 000 hazards takes about a
second (it holds only the open rows not yet recorded).

Revision ID: 5e0c3a9d7b21
Revises: 174c74c6d452
Create Date: 2026-11-30 10:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e0c3a9d7b21'
down_revision = '174c74c6d452'
branch_labels = None
depends_on = None

PREDICATE = ("state IN ('pending_review', 'rectifying', 'reported') "
             "AND (overdue_recorded_for IS NULL OR overdue_recorded_for <> deadline)")


def upgrade():
    op.create_index("ix_hazards_overdue_unrecorded", "hazards", ["deadline"], unique=False,
                    postgresql_where=sa.text(PREDICATE), sqlite_where=sa.text(PREDICATE))


def downgrade():
    op.drop_index("ix_hazards_overdue_unrecorded", table_name="hazards")
