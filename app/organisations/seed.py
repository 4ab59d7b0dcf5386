"""Reference data that every installation needs: the industry code table.

A database gets it from the migrations (revision fbea54d6fb16 inserts these rows), so a fresh
install can create enterprises without the demo; ``ensure_industries`` only looks the rows up by
code and adds what is missing (for databases made with ``create_all``, as the tests do), so the
demo and a migrated database never hold two rows of one code. A change of this table needs a new
revision too: ``tests/test_migrations.py`` keeps the migrated table equal to this one.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.organisations.models import Industry

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


def ensure_industries() -> dict[str, Industry]:
    """The industries by code; missing codes are added (never a second row of a code)."""
    existing = {i.code: i for i in db.session.scalars(select(Industry))}
    for code, name in INDUSTRIES:
        if code not in existing:
            existing[code] = Industry(code=code, name=name)
            db.session.add(existing[code])
    db.session.flush()
    return existing
