"""/api/v1/provisions and /api/v1/criteria: the editable tables an inspector picks from — provisions
violated (依据条款) and the clauses of 重大事故隐患判定标准. Everyone signed in reads them; the
administrator adds and edits rows (``active: false`` withdraws a row; what cites it keeps its copy)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import api as api_base
from app.extensions import db
from app.idempotency import idempotent
from app.paging import paginate
from app.supervision import references
from app.supervision.models import MajorHazardCriterion, Provision

provisions_blp = api_base.api_blueprint("provisions_api", __name__, "/provisions", "Provisions cited (依据条款)")
criteria_blp = api_base.api_blueprint("criteria_api", __name__, "/criteria",
                                      "Criteria of major accident hazards (重大事故隐患判定标准)")


class ProvisionSchema(Schema):
    id = fields.Integer(dump_only=True)
    law = fields.String(required=True, validate=validate.Length(min=1, max=128))
    article = fields.String(required=True, validate=validate.Length(min=1, max=64))
    text = fields.String(load_default="", validate=validate.Length(max=4000))
    active = fields.Boolean(load_default=True)
    citation = fields.String(dump_only=True)


class CriterionSchema(Schema):
    id = fields.Integer(dump_only=True)
    industry = fields.String(required=True, validate=validate.Length(min=1, max=64))
    standard = fields.String(required=True, validate=validate.Length(min=1, max=255))
    clause = fields.String(required=True, validate=validate.Length(min=1, max=16))
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))
    active = fields.Boolean(load_default=True)
    citation = fields.String(dump_only=True)


class ProvisionPatch(Schema):
    law = fields.String(validate=validate.Length(min=1, max=128))
    article = fields.String(validate=validate.Length(min=1, max=64))
    text = fields.String(validate=validate.Length(max=4000))
    active = fields.Boolean()


class CriterionPatch(Schema):
    industry = fields.String(validate=validate.Length(min=1, max=64))
    standard = fields.String(validate=validate.Length(min=1, max=255))
    clause = fields.String(validate=validate.Length(min=1, max=16))
    text = fields.String(validate=validate.Length(min=1, max=4000))
    active = fields.Boolean()


class ActiveArgs(api_base.PageArgs):
    active = fields.Boolean()


def _list(model, args):
    return paginate(references.rows(current_user, model, args.get("active")), args["page"], args["per_page"])


def _edit(model, row_id, args):
    row = references.edit(current_user, model, row_id, **args)
    db.session.commit()
    return row


@provisions_blp.route("", methods=["GET"])
@provisions_blp.arguments(ActiveArgs, location="query")
@provisions_blp.response(200, api_base.page_schema(ProvisionSchema))
def list_provisions(args):
    return _list(Provision, args)


@provisions_blp.route("", methods=["POST"])
@idempotent
@provisions_blp.arguments(ProvisionSchema)
@provisions_blp.response(201, ProvisionSchema)
def add_provision(args):
    return references.add(current_user, Provision, **args)


@provisions_blp.route("/<int:row_id>", methods=["PATCH"])
@provisions_blp.arguments(ProvisionPatch)
@provisions_blp.response(200, ProvisionSchema)
def edit_provision(args, row_id):
    return _edit(Provision, row_id, args)


@criteria_blp.route("", methods=["GET"])
@criteria_blp.arguments(ActiveArgs, location="query")
@criteria_blp.response(200, api_base.page_schema(CriterionSchema))
def list_criteria(args):
    return _list(MajorHazardCriterion, args)


@criteria_blp.route("", methods=["POST"])
@idempotent
@criteria_blp.arguments(CriterionSchema)
@criteria_blp.response(201, CriterionSchema)
def add_criterion(args):
    return references.add(current_user, MajorHazardCriterion, **args)


@criteria_blp.route("/<int:row_id>", methods=["PATCH"])
@criteria_blp.arguments(CriterionPatch)
@criteria_blp.response(200, CriterionSchema)
def edit_criterion(args, row_id):
    return _edit(MajorHazardCriterion, row_id, args)
