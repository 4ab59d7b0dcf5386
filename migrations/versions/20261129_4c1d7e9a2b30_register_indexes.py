"""register indexes: scoped composite indexes for the hazard register, trigram search on PostgreSQL

Issue 18 items 1 and 6. The enterprise-first indexes let every scoped page (an enterprise, a
district, a city) read only the rows it shows; ``ix_hazards_enterprise_id`` is a prefix of
``ix_hazards_enterprise_id_id`` and goes. On PostgreSQL the text search gets a GIN trigram index,
which needs the ``pg_trgm`` extension (shipped with PostgreSQL's contrib; creating it needs a role
allowed to, see docs/hazards.md). SQLite has no trigram index: its search stays a scan.

Revision ID: 4c1d7e9a2b30
Revises: fbea54d6fb16
Create Date: 2026-11-29 22:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '4c1d7e9a2b30'
down_revision = 'fbea54d6fb16'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index('ix_hazards_enterprise_id_id', ['enterprise_id', 'id'], unique=False)
        batch_op.create_index('ix_hazards_enterprise_level_id', ['enterprise_id', 'level', 'id'], unique=False)
        batch_op.create_index('ix_hazards_enterprise_created_at', ['enterprise_id', 'created_at'], unique=False)
        batch_op.create_index('ix_hazards_enterprise_risk_point', ['enterprise_id', 'risk_point_id'],
                              unique=False)
        batch_op.create_index('ix_hazards_level', ['level'], unique=False)
        batch_op.drop_index('ix_hazards_enterprise_id')
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index('ix_hazards_search_trgm', 'hazards', ['title', 'code', 'location'], unique=False,
                        postgresql_using='gin',
                        postgresql_ops={'title': 'gin_trgm_ops', 'code': 'gin_trgm_ops',
                                        'location': 'gin_trgm_ops'})


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index('ix_hazards_search_trgm', table_name='hazards')
        # The extension stays: other objects of the database may use it.
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.create_index('ix_hazards_enterprise_id', ['enterprise_id'], unique=False)
        batch_op.drop_index('ix_hazards_level')
        batch_op.drop_index('ix_hazards_enterprise_risk_point')
        batch_op.drop_index('ix_hazards_enterprise_created_at')
        batch_op.drop_index('ix_hazards_enterprise_level_id')
        batch_op.drop_index('ix_hazards_enterprise_id_id')
