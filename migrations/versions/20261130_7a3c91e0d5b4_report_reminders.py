"""handoffs: reminders of the periodic report (tiers of subject "report", the record of reminders sent)

The default tiers of the periodic report (region NULL) a fresh install needs are inserted here:
app/handoffs/models.py DEFAULT_TIERS (the "report" rows), copied (a migration does not import the app's
current code). Offsets are the operator's to change (/reminder-tiers); they are not legal periods.

Revision ID: 7a3c91e0d5b4
Revises: 1bdcc162e9fb
Create Date: 2026-11-30 04:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7a3c91e0d5b4'
down_revision = "1bdcc162e9fb"
branch_labels = None
depends_on = None

REPORT_TIERS = (
    ("report", -3, "responsible"), ("report", -1, "responsible"), ("report", 0, "responsible"),
    ("report", 3, "enterprise"), ("report", 7, "authority"),
)


def upgrade():
    op.create_table('reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=16), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('offset_days', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=16), nullable=True),
    sa.Column('recipients', sa.JSON(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
    sa.UniqueConstraint('subject', 'object_id', 'period', 'offset_days',
                        name=op.f('uq_reminders_sent_subject_object_id_period_offset_days'))
    )
    tiers = sa.table('reminder_tiers', sa.column('region_id', sa.Integer()), sa.column('subject', sa.String()),
                     sa.column('offset_days', sa.Integer()), sa.column('audience', sa.String()))
    op.bulk_insert(tiers, [{'region_id': None, 'subject': subject, 'offset_days': offset, 'audience': audience}
                           for subject, offset, audience in REPORT_TIERS])


def downgrade():
    op.execute("DELETE FROM reminder_tiers WHERE subject = 'report'")
    op.drop_table('reminders_sent')
