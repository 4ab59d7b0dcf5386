"""Service (送达) of issued documents: how, when, to whom, the scan of the signed receipt, and the
statutory periods that run from it. No commit here.

Methods (``ServiceMethod``): 当场 (on_site), 邮寄 (post), 电子送达 (electronic: only with the party's
prior consent, ``consent_on`` not after the service, and the address it gave). The receipt scan is
checked by content (a PDF or a photo), stored content-addressed. The printable 文书送达回执
(``receipt_pdf``) is a form, not a numbered document: printed before service, signed, scanned back.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app import access, clock, storage, workdays
from app.auth.models import User
from app.documents.models import Document, DocumentService, DocumentStatus, ServiceMethod  # noqa: F401 (ServiceMethod re-exported)
from app.errors import Conflict, Invalid
from app.extensions import db, flush_or_conflict
from reports.contexts import TITLES
from reports.render import render_pdf
from workflows import periods

RIGHTS_KINDS = ("rectification_order", "supervision_notice", "onsite_measures")


def serve(actor: User, document_id: int, *, method, served_at: datetime | None, received_by: str,
          consent_on: datetime | None = None, address: str = "", receipt: tuple[str, bytes] | None = None,
          ) -> DocumentService:
    """Record the service of a valid document (once). ``served_at`` aware or naive UTC; ``receipt``
    (filename, bytes) the scan of the signed receipt."""
    document = access.get_visible(Document, document_id, actor)
    access.require(actor, "document.serve", document)
    errors: dict[str, str] = {}
    try:
        method = ServiceMethod(method)
    except ValueError:
        errors["method"] = _("Choose how the document was served.")
        method = None
    served = _utc(served_at)
    if served is None:
        errors["served_at"] = _("Enter when the document was served.")
    elif served > clock.utcnow():
        errors["served_at"] = _("The service cannot be in the future.")
    # Compared to the minute: a page's time input has no seconds, and on-site service often follows the
    # issue within the minute.
    elif served < document.issued_at.replace(second=0, microsecond=0):
        errors["served_at"] = _("A document is served after it is issued.")
    received_by = (received_by or "").strip()
    if not received_by:
        errors["received_by"] = _("Enter who received the document.")
    elif len(received_by) > 64:
        errors["received_by"] = _("At most 64 characters.")
    address = (address or "").strip()
    if len(address) > 255:
        errors["address"] = _("At most 255 characters.")
    consent = _utc(consent_on)
    if method == ServiceMethod.electronic:
        if consent is None:
            errors["consent_on"] = _("Electronic service needs the party's prior consent: enter when it consented.")
        elif served is not None and consent > served:
            errors["consent_on"] = _("The consent must precede the service.")
        if not address:
            errors["address"] = _("Enter the electronic address the party gave.")
    if errors:
        raise Invalid(fields=errors)
    if document.status != DocumentStatus.valid:
        raise Conflict(_("This document is no longer valid; it cannot be served."), code="invalid_state")
    if db.session.scalar(select(DocumentService.id).where(DocumentService.document_id == document.id)):
        raise Conflict(_("The service of this document is recorded already."), code="already_served")
    row = DocumentService(document_id=document.id, method=method, served_at=served, received_by=received_by,
                          consent_on=consent if method == ServiceMethod.electronic else None, address=address,
                          recorded_by_id=actor.id)
    if receipt is not None:
        filename, data = receipt
        checked = storage.check_upload(data or b"", filename, field_name="receipt")
        storage.save(checked.data)
        row.receipt_sha256, row.receipt_mime, row.receipt_filename = checked.sha256, checked.mime, checked.filename
    db.session.add(row)

    flush_or_conflict(IntegrityError)  # two officers recording at once: one wins
    return row


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def served_on(service: DocumentService) -> date:
    return clock.to_local(service.served_at).date()


def statutory_periods(document: Document) -> list[dict]:
    """The periods running from the document's service: each with its name, source and last day
    (empty while the document is not served, or for a document without the rights notice)."""
    service = document.service
    if service is None or document.kind.value not in RIGHTS_KINDS:
        return []
    start = served_on(service)
    return [{"code": p.code, "name": p.name, "source": p.source, "ends_on": workdays.period_end(p, start)}
            for p in periods.APPEAL_PERIODS]


def receipt_pdf(actor: User, document_id: int) -> bytes:
    """The printable 文书送达回执 of a document (filled with its service when recorded)."""
    document = access.get_visible(Document, document_id, actor)
    service = document.service
    context = {
        "document": document, "title": _title(document), "service": service,
        "method": _method_label(service.method) if service else "",
        "served_on": served_on(service) if service else None,
        "today": clock.today(),
    }
    return render_pdf("service_receipt.html", context)


def _title(document: Document) -> str:
    return TITLES.get(document.kind.value, "")


METHOD_WORDS = {ServiceMethod.on_site: "直接送达", ServiceMethod.post: "邮寄送达",
                ServiceMethod.electronic: "电子送达"}


def _method_label(method: ServiceMethod) -> str:
    return METHOD_WORDS[method]
