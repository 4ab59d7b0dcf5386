"""The printable QR label of an analysis unit (A6): scanning it opens the unit's checks after login.

``label_context(point)`` builds plain data for ``reports/templates/unit_label.html``; the QR holds the
unit's check page with ``via=qr`` so that a record made from it says it was reached through the label.
"""

from __future__ import annotations

from flask import current_app, url_for

from app.clock import today

GRADE_NAMES = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}


def unit_url(point) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/")
    if base:
        return base + url_for("checks.unit", point_id=point.id, via="qr")
    return url_for("checks.unit", point_id=point.id, via="qr", _external=True)


def label_context(point, measure_count: int) -> dict:
    grade = point.effective_grade
    obj = getattr(point, "object", None)
    user = point.responsible_user
    return {
        "label_no": f"PC-{point.enterprise_id:04d}-{point.id:05d}",
        "printed_on": today().isoformat(),
        "unit_name": point.name,
        "enterprise_name": point.enterprise.name,
        "object_name": obj.name if obj is not None else "",
        "major_hazard_level": getattr(obj, "major_hazard_level", None) if obj is not None else None,
        "area": point.area or "",
        "grade_name": GRADE_NAMES.get(grade.value, "未评估") if grade else "未评估",
        "responsible": user.display_name if user else "",
        "measure_count": measure_count,
        "url": unit_url(point),
    }
