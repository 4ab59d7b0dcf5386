"""/api/v1/listings: the listings a user may see, and the supervisor's decision on a proposal."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import access
from app import api as api_base
from app.extensions import db
from app.paging import paginate
from app.supervision import service
from app.supervision.models import Listing, ListingState

blp = api_base.api_blueprint("listings_api", __name__, "/listings", "Listings for supervision (挂牌督办)")


class ListingArgs(api_base.PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in ListingState]))


class ListingSchema(Schema):
    id = fields.Integer()
    hazard_id = fields.Integer()
    enterprise_id = fields.Integer()
    rule = fields.String()
    source = fields.Function(lambda o: o.source.value)
    state = fields.Function(lambda o: o.state.value)
    authority_id = fields.Integer()
    level = fields.Function(lambda o: o.level.value)
    # Set when no authority existed at the rule's level and the proposal went to the nearest one.
    requested_level = fields.Function(lambda o: o.requested_level.value if o.requested_level else None)
    grade = fields.String()
    deadline = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    dismiss_reason = fields.String()
    proposed_at = api_base.Timestamp()
    decided_at = api_base.Timestamp(allow_none=True)
    document_id = fields.Function(lambda o: o.notice_document_id)
    delisting_document_id = fields.Integer(allow_none=True)
    supervising_unit = fields.String()
    supervising_person = fields.String()
    basis = fields.String()


class DecisionArgs(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["list", "dismiss"]))
    reason = fields.String(load_default="", validate=validate.Length(max=2000))
    deadline = fields.Date(load_default=None, allow_none=True)
    requirements = fields.String(load_default="", validate=validate.Length(max=4000))
    supervising_person = fields.String(load_default="", validate=validate.Length(max=64))
    basis = fields.String(load_default="", validate=validate.Length(max=2000))


@blp.route("", methods=["GET"])
@blp.arguments(ListingArgs, location="query")
@blp.response(200, api_base.page_schema(ListingSchema))
def list_listings(args):
    """Listings visible to the user (region subtree; an enterprise sees its listed ones)."""
    stmt = access.visible(Listing, current_user)
    if args.get("state"):
        stmt = stmt.where(Listing.state == ListingState(args["state"]))
    return paginate(stmt.order_by(Listing.id.desc()), args["page"], args["per_page"])


@blp.route("/<int:listing_id>", methods=["GET"])
@blp.response(200, ListingSchema)
def get_listing(listing_id):
    return access.get_visible(Listing, listing_id, current_user)


@blp.route("/<int:listing_id>/decision", methods=["POST"])
@blp.arguments(DecisionArgs)
@blp.response(200, ListingSchema)
def decide(args, listing_id):
    """List (issues the supervision notice) or dismiss (with a reason) a proposal."""
    listing = service.decide(listing_id, current_user, args["action"], reason=args["reason"],
                             deadline=args["deadline"], requirements=args["requirements"],
                             supervising_person=args["supervising_person"], basis=args["basis"])
    db.session.commit()
    return listing
