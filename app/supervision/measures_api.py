"""/api/v1/onsite-measures: the inspector's on-site measures decision (现场处理措施决定书) on a hazard.

``POST`` ``{"hazard_id", "second_officer_id", "facts", "eliminate_now"?, "evacuate"?, "suspension"?
("none" | "partial" | "full"), "stop_use"?, "until"?}`` → 201 with ``document_id``; the hazard's
``production_suspension`` follows the decision.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import access
from app import api as api_base
from app.extensions import db
from app.idempotency import idempotent
from app.paging import paginate
from app.supervision import measures
from app.supervision.models import OnSiteMeasures

blp = api_base.api_blueprint("onsite_measures_api", __name__, "/onsite-measures",
                             "On-site measures decisions (现场处理措施决定书)")


class MeasuresArgs(Schema):
    hazard_id = fields.Integer(strict=True, required=True)
    second_officer_id = fields.Integer(strict=True, required=True)
    facts = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    eliminate_now = fields.Boolean(load_default=False)
    evacuate = fields.Boolean(load_default=False)
    suspension = fields.String(load_default="none", validate=validate.OneOf(["none", "partial", "full"]))
    stop_use = fields.String(load_default="", validate=validate.Length(max=500))
    until = fields.Date(load_default=None, allow_none=True)


class MeasuresOut(Schema):
    id = fields.Integer()
    hazard_id = fields.Integer()
    enterprise_id = fields.Integer()
    authority_id = fields.Integer()
    facts = fields.String()
    eliminate_now = fields.Boolean()
    evacuate = fields.Boolean()
    suspension = fields.String()
    stop_use = fields.String()
    until = fields.Date(allow_none=True)
    document_id = fields.Integer(allow_none=True)
    created_at = api_base.Timestamp()


class MeasuresListArgs(api_base.PageArgs):
    hazard_id = fields.Integer()


@blp.route("", methods=["GET"])
@blp.arguments(MeasuresListArgs, location="query")
@blp.response(200, api_base.page_schema(MeasuresOut))
def list_measures(args):
    stmt = access.visible(OnSiteMeasures, current_user)
    if args.get("hazard_id"):
        stmt = stmt.where(OnSiteMeasures.hazard_id == args["hazard_id"])
    return paginate(stmt.order_by(OnSiteMeasures.id.desc()), args["page"], args["per_page"])


@blp.route("", methods=["POST"])
@idempotent
@blp.arguments(MeasuresArgs)
@blp.response(201, MeasuresOut)
def create(args):
    """Decide on-site measures: issues the numbered decision and records the suspension on the hazard."""
    hazard_id = args.pop("hazard_id")
    row = measures.decide(current_user, hazard_id, **args)
    db.session.flush()
    return row
