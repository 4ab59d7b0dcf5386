"""Demo data: every demo enterprise gets a drawn site plan, areas and 10–40 graded risk points."""

from __future__ import annotations

import io
import random

from app import storage
from app.cli import demo_step
from app.extensions import db
from app.risks import maps, service
from app.risks.models import SitePlan

AREAS = ["生产车间", "原料仓库", "成品库", "罐区", "配电室", "锅炉房", "办公楼", "装卸区"]
# (name, kind, factors, accident types, method, inputs, controls)
TEMPLATES = [
    ("液氯储罐", "equipment", ["2201", "2101"], ["19", "17"], "direct", {"rules": ["D3"]}),
    ("动火作业", "operation", ["2109", "1202"], ["08", "18"], "lec", {"L": 6, "E": 6, "C": 15}),
    ("受限空间作业", "operation", ["2202", "1203"], ["19"], "lec", {"L": 3, "E": 6, "C": 15}),
    ("高处作业", "operation", ["1202", "2102"], ["09"], "lec", {"L": 3, "E": 6, "C": 7}),
    ("行车吊装", "equipment", ["2101", "2108"], ["04"], "ls", {"L": 4, "S": 4}),
    ("配电柜检修", "operation", ["2103"], ["05"], "ls", {"L": 3, "S": 3}),
    ("叉车搬运", "equipment", ["2108", "1202"], ["02"], "mes", {"M": 3, "E": 6, "S": 4}),
    ("机床加工", "equipment", ["2102", "2108"], ["03"], "lec", {"L": 1, "E": 6, "C": 7}),
    ("化学品仓库", "place", ["2201"], ["08", "19"], "mes", {"M": 5, "E": 6, "S": 8}),
    ("办公区用电", "place", ["2103"], ["05", "08"], "ls", {"L": 2, "S": 2}),
    ("蒸汽管道", "equipment", ["2110"], ["07"], "lec", {"L": 3, "E": 3, "C": 7}),
    ("粉尘作业", "process", ["2202", "2201"], ["18"], "ls", {"L": 3, "S": 5}),
]
CONTROLS = {
    "engineering": ["设置安全防护装置并定期检测"],
    "management": ["执行作业许可制度", "每班巡回检查"],
    "training": ["岗前安全培训并考核合格"],
    "ppe": ["按规定佩戴劳动防护用品"],
    "emergency": ["发现异常立即停止作业并报告", "按现场处置方案处置"],
}


def draw_plan(seed: int, width: int = 1200, height: int = 800) -> tuple[bytes, list[tuple[str, list]]]:
    """A simple site plan (roads, buildings) with the boxes where the areas lie (relative coords)."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGB", (width, height), (245, 245, 238))
    d = ImageDraw.Draw(img)
    d.rectangle((20, 20, width - 20, height - 20), outline=(60, 60, 60), width=4)
    d.rectangle((0, height // 2 - 25, width, height // 2 + 25), fill=(200, 200, 200))
    d.rectangle((width // 2 - 25, 0, width // 2 + 25, height), fill=(200, 200, 200))
    boxes = []
    names = rnd.sample(AREAS, 4)
    cells = [(0.05, 0.05), (0.55, 0.05), (0.05, 0.57), (0.55, 0.57)]
    for name, (x, y) in zip(names, cells, strict=True):
        w, h = rnd.uniform(0.3, 0.38), rnd.uniform(0.28, 0.36)
        d.rectangle((x * width, y * height, (x + w) * width, (y + h) * height), fill=(225, 225, 215),
                    outline=(90, 90, 90), width=3)
        boxes.append((name, [[x, y], [x + w, y], [x + w, y + h], [x, y + h]]))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue(), boxes


@demo_step("risks")
def seed(ctx: dict) -> None:
    rnd = random.Random(4)
    for n, (key, enterprise) in enumerate(sorted(ctx.get("enterprises", {}).items())):
        manager = ctx["users"].get(f"{key}_manager")
        png, boxes = draw_plan(n)
        digest = storage.save(png)
        db.session.add(SitePlan(enterprise_id=enterprise.id, sha256=digest, mime="image/png", width=1200,
                                height=800, uploaded_by_id=manager.id if manager else None))
        depts = {d.name: d for d in enterprise.departments}
        areas = []
        for name, polygon in boxes:
            area = maps.create_area(enterprise, name)
            maps.set_polygon(area, polygon)
            areas.append((area, polygon))
        count = rnd.randint(10, 40)
        for i in range(count):
            # The first four cover every grade; the rest are drawn from the templates.
            name, kind, factors, accidents, method, inputs = TEMPLATES[[0, 2, 3, 9][i] if i < 4 else rnd.randrange(len(TEMPLATES))]
            area, poly = areas[i % len(areas)]
            point = service.create_point(enterprise, manager, {
                "name": f"{name}{i + 1:02d}", "area": area.name, "kind": kind, "hazard_factors": factors,
                "accident_types": accidents, "controls": CONTROLS, "consequences": "可能造成人员伤亡和财产损失",
                "responsible_department_id": rnd.choice(list(depts.values())).id if depts else None,
                "responsible_user_id": manager.id if manager else None,
            })
            xs, ys = [p[0] for p in poly], [p[1] for p in poly]
            maps.place_pin(point, rnd.uniform(min(xs) + 0.02, max(xs) - 0.02), rnd.uniform(min(ys) + 0.02, max(ys) - 0.02))
            service.assess(point, manager, method, inputs, note="演示数据")
    db.session.flush()
