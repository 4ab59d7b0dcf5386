"""On-site measures (现场处理措施决定书) for what cannot wait, 安全生产法 第六十五条第一款第（三）项:
立即排除, 撤出作业人员, 暂时停产停业 (partial / full), 停止使用 (with a period). The decision is a
numbered document with the rights notice; its production suspension is recorded on the hazard with an
event (``hazard_service.record_onsite_measures``), the one source of the hazard's 生产状态. No commit.
"""

from __future__ import annotations

from datetime import date

from flask_babel import gettext as _

from app import access
from app.auth.models import Role, User
from app.clock import today
from app.documents import builders
from app.documents import service as documents
from app.errors import Invalid
from app.extensions import db
from app.hazards import service as hazard_service
from app.hazards.models import Hazard, ProductionSuspension
from app.supervision.models import OnSiteMeasures
from workflows.periods import add_months

BASIS = "《中华人民共和国安全生产法》第六十五条第一款第（三）项"
SUSPENSION_WORDS = {ProductionSuspension.partial: "局部", ProductionSuspension.full: "全部"}
MAX_MONTHS = 6  # 停产停业、停止使用的期限一般不超过6个月


def decide(actor: User, hazard_id: int, *, second_officer_id: int | None, facts: str, eliminate_now: bool = False,
           evacuate: bool = False, suspension: str = "none", stop_use: str = "", until: date | None = None
           ) -> OnSiteMeasures:
    hazard = access.get_visible(Hazard, hazard_id, actor)
    access.require(actor, "hazard.onsite_measures", hazard)
    errors: dict[str, str] = {}
    facts = (facts or "").strip()
    if not facts:
        errors["facts"] = _("This field is required.")
    elif len(facts) > 2000:
        errors["facts"] = _("This text is too long.")
    try:
        suspension = ProductionSuspension(suspension or "none")
    except ValueError:
        errors["suspension"] = _("Choose one of the offered values.")
        suspension = ProductionSuspension.none
    stop_use = (stop_use or "").strip()
    if len(stop_use) > 500:
        errors["stop_use"] = _("This text is too long.")
    if not (eliminate_now or evacuate or suspension != ProductionSuspension.none or stop_use):
        errors["measures"] = _("Decide at least one measure.")
    timed = suspension != ProductionSuspension.none or bool(stop_use)
    if timed and until is None:
        errors["until"] = _("Give the period of the suspension or of the stop of use.")
    elif until is not None and (until <= today() or until > add_months(today(), MAX_MONTHS)):
        errors["until"] = _("The period ends after today and within six months.")
    second = db.session.get(User, second_officer_id) if second_officer_id else None
    if (second is None or second.id == actor.id or second.role != Role.inspector
            or second.authority_id != actor.authority_id or not second.active):
        errors["second_officer_id"] = _("The second officer must be an inspector of your authority.")
    elif not (second.certificate_no or "").strip():
        errors["second_officer_id"] = _("The second officer has no certificate number.")
    if not (actor.certificate_no or "").strip():
        errors["officer"] = _("Your law-enforcement certificate number is missing; ask the administrator.")
    if errors:
        raise Invalid(fields=errors)
    lines = []
    if eliminate_now:
        lines.append("责令立即排除上述事故隐患。")
    if evacuate:
        lines.append("责令从危险区域内撤出作业人员。")
    if suspension != ProductionSuspension.none:
        lines.append(f"责令{SUSPENSION_WORDS[suspension]}暂时停产停业，期限至{until.year}年{until.month}月{until.day}日。")
    if stop_use:
        lines.append(f"责令停止使用{stop_use}，期限至{until.year}年{until.month}月{until.day}日。")
    row = OnSiteMeasures(hazard_id=hazard.id, enterprise_id=hazard.enterprise_id, authority_id=actor.authority_id,
                         officer_id=actor.id, second_officer_id=second.id, facts=facts, eliminate_now=eliminate_now,
                         evacuate=evacuate, suspension=suspension.value, stop_use=stop_use, until=until)
    db.session.add(row)
    db.session.flush()
    context = {"officers": [builders.officer(actor), builders.officer(second)], "subject_unit": hazard.enterprise.name,
               "subject_address": hazard.enterprise.address or "", "facts": facts, "measures": lines,
               "hazard_code": hazard.code, "basis": BASIS}
    document = documents.issue("onsite_measures", actor=actor, context=context, hazards=[hazard],
                               authority=actor.authority, enterprise=hazard.enterprise)
    row.document_id = document.id
    hazard_service.record_onsite_measures(hazard, actor, suspension=suspension, document_id=document.id,
                                          summary="；".join(lines))
    return row
