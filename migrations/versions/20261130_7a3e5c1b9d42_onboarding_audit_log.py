"""onboarding: audit log (append-only), authority administrators, first-login password change, posts

Issue 15 items 1, 2, 4 and 7. Departments can be retired (kept, offered no more); a person has a post. ``audit_log`` refuses UPDATE and DELETE by a trigger on PostgreSQL and
SQLite alike (app/admin_log.py, app/audit/models.py when written, holds the same statements for ``create_all``). The users' role
anchor admits ``authority_admin`` (anchored to its authority like inspectors); ``must_change_password``
marks a password an administrator chose.

Revision ID: 7a3e5c1b9d42
Revises: 7a3e5c9d1f20
Create Date: 2026-11-30 00:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7a3e5c1b9d42'
down_revision = '7a3e5c9d1f20'
branch_labels = None
depends_on = None

OLD_ANCHOR = ("(role IN ('enterprise_staff','enterprise_manager','enterprise_principal') AND enterprise_id IS NOT NULL"
              " AND authority_id IS NULL) OR (role IN ('inspector','supervisor') AND authority_id IS NOT NULL"
              " AND enterprise_id IS NULL) OR (role = 'admin' AND enterprise_id IS NULL AND authority_id IS NULL)")
# The same statements as app/admin_log.py, app/audit/models.py when written (frozen here: a revision does not follow later code).
PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = ("CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
              "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()")
SQLITE_TRIGGERS = tuple(
    f"CREATE TRIGGER audit_log_no_{op_.lower()} BEFORE {op_} ON audit_log "
    f"BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: {op_} refused'); END"
    for op_ in ("UPDATE", "DELETE"))
NEW_ANCHOR = OLD_ANCHOR.replace("('inspector','supervisor')", "('inspector','supervisor','authority_admin')")


def upgrade():
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(), nullable=True))

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('actor_address', sa.String(length=45), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('object_type', sa.String(length=32), nullable=False),
    sa.Column('object_id', sa.Integer(), nullable=True),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_action'), ['action'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_object', ['object_type', 'object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_region_id'), ['region_id'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('post_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_post_id'), ['post_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_post_id_departments'), 'departments', ['post_id'], ['id'])
        batch_op.drop_constraint(op.f('ck_users_role_anchor'), type_='check')
        batch_op.create_check_constraint('role_anchor', NEW_ANCHOR)


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_anchor'), type_='check')
        batch_op.create_check_constraint('role_anchor', OLD_ANCHOR)
        batch_op.drop_constraint(batch_op.f('fk_users_post_id_departments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_post_id'))
        batch_op.drop_column('post_id')
        batch_op.drop_column('must_change_password')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_region_id'))
        batch_op.drop_index('ix_audit_log_object')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_action'))
    op.drop_table('audit_log')
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
