"""API: issue a document, read it, fetch its PDF, void it.

``POST /api/v1/documents`` takes ``kind``, ``hazard_ids`` (``risk_point_id`` for a risk card) and the
fields of that kind at the top level (see reports/contexts.py), e.g. for a rectification notice
``{"kind": "rectification_notice", "hazard_ids": [1, 2], "recipient": "生产部", "requirements": "..."}``.

A rectification order or review opinion is issued from an inspection record: ``{"kind":
"review_opinion", "inspection_id": 7, "opinion": "..."}``. Its officers, items, deadlines, dates and
verdicts are the record's (422 if sent); only the officer's own words (``opinion``) may be given. The
order is issued when the inspection is recorded; posting it again is for re-issuing a voided one.
Supervision and delisting notices come from listing decisions. Printing an archive whose content has
not changed returns the current archive (200) instead of numbering a new one (201).
"""

from __future__ import annotations

from flask import Response, request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import INCLUDE, Schema, fields, validate
from sqlalchemy import select

from app import access, signals
from app.api import PageArgs, Timestamp, api_blueprint, page_schema
from app.documents import service, serving
from app.documents.models import API_KINDS, Document, DocumentKind, DocumentService, DocumentStatus
from app.documents.queries import documents_query
from app.documents.views import pdf_response
from app.errors import Invalid, NotFound
from app.extensions import db
from app.hazards.models import Hazard
from app.idempotency import idempotent
from app.paging import paginate
from app.risks.models import RiskPoint

blp = api_blueprint("documents_api", __name__, "/documents", "Numbered documents (PDF) and their verification")


class IssueArgs(Schema):
    class Meta:
        unknown = INCLUDE  # the kind's own fields; checked by reports.contexts.parse

    kind = fields.String(required=True, validate=validate.OneOf(sorted(k.value for k in API_KINDS)))
    hazard_ids = fields.List(fields.Integer(strict=True), load_default=list, validate=validate.Length(max=100))
    risk_point_id = fields.Integer(strict=True, load_default=None)
    # rectification_order / review_opinion: the inspection record they are issued from
    inspection_id = fields.Integer(strict=True, load_default=None)


class DocumentListArgs(PageArgs):
    """The web list's filters: kind, status, part of the number."""

    kind = fields.String(validate=validate.OneOf(sorted(k.value for k in DocumentKind)))
    status = fields.String(validate=validate.OneOf(sorted(s.value for s in DocumentStatus)))
    q = fields.String(validate=validate.Length(max=64))


class VoidArgs(Schema):
    reason = fields.String(load_default="", validate=validate.Length(max=2000))


class DocumentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    number = fields.String()
    status = fields.String()
    issuer = fields.String(attribute="issuer_name")
    enterprise_id = fields.Integer()
    issued_at = Timestamp()
    verify_url = fields.Method("_verify_url")
    pdf_sha256 = fields.String()
    pdf_size = fields.Integer()
    template_version = fields.String()
    hazard_ids = fields.Method("_hazard_ids")
    listing_id = fields.Integer(allow_none=True)
    void_reason = fields.String(allow_none=True)
    voided_at = Timestamp(allow_none=True)

    def _verify_url(self, document):
        return service.verify_url(document.token)

    def _hazard_ids(self, document):
        return [h.id for h in document.hazards]


def _risk_card_context(point_id: int | None):
    if point_id is None:
        raise Invalid(fields={"risk_point_id": _("Choose a risk point.")})
    point = access.get_visible(RiskPoint, point_id, current_user)
    try:  # inside: an installation may leave the risks feature out, and a card is then refused
        from app.risks.cards import card_context  # an installation may leave risks out
    except ImportError:
        raise Invalid(fields={"kind": _("Risk cards are not available yet.")}) from None
    return point, card_context(point)


@blp.route("", methods=["GET"])
@blp.arguments(DocumentListArgs, location="query")
@blp.response(200, page_schema(DocumentOut))
def list_documents(args):
    """The documents the caller may see, newest first; filters kind, status, q (part of the number)."""
    page_no, per_page = args.pop("page"), args.pop("per_page")
    return paginate(documents_query(current_user, **args), page_no, per_page)


