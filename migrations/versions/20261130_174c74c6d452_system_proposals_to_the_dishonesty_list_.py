"""system proposals to the dishonesty list, inspections started from public reports (issue 19)

dishonesty_entries: proposed_by_id may be NULL (the scan proposes from the system's own facts) and
source_record_id names the credit record it proposed from (unique: once per fact). public_reports:
inspection_id, the inspection started from the report (linked both ways).

Revision ID: 174c74c6d452
Revises: 8d1f0a6b3c2e
Create Date: 2026-11-30 04:49:08.300315

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '174c74c6d452'
down_revision = "8d1f0a6b3c2e"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('dishonesty_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_record_id', sa.Integer(), nullable=True))
        batch_op.alter_column('proposed_by_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_unique_constraint(batch_op.f('uq_dishonesty_entries_source_record_id'), ['source_record_id'])
        batch_op.create_foreign_key(batch_op.f('fk_dishonesty_entries_source_record_id_credit_records'), 'credit_records', ['source_record_id'], ['id'])

    with op.batch_alter_table('public_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inspection_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_public_reports_inspection_id'), ['inspection_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_public_reports_inspection_id_inspections'), 'inspections', ['inspection_id'], ['id'])



def downgrade():
    with op.batch_alter_table('public_reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_public_reports_inspection_id_inspections'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_public_reports_inspection_id'))
        batch_op.drop_column('inspection_id')

    with op.batch_alter_table('dishonesty_entries', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_dishonesty_entries_source_record_id_credit_records'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_dishonesty_entries_source_record_id'), type_='unique')
        batch_op.alter_column('proposed_by_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('source_record_id')

