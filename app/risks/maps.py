"""The four-colour map (四色分布图): site plan, placements, colours by the highest effective grade.

Coordinates are relative (0..1 of the plan's width and height) so the plan can be shown at any size.
"""

from __future__ import annotations

import io
from collections import Counter

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import access, storage
from app.auth.models import User
from app.errors import Invalid, NotFound
from app.extensions import db
from app.organisations.models import Enterprise
from app.paging import page_of_list
from app.risks import service
from app.risks.models import RiskArea, RiskPoint, RiskPointStatus, RiskSummary, SitePlan
from workflows.grades import COLOURS, Grade, stricter

GRADES = (Grade.red, Grade.orange, Grade.yellow, Grade.blue)


def site_plan(enterprise_id: int) -> SitePlan | None:
    return db.session.scalar(select(SitePlan).where(SitePlan.enterprise_id == enterprise_id))


def save_site_plan(actor: User, enterprise: Enterprise | int, data: bytes, filename: str) -> SitePlan:
    enterprise = service.enterprise_for_edit(actor, enterprise)
    checked = storage.check_upload(data, filename, allow_pdf=False, field_name="plan")
    if checked.mime not in ("image/png", "image/jpeg"):
        raise Invalid(fields={"plan": _("The site plan must be a PNG or JPEG image.")})
    digest = storage.save(checked.data)
    plan = site_plan(enterprise.id) or SitePlan(enterprise_id=enterprise.id)
    plan.sha256, plan.mime = digest, checked.mime
    plan.width, plan.height = checked.width, checked.height
    plan.uploaded_by_id = actor.id
    db.session.add(plan)
    db.session.flush()
    return plan


