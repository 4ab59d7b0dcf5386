"""Demo documents: each demo enterprise's safety manager prints an internal rectification notice for
its open hazards and the archive of one hazard (orders, opinions and notices come from supervision)."""

from __future__ import annotations

from sqlalchemy import select

from app.documents import service
from app.documents.models import Document, DocumentKind
from app.extensions import db
from app.hazards.models import Hazard


def seed(ctx: dict) -> None:
    users = ctx.get("users", {})
    for key, enterprise in ctx.get("enterprises", {}).items():
        manager = users.get(f"{key}_manager")
        if manager is None:
            continue
        open_hazards = db.session.scalars(
            select(Hazard).where(Hazard.enterprise_id == enterprise.id, Hazard.state.in_(service.NOTICE_STATES))
            .order_by(Hazard.id).limit(3)).all()
        if not open_hazards:
            continue
        already = db.session.scalar(select(Document.id).where(Document.enterprise_id == enterprise.id,
                                                              Document.kind == DocumentKind.rectification_notice))
        if already is not None:  # idempotent
            continue
        service.issue(DocumentKind.rectification_notice, actor=manager, hazards=open_hazards,
                      context={"recipient": "生产部", "requirements": "按期完成整改并提交整改后照片。",
                               "contact_phone": enterprise.safety_manager_phone})
        service.issue(DocumentKind.hazard_archive, actor=manager, hazards=open_hazards[:1], context={})
