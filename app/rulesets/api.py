"""JSON API of rule sets: ``GET|POST /api/v1/rule-sets``, ``POST /api/v1/rule-sets/{id}/activation``."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import pgettext
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app import access
from app.api import PageArgs, Timestamp, api_blueprint, page_schema
from app.errors import Invalid, NotFound
from app.extensions import db
from app.idempotency import idempotent
from app.organisations.lookups import visible_or_none
from app.organisations.models import Region
from app.paging import paginate
from app.rulesets import service
from app.rulesets.models import RuleFamily, RuleSetVersion

blp = api_blueprint("rulesets_api", __name__, "/rule-sets",
                    "Rule sets: grading thresholds and listing rules, versioned (admin writes).")


def me():
    return current_user._get_current_object()


class RuleSetSchema(Schema):
    id = fields.Integer()
    family = fields.Function(lambda r: r.family.value, metadata={"enum": [f.value for f in RuleFamily]})
    key = fields.String()
    version = fields.String()
    label = fields.String(metadata={"description": "key@version, what assessments and listings record"})
    title = fields.String()
    region_id = fields.Integer(allow_none=True, metadata={"description": "None: the whole country"})
    payload = fields.Dict()
    active = fields.Boolean()
    effective_from = fields.Date(allow_none=True)
    preview = fields.Dict(allow_none=True, metadata={"description": "What activation was previewed to change"})
    created_at = Timestamp()
    activated_at = Timestamp(allow_none=True)


class RuleSetCreate(Schema):
    family = fields.String(required=True, validate=validate.OneOf([f.value for f in RuleFamily]))
    region_id = fields.Integer(allow_none=True, load_default=None)
    title = fields.String(required=True)
    key = fields.String(load_default=None, metadata={"description": "Default: national or r<region code>"})
    payload = fields.Dict(required=True, metadata={"description": "grading: {scales: {lec|ls|mes: [{grade, lower, "
                                                                   "upper, inclusive}...]}, control_levels}; "
                                                                   "listing: {rules: [...]}; credit, dishonesty: "
                                                                   "see app/credit/rules.py"})


class RuleSetQuery(PageArgs):
    family = fields.String(validate=validate.OneOf([f.value for f in RuleFamily]))


class Activation(Schema):
    effective_from = fields.Date(required=True, metadata={"description": "Today or later"})


class Preview(Schema):
    checked = fields.Integer()
    regraded = fields.Integer()
    raised = fields.Integer()
    lowered = fields.Integer()
    proposals = fields.Integer()
    routed_nowhere = fields.Integer()




def _get(rule_set_id: int) -> RuleSetVersion:
    access.require(me(), "rule_set.view")
    row = db.session.get(RuleSetVersion, rule_set_id)
    if row is None or (row.region is not None and visible_or_none(Region, row.region_id, me()) is None):
        raise NotFound()
    return row


@blp.route("")
class RuleSetList(MethodView):
    @blp.arguments(RuleSetQuery, location="query")
    @blp.response(200, page_schema(RuleSetSchema))
    def get(self, args):
        """Every version (drafts and active ones), newest first."""
        access.require(me(), "rule_set.view")
        visible_regions = select(Region.id).where(access.condition(Region, me()))
        stmt = select(RuleSetVersion).where(RuleSetVersion.region_id.is_(None)
                                            | RuleSetVersion.region_id.in_(visible_regions)
                                            ).order_by(RuleSetVersion.id.desc())
        if args.get("family"):
            stmt = stmt.where(RuleSetVersion.family == RuleFamily(args["family"]))
        return paginate(stmt, args["page"], args["per_page"])

    @idempotent
    @blp.arguments(RuleSetCreate)
    @blp.response(201, RuleSetSchema)
    def post(self, data):
        """A draft version (not in force until activated); 422 naming the field whose thresholds overlap
        or leave a gap."""
        region = None
        if data.get("region_id") is not None:
            region = visible_or_none(Region, data["region_id"], me())
            if region is None:
                raise Invalid(fields={"region_id": pgettext("rulesets", "Unknown region.")})
        row = service.create(me(), family=data["family"], region=region, title=data["title"],
                             payload=data["payload"], key=data.get("key"))
        db.session.flush()
        return row


@blp.route("/<int:rule_set_id>")
class RuleSetItem(MethodView):
    @blp.response(200, RuleSetSchema)
    def get(self, rule_set_id):
        """One version."""
        return _get(rule_set_id)


@blp.route("/<int:rule_set_id>/preview")
class RuleSetPreview(MethodView):
    @blp.response(200, Preview)
    def get(self, rule_set_id):
        """What activating the version today would change: risk points regraded, listing proposals."""
        return service.preview(me(), _get(rule_set_id))


@blp.route("/<int:rule_set_id>/activation")
class RuleSetActivation(MethodView):
    @blp.arguments(Activation)
    @blp.response(200, RuleSetSchema)
    def post(self, data, rule_set_id):
        """Put the version in force from ``effective_from`` (today or later; 422 for a past date)."""
        row = _get(rule_set_id)
        service.activate(me(), row, effective_from=data["effective_from"])
        db.session.commit()
        return row
