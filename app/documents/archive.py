"""The hazard archive (一患一档): plain data of one hazard for reports/templates/hazard_archive.html."""

from __future__ import annotations

from app import clock, labels


def _t(ts) -> str:
    return clock.to_local(ts).strftime("%Y-%m-%d %H:%M") if ts else ""


def hazard_facts(hazard) -> dict:
    return {
        "code": hazard.code, "title": hazard.title, "description": hazard.description or "",
        "location": hazard.location or "", "source": labels.label(hazard.source),
        "nature": labels.label(hazard.nature), "level": labels.label(hazard.level),
        "state": labels.label(hazard.state), "effective_grade": labels.label(hazard.effective_grade),
        "risk_point": hazard.risk_point.name if hazard.risk_point is not None else "",
        "hazard_factor": hazard.hazard_factor or "", "accident_type": hazard.accident_type or "",
        "reported_by": hazard.reported_by.display_name if hazard.reported_by else "",
        "reported_at": _t(hazard.created_at),
        "responsible_department": hazard.responsible_department.name if hazard.responsible_department else "",
        "responsible_person": hazard.responsible_user.display_name if hazard.responsible_user else "",
        "deadline": hazard.deadline, "measures": hazard.measures or "",
        "rectification": hazard.rectification or "", "closed_at": _t(hazard.closed_at),
    }


def archive_context(hazard) -> dict:
    """Everything the archive prints. Timeline, plan and photos come from the hazards feature's
    models when they exist (HazardEvent, TreatmentPlan, HazardAttachment)."""
    return {"hazard": hazard_facts(hazard), "enterprise_name": hazard.enterprise.name}
