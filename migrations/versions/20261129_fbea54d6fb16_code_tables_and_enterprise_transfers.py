"""code tables a fresh install needs (industries), and enterprise transfers between regions

* Industries: 行业 is required on every enterprise, so a database made by ``db upgrade`` alone must
  hold the code table (it used to come from the demo, leaving a fresh install unable to create an
  enterprise). Rows are added by code when missing, so databases that have them already keep them.
  The list is frozen here as of this revision; later changes come as new revisions
  (``app/organisations/seed.py`` holds the current table, and a test keeps the two equal).
* ``enterprise_transfers``: moving an enterprise to another region is recorded (who, when, from,
  to, why) instead of silently rewriting its region.

Revision ID: fbea54d6fb16
Revises: dac2aba4157d
Create Date: 2026-11-29 21:25:18.939751

"""
from alembic import op
import sqlalchemy as sa

# Sectors named by the regional plans (reference/requirements.md §2.1), with stable codes.
INDUSTRIES = [
    ("hazardous_chemicals", "危险化学品"), ("coal_mine", "煤矿"), ("non_coal_mine", "非煤矿山"),
    ("fireworks", "烟花爆竹"), ("construction", "建筑施工"), ("civil_explosives", "民用爆炸物品"),
    ("special_equipment", "特种设备"), ("metallurgy", "冶金"), ("nonferrous", "有色"),
    ("building_materials", "建材"), ("machinery", "机械"), ("light_industry", "轻工"),
    ("textiles", "纺织"), ("tobacco", "烟草"), ("commerce", "商贸"), ("metal_smelting", "金属冶炼"),
    ("electric_power", "电力"), ("road_traffic", "道路交通"), ("railway", "铁路交通"),
    ("waterway", "水上交通"), ("civil_aviation", "民航运输"), ("agricultural_machinery", "农业机械"),
    ("fishing_vessels", "渔业船舶"), ("fire", "消防"), ("urban_operation", "城市运行安全"),
    ("ammonia_refrigeration", "涉氨制冷"), ("combustible_dust", "粉尘涉爆"),
    ("oil_gas_pipelines", "油气输送管道"), ("crowded_places", "人员密集场所"), ("tourism", "旅游"),
]

industries = sa.table("industries", sa.column("id", sa.Integer), sa.column("code", sa.String),
                      sa.column("name", sa.String))
enterprises = sa.table("enterprises", sa.column("industry_id", sa.Integer))


# revision identifiers, used by Alembic.
revision = 'fbea54d6fb16'
down_revision = 'dac2aba4157d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('enterprise_transfers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enterprise_id', sa.Integer(), nullable=False),
    sa.Column('from_region_id', sa.Integer(), nullable=False),
    sa.Column('to_region_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('transferred_by_id', sa.Integer(), nullable=False),
    sa.Column('transferred_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id'], name=op.f('fk_enterprise_transfers_enterprise_id_enterprises')),
    sa.ForeignKeyConstraint(['from_region_id'], ['regions.id'], name=op.f('fk_enterprise_transfers_from_region_id_regions')),
    sa.ForeignKeyConstraint(['to_region_id'], ['regions.id'], name=op.f('fk_enterprise_transfers_to_region_id_regions')),
    sa.ForeignKeyConstraint(['transferred_by_id'], ['users.id'], name=op.f('fk_enterprise_transfers_transferred_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enterprise_transfers'))
    )
    with op.batch_alter_table('enterprise_transfers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_enterprise_transfers_enterprise_id'), ['enterprise_id'], unique=False)

    # Data: the industries code table, by code, without duplicating rows a database already has.
    conn = op.get_bind()
    present = set(conn.execute(sa.select(industries.c.code)).scalars())
    missing = [{"code": code, "name": name} for code, name in INDUSTRIES if code not in present]
    if missing:
        op.bulk_insert(industries, missing)


def downgrade():
    # The code rows no enterprise uses go; those in use stay (their enterprises need them).
    op.execute(industries.delete().where(
        industries.c.code.in_([code for code, _name in INDUSTRIES]),
        industries.c.id.not_in(sa.select(enterprises.c.industry_id))))
    with op.batch_alter_table('enterprise_transfers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_enterprise_transfers_enterprise_id'))

    op.drop_table('enterprise_transfers')