def _coord(value, field: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise Invalid(fields={field: _("A position on the plan is expected.")}) from None
    if not 0 <= v <= 1:
        raise Invalid(fields={field: _("The position must lie on the plan.")})
    return round(v, 5)


def place(actor: User, enterprise: Enterprise | int, kind, ident, **where) -> None:
    """Place a pin (``x``, ``y``) or an area (``polygon``) of ``enterprise`` on its site plan."""
    enterprise = service.enterprise_for_edit(actor, enterprise)
    if kind == "pin":
        point = service.visible_point(actor, ident)
        if point.enterprise_id != enterprise.id:
            raise NotFound()
        place_pin(point, where.get("x"), where.get("y"))
    elif kind == "area":
        area = db.session.get(RiskArea, ident or 0)
        if area is None or area.enterprise_id != enterprise.id:
            raise NotFound()
        set_polygon(area, where.get("polygon"))
    else:
        raise Invalid(fields={"type": _("Place a pin or an area.")})


def place_pin(point: RiskPoint, x, y) -> None:
    if x is None and y is None:
        point.pin_x = point.pin_y = None
        return
    point.pin_x, point.pin_y = _coord(x, "x"), _coord(y, "y")


def set_polygon(area: RiskArea, points) -> None:
    if points is None:
        area.polygon = None
        return
    if not isinstance(points, list) or len(points) < 3 or not all(
            isinstance(p, list | tuple) and len(p) == 2 for p in points):
        raise Invalid(fields={"polygon": _("An area needs at least three corners.")})
    area.polygon = [[_coord(x, "polygon"), _coord(y, "polygon")] for x, y in points]


def create_area(actor: User, enterprise: Enterprise | int, name: str) -> RiskArea:
    enterprise = service.enterprise_for_edit(actor, enterprise)
    name = (name or "").strip()
    if not name:
        raise Invalid(fields={"name": _("The name is required.")})
    if len(name) > 128:
        raise Invalid(fields={"name": _("At most %(n)s characters.", n=128)})
    if db.session.scalar(select(RiskArea.id).where(RiskArea.enterprise_id == enterprise.id, RiskArea.name == name)):
        raise Invalid(fields={"name": _("An area with this name exists already.")})
    area = RiskArea(enterprise_id=enterprise.id, name=name)
    db.session.add(area)
    db.session.flush()
    return area


def map_data(enterprise: Enterprise) -> dict:
    """Plain data for the map page and the PDF: areas and pins with their colours, legend counts."""
    points = list(db.session.scalars(select(RiskPoint).where(
        RiskPoint.enterprise_id == enterprise.id, RiskPoint.status == RiskPointStatus.active)
        .order_by(RiskPoint.area, RiskPoint.name)))
    areas = list(db.session.scalars(select(RiskArea).where(RiskArea.enterprise_id == enterprise.id)
                                    .order_by(RiskArea.name)))
    by_area: dict[int, list[RiskPoint]] = {}
    for p in points:
        if p.area_id:
            by_area.setdefault(p.area_id, []).append(p)
    area_rows = []
    for a in areas:
        grade = stricter(*(p.effective_grade for p in by_area.get(a.id, [])))
        area_rows.append({"id": a.id, "name": a.name, "polygon": a.polygon, "grade": grade.value if grade else None,
                          "colour": COLOURS[grade] if grade else "#9aa5b1", "points": len(by_area.get(a.id, []))})
    pins = [{"id": p.id, "name": p.name, "area": p.area, "x": p.pin_x, "y": p.pin_y,
             "grade": p.effective_grade.value if p.effective_grade else None,
             "colour": COLOURS[p.effective_grade] if p.effective_grade else "#9aa5b1"} for p in points]
    counts = Counter(p.effective_grade for p in points)
    highest = stricter(*counts.keys())
    return {
        "areas": area_rows,
        "pins": pins,
        "counts": {g.value: counts.get(g, 0) for g in GRADES},
        "unassessed": counts.get(None, 0),
        "total": len(points),
        "highest": highest.value if highest else None,
    }


def composite_png(plan: SitePlan | None, data: dict, max_width: int = 2400) -> bytes | None:
    """The plan with areas filled and pins drawn (for print: no SVG/JS needed in the PDF)."""
    if plan is None:
        return None
    from PIL import Image, ImageDraw, ImageFont  # lazy: only for images

    with Image.open(io.BytesIO(storage.load(plan.sha256))) as src:
        img = src.convert("RGBA")
    if img.width > max_width:
        img = img.resize((max_width, round(img.height * max_width / img.width)))
    w, h = img.size
    overlay = Image.new("RGBA", img.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for area in data["areas"]:
        if area["polygon"]:
            pts = [(x * w, y * h) for x, y in area["polygon"]]
            rgb = _rgb(area["colour"])
            draw.polygon(pts, fill=rgb + (110,), outline=rgb + (255,), width=max(2, w // 400))
    label_font = _font(max(14, w // 60))
    for area in data["areas"]:
        if area["polygon"] and label_font is not None:
            cx = sum(x for x, _y in area["polygon"]) / len(area["polygon"]) * w
            top = min(y for _x, y in area["polygon"]) * h
            draw.text((cx, top + 4), area["name"], fill=(0, 0, 0, 255), font=label_font, anchor="ma",
                      stroke_width=2, stroke_fill=(255, 255, 255, 255))
    number_font = ImageFont.load_default(size=max(12, w // 90))
    radius = max(6, w // 120)
    for n, pin in enumerate(p for p in data["pins"] if p["x"] is not None):
        cx, cy = pin["x"] * w, pin["y"] * h
        draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=_rgb(pin["colour"]) + (255,),
                     outline=(0, 0, 0, 255), width=2)
        pin["number"] = n + 1
        draw.text((cx + radius + 2, cy - radius), str(n + 1), fill=(0, 0, 0, 255), font=number_font,
                  stroke_width=2, stroke_fill=(255, 255, 255, 255))
    out = Image.alpha_composite(img, overlay).convert("RGB")
    buf = io.BytesIO()
    out.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


def _font(size: int):
    """A CJK font for area names on the printed plan (Noto Sans CJK from fonts-noto-cjk), else None."""
    from PIL import ImageFont  # lazy: only for images

    for path in ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
                 "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"):
        try:
            return ImageFont.truetype(path, size, index=2)  # index 2: the SC (simplified Chinese) face
        except OSError:
            continue
    return None


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


# --- region view -------------------------------------------------------------------------------

def region_summary(user: User, page: int = 1, per_page: int = 50, only_grade: str | None = None) -> dict:
    """Enterprises the user may see, with the highest effective grade and counts per grade.

    Reads the per-enterprise counts kept by ``app.risks.summary`` (one small row per enterprise), so
    the cost grows with the number of enterprises, not of risk points; ranking and paging a few
    thousand rows of integers in Python is cheap.
    """
    names = [g.value for g in GRADES]
    keys = names + ["none"]
    cols = [func.coalesce(getattr(RiskSummary, k), 0) for k in names + ["unassessed"]]
    rows = db.session.execute(
        select(Enterprise.id, Enterprise.name, *cols)
        .outerjoin(RiskSummary, RiskSummary.enterprise_id == Enterprise.id)
        .where(access.enterprise_condition(Enterprise.id, user))
    ).all()
    totals = dict.fromkeys(keys, 0)
    by_grade: Counter = Counter()
    ranked = []
    for row in rows:
        counts = dict(zip(keys, row[2:], strict=True))
        rank = next((i for i, k in enumerate(names) if counts[k]), len(names))
        for k in keys:
            totals[k] += counts[k]
        highest = names[rank] if rank < len(names) else None
        # Figure "enterprises_with_grade" (workflows.figures): enterprises with at least one point of
        # the grade, whatever their highest; the grade filter lists the same enterprises.
        for k in names:
            if counts[k]:
                by_grade[k] += 1
        if only_grade in names and not counts[only_grade]:
            continue
        ranked.append((rank, -counts["red"], row[1], row[0], highest, counts))
    ranked.sort()
    one = page_of_list(ranked, page, per_page)
    items = [{"id": ent_id, "name": name, "highest": highest, "counts": counts, "total": sum(counts.values())}
             for _r, _red, name, ent_id, highest, counts in one.items]
    return {"items": items, "total": one.total, "page": one.page, "per_page": one.per_page,
            "pages": one.pages, "totals": totals, "enterprises_by_grade": dict(by_grade)}
