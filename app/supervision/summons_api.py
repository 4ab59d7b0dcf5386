"""/api/v1/summons: summon an enterprise's principal (约谈通知书), record the summons (约谈记录).

``POST /api/v1/summons`` ``{"enterprise_id", "reason", "scheduled_at", "place"?, "hazard_ids"?}`` → 201
with the summons and its notice ``document``; ``POST /api/v1/summons/{id}/record`` ``{"held_at",
"second_officer_id", "attendees"?, "content", "outcome"}`` → 200 with the record's ``record_document_id``.
``GET /api/v1/summons?enterprise_id=`` lists them (an enterprise's history).
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import access
from app import api as api_base
from app.documents.api import DocumentOut
from app.documents.models import Document
from app.extensions import db
from app.idempotency import idempotent
from app.paging import paginate
from app.supervision import summons as service
from app.supervision.models import Summons

blp = api_base.api_blueprint("summons_api", __name__, "/summons", "Summons of enterprises' principals (约谈)")


class SummonsArgs(Schema):
    enterprise_id = fields.Integer(strict=True, required=True)
    reason = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    scheduled_at = api_base.Timestamp(required=True)
    place = fields.String(load_default="", validate=validate.Length(max=255))
    hazard_ids = fields.List(fields.Integer(strict=True), load_default=list,
                             validate=validate.Length(max=service.MAX_HAZARDS))


class RecordArgs(Schema):
    held_at = api_base.Timestamp(required=True)
    second_officer_id = fields.Integer(strict=True, required=True)
    attendees = fields.String(load_default="", validate=validate.Length(max=2000))
    content = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    outcome = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class SummonsListArgs(api_base.PageArgs):
    enterprise_id = fields.Integer()


class SummonsOut(Schema):
    id = fields.Integer()
    authority_id = fields.Integer()
    enterprise_id = fields.Integer()
    reason = fields.String()
    scheduled_at = api_base.Timestamp()
    place = fields.String()
    addressee = fields.String()
    hazard_ids = fields.Function(lambda o: [h.id for h in o.hazards])
    notice_document_id = fields.Integer(allow_none=True)
    document = fields.Method("_document")
    held = fields.Boolean()
    held_at = api_base.Timestamp(allow_none=True)
    attendees = fields.String()
    content = fields.String()
    outcome = fields.String()
    record_document_id = fields.Integer(allow_none=True)
    created_at = api_base.Timestamp()

    def _document(self, summons):
        document = db.session.get(Document, summons.notice_document_id) if summons.notice_document_id else None
        return DocumentOut().dump(document) if document is not None else None


@blp.route("", methods=["GET"])
@blp.arguments(SummonsListArgs, location="query")
@blp.response(200, api_base.page_schema(SummonsOut))
def list_summonses(args):
    """The summonses the caller may see, newest first (``enterprise_id``: that enterprise's history)."""
    return paginate(service.summonses_of(current_user, args.get("enterprise_id")), args["page"], args["per_page"])


@blp.route("", methods=["POST"])
@idempotent
@blp.arguments(SummonsArgs)
@blp.response(201, SummonsOut)
def create(args):
    """Summon the enterprise's principal: issues the numbered 约谈通知书 (``document``)."""
    summons = service.summon(current_user, **args)
    db.session.flush()
    return summons


@blp.route("/<int:summons_id>", methods=["GET"])
@blp.response(200, SummonsOut)
def get(summons_id: int):
    return access.get_visible(Summons, summons_id, current_user)


@blp.route("/<int:summons_id>/record", methods=["POST"])
@blp.arguments(RecordArgs)
@blp.response(200, SummonsOut)
def record(args, summons_id: int):
    """Record the summons as held, with its outcome: issues the 约谈记录."""
    summons = service.record(current_user, summons_id, **args)
    db.session.commit()
    return summons
