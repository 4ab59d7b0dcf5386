"""check pages and 包保 duties: duty templates (three lists, seeded with the cited items), duty tasks

Issue 13 item 5. The technical person's targeted check at least once a quarter and before holidays
(《危险化学品企业重大危险源安全包保责任制办法（试行）》第五条第（五）项); docs/duties.md.

Revision ID: b7d2c4e81f60
Revises: 7da2e722df05
Create Date: 2026-11-30 00:30:00

"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = 'b7d2c4e81f60'
down_revision = '7da2e722df05'  # after the check tables (the merger re-chains)
branch_labels = None
depends_on = None

MEASURES = "《危险化学品企业重大危险源安全包保责任制办法（试行）》（应急管理部，2021年2月）"


def upgrade():
    templates = op.create_table(
        'duty_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('citation', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('role'),
    )
    items = op.create_table(
        'duty_template_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('template_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=True),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('cycle', sa.Integer(), nullable=True),
        sa.Column('cycle_unit', sa.String(length=8), nullable=True),
        sa.Column('before_holidays', sa.Boolean(), nullable=False),
        sa.Column('lead_days', sa.Integer(), nullable=False),
        sa.Column('citation', sa.Text(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['template_id'], ['duty_templates.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('duty_template_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_template_items_template_id'), ['template_id'], unique=False)

    op.create_table(
        'duty_tasks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('measure_id', sa.Integer(), nullable=False),
        sa.Column('task_id', sa.Integer(), nullable=False),
        sa.Column('occasion', sa.Date(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['item_id'], ['duty_template_items.id']),
        sa.ForeignKeyConstraint(['measure_id'], ['control_measures.id']),
        sa.ForeignKeyConstraint(['object_id'], ['risk_objects.id']),
        sa.ForeignKeyConstraint(['task_id'], ['check_tasks.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('task_id'),
    )
    with op.batch_alter_table('duty_tasks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_tasks_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_tasks_measure_id'), ['measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duty_tasks_object_id'), ['object_id'], unique=False)

    op.bulk_insert(templates, [
        {"id": 1, "role": "principal", "citation": MEASURES + "第四条"},
        {"id": 2, "role": "technical", "citation": MEASURES + "第五条"},
        {"id": 3, "role": "operator", "citation": MEASURES + "第六条"},
    ])
    stamp = datetime(2026, 11, 30)
    op.bulk_insert(items, [
        {"id": 1, "template_id": 2, "number": None, "position": 1,
         "content": "每季度至少组织对重大危险源进行一次针对性安全风险隐患排查，制定管控措施和治理方案并监督落实",
         "cycle": 3, "cycle_unit": "month", "before_holidays": False, "lead_days": 7, "active": True,
         "citation": MEASURES + "第五条第（五）项", "updated_at": stamp},
        {"id": 2, "template_id": 2, "number": None, "position": 2,
         "content": "重大活动、重点时段和节假日前进行重大危险源安全风险隐患排查",
         "cycle": None, "cycle_unit": None, "before_holidays": True, "lead_days": 7, "active": True,
         "citation": MEASURES + "第五条第（五）项", "updated_at": stamp},
    ])
    if op.get_bind().dialect.name == "postgresql":  # explicit ids above: move the sequences past them
        op.execute("SELECT setval('duty_templates_id_seq', 3)")
        op.execute("SELECT setval('duty_template_items_id_seq', 2)")


def downgrade():
    with op.batch_alter_table('duty_tasks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_tasks_object_id'))
        batch_op.drop_index(batch_op.f('ix_duty_tasks_measure_id'))
        batch_op.drop_index(batch_op.f('ix_duty_tasks_item_id'))
    op.drop_table('duty_tasks')
    with op.batch_alter_table('duty_template_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_template_items_template_id'))
    op.drop_table('duty_template_items')
    op.drop_table('duty_templates')
