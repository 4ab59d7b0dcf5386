"""Fill the *service-filled* context fields (see reports/contexts.py) from the database.

Callers pass what a person entered; what the database already knows (enterprise name and address,
the hazards as items, the issuing user) is added here, never overriding what the caller gave.
"""

from __future__ import annotations

from app.documents.models import DocumentKind
from workflows.hazard_states import HazardLevel


def hazard_items(hazards) -> list[dict]:
    return [{"text": h.title + (f"：{h.description}" if h.description else ""), "deadline": h.deadline,
             "hazard_code": h.code, "measures": h.measures or ""} for h in hazards]


def fill(kind: DocumentKind, data: dict, *, actor, enterprise, hazards) -> dict:
    def default(key, value):
        if data.get(key) in (None, "", []):
            data[key] = value

    if kind == DocumentKind.rectification_notice:
        default("enterprise_name", enterprise.name)
        default("signer", actor.display_name)
        default("items", hazard_items(hazards))
    elif kind == DocumentKind.rectification_order:
        default("subject_unit", enterprise.name)
        default("subject_address", enterprise.address)
        default("items", hazard_items(hazards))
        if data.get("major_hazard_count") is None and hazards:
            data["major_hazard_count"] = sum(1 for h in hazards if h.level == HazardLevel.major)
    elif kind == DocumentKind.review_opinion:
        default("subject_unit", enterprise.name)
    elif kind in (DocumentKind.supervision_notice, DocumentKind.delisting_notice):
        default("enterprise_name", enterprise.name)
        default("addressee", enterprise.name)
        if hazards:
            default("hazard_name", hazards[0].title)
            default("hazard_code", hazards[0].code)
        if kind == DocumentKind.supervision_notice:
            default("enterprise_address", enterprise.address)
            default("principal_name", enterprise.principal_name or enterprise.legal_representative)
            default("treatment_unit", enterprise.name)
    elif kind == DocumentKind.hazard_archive:
        from app.documents.archive import archive_context

        # Always built from the hazard itself: a caller never supplies what an archive shows (nor
        # photo references that could point at another enterprise's files).
        if len(hazards) != 1:
            from flask_babel import gettext as _

            from app.errors import Invalid

            raise Invalid(fields={"hazard_ids": _("An archive is printed for exactly one hazard.")})
        data = archive_context(hazards[0])
    return data
