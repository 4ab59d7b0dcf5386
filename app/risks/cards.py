"""The post risk notification card (岗位安全风险告知卡, domain.md §3.8) as plain data for print and web.

``card_context(point)`` is the one builder: the PDF template ``reports/templates/risk_card.html``,
the public card page and the documents feature (issuing numbered cards) all use it.
"""

from __future__ import annotations

from sqlalchemy import select

from app import ui
from app.clock import today
from app.extensions import db
from app.organisations.models import Authority, Region
from app.risks.models import RiskPoint
from workflows.grades import COLOURS
from workflows.risk_codes import ACCIDENT_TYPES, CONTROL_CATEGORY_NAMES, HAZARD_FACTORS, ControlCategory

GRADE_NAMES = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}
EMERGENCY_NUMBERS = [("火警", "119"), ("急救", "120"), ("报警", "110")]


def public_url(point: RiskPoint) -> str:
    return ui.public_url("risks_public.card", token=point.card_token)


def _regulator(point: RiskPoint) -> dict | None:
    """The nearest authority above the enterprise's region (its county or city 应急管理局)."""
    region = point.enterprise.region
    ids = [int(i) for i in region.path.strip("/").split("/") if i] if region.path else [region.id]
    authorities = db.session.scalars(select(Authority).join(Region, Authority.region_id == Region.id)
                                     .where(Authority.region_id.in_(ids))).all()
    if not authorities:
        return None
    best = max(authorities, key=lambda a: ids.index(a.region_id))
    return {"name": best.name, "phone": best.phone}


def card_context(point: RiskPoint, *, card_no: str | None = None, fill_date=None) -> dict:
    """Everything the card shows, as plain data (no ORM objects)."""
    grade = point.effective_grade
    controls = point.controls or {}
    measures = [{"category": c.value, "name": CONTROL_CATEGORY_NAMES[c], "items": list(controls.get(c.value, []))}
                for c in ControlCategory if c != ControlCategory.emergency and controls.get(c.value)]
    user = point.responsible_user
    internal = point.enterprise.safety_manager_phone
    numbers = list(EMERGENCY_NUMBERS) + ([("企业安全管理", internal)] if internal else [])
    day = fill_date or today()
    return {
        "card_no": card_no or f"FXK-{point.enterprise_id:04d}-{point.id:05d}",
        "fill_date": day.isoformat(),
        "enterprise_name": point.enterprise.name,
        "post_name": point.name,
        "risk_point_id": point.id,
        "area": point.area,
        "risk_level": grade.value if grade else None,
        "risk_level_name": GRADE_NAMES.get(grade.value, "未评估") if grade else "未评估",
        "colour": COLOURS[grade] if grade else "#9aa5b1",
        "hazard_factors": [{"code": c, "name": HAZARD_FACTORS.get(c, "")} for c in point.hazard_factors or []],
        "accident_type_codes": [{"code": c, "name": ACCIDENT_TYPES.get(c, "")} for c in point.accident_types or []],
        "consequences": point.consequences or "",
        "control_measures": measures,
        "emergency_measures": list(controls.get(ControlCategory.emergency.value, [])),
        "safe_operation_points": list(controls.get(ControlCategory.management.value, []))[:5],
        "responsible_person": user.display_name if user else "",
        "responsible_phone": user.phone if user else "",
        "responsible_department": point.responsible_department.name if point.responsible_department else "",
        "emergency_numbers": [{"name": n, "number": v} for n, v in numbers],
        "regulator_contact": _regulator(point),
        "public_url": public_url(point),
    }