@blp.route("", methods=["POST"])
@idempotent
@blp.arguments(IssueArgs)
@blp.response(201, DocumentOut)
@blp.alt_response(200, schema=DocumentOut, description="The archive printed again, unchanged: the same document")
def issue(args):
    """Issue a numbered document; nothing is numbered if any hazard is not yours to see (404)."""
    kind = DocumentKind(args.pop("kind"))
    hazard_ids = args.pop("hazard_ids")
    point_id = args.pop("risk_point_id")
    inspection_id = args.pop("inspection_id")
    hazards = [access.get_visible(Hazard, hid, current_user) for hid in dict.fromkeys(hazard_ids)]
    enterprise = inspection = None
    context = args
    if kind == DocumentKind.risk_card:
        point, context = _risk_card_context(point_id)
        enterprise = point.enterprise
    elif kind in service.INSPECTION_KINDS:
        if inspection_id is not None:
            # Supervision owns inspections and answers (it imports documents; documents never imports it).
            inspection = signals.visible_inspection.first(inspection_id, current_user)
            if inspection is None:
                raise NotFound()
    elif not hazards:
        raise Invalid(fields={"hazard_ids": _("Choose at least one hazard.")})
    if inspection_id is not None and kind not in service.INSPECTION_KINDS:
        raise Invalid(fields={"inspection_id": _("Only orders and review opinions are issued from an inspection.")})
    try:
        document = service.issue(kind, actor=current_user, context=context, hazards=hazards, enterprise=enterprise,
                                 inspection=inspection)
    except Exception:
        db.session.rollback()
        raise
    db.session.flush()  # the answer needs the id; @idempotent commits
    return document, (200 if document.reused else 201)


@blp.route("/<int:document_id>")
@blp.response(200, DocumentOut)
def get(document_id: int):
    """A document's record (no PDF bytes)."""
    return access.get_visible(Document, document_id, current_user)


@blp.route("/<int:document_id>.pdf")
@blp.response(200, description="The stored PDF bytes (application/pdf)")
def pdf(document_id: int):
    """The PDF exactly as issued (its SHA-256 in the header X-Content-SHA256)."""
    return pdf_response(access.get_visible(Document, document_id, current_user))


@blp.route("/<int:document_id>/void", methods=["POST"])
@blp.arguments(VoidArgs)
@blp.response(200, DocumentOut)
def void(args, document_id: int):
    """Void a valid document with a reason (422 without); the number stays used."""
    document = service.void(current_user, document_id, args["reason"])
    db.session.commit()  # a refusal raised above is rolled back by the error handler
    return document


class ServiceArgs(Schema):
    """JSON, or multipart with the receipt scan in the file field ``receipt``."""

    method = fields.String(required=True, validate=validate.OneOf([m.value for m in serving.ServiceMethod]))
    served_at = Timestamp(required=True)
    received_by = fields.String(required=True, validate=validate.Length(min=1, max=64))
    consent_on = Timestamp(load_default=None, allow_none=True)
    address = fields.String(load_default="", validate=validate.Length(max=255))


class PeriodOut(Schema):
    code = fields.String()
    name = fields.String()
    source = fields.String()
    ends_on = fields.Date()


class ServiceOut(Schema):
    document_id = fields.Integer()
    method = fields.Function(lambda o: o.method.value)
    served_at = Timestamp()
    received_by = fields.String()
    consent_on = Timestamp(allow_none=True)
    address = fields.String()
    receipt_sha256 = fields.String(allow_none=True)
    receipt_mime = fields.String(allow_none=True)
    recorded_by_id = fields.Integer()
    recorded_at = Timestamp()
    periods = fields.Method("_periods")

    def _periods(self, row):
        return PeriodOut(many=True).dump(serving.statutory_periods(row.document))


@blp.route("/<int:document_id>/service", methods=["POST"])
@idempotent
@blp.arguments(ServiceArgs, location="json_or_form")
@blp.response(201, ServiceOut)
def serve(args, document_id: int):
    """Record how and when the document was served, who received it, and the signed receipt's scan
    (multipart ``receipt``: a PDF or photo, checked by content); answers the statutory periods."""
    upload = request.files.get("receipt")
    receipt = (upload.filename or "receipt", upload.read()) if upload is not None else None
    row = serving.serve(current_user, document_id, method=args["method"], served_at=args["served_at"],
                        received_by=args["received_by"], consent_on=args["consent_on"], address=args["address"],
                        receipt=receipt)
    db.session.flush()
    return row


@blp.route("/<int:document_id>/service", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(ServiceOut))
def get_service(args, document_id: int):
    """The recorded service of a document (none or one) with the periods running from it."""

    document = access.get_visible(Document, document_id, current_user)
    stmt = select(DocumentService).where(DocumentService.document_id == document.id)
    return paginate(stmt, args["page"], args["per_page"])


@blp.route("/<int:document_id>/receipt.pdf")
@blp.response(200, description="The printable 文书送达回执 (application/pdf)")
def receipt(document_id: int):
    """The service receipt form of the document, filled with its service once recorded."""

    return Response(serving.receipt_pdf(current_user, document_id), mimetype="application/pdf")
