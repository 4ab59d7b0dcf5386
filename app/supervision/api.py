"""/api/v1/listings: the listings a user may see, and the supervisor's decision on a proposal."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from app import access
from app import api as api_base
from app.extensions import db
from app.idempotency import idempotent
from app.paging import paginate
from app.supervision import delisting, service
from app.supervision.models import DelistingApplication, Listing, ListingState

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


class PublicationArgs(api_base.PageArgs):
    authority_id = fields.Integer(load_default=None)  # default: the caller's authority (admin: all)
    first = fields.Date(load_default=None, data_key="from")  # default: 1 January of this year
    last = fields.Date(load_default=None, data_key="to")  # default: today


class PublicationItem(ListingSchema):
    enterprise = fields.Function(lambda o: o.enterprise.name)
    hazard = fields.Function(lambda o: o.hazard.title)
    hazard_code = fields.Function(lambda o: o.hazard.code)
    authority = fields.Function(lambda o: o.authority.name)
    delisted_at = api_base.Timestamp(allow_none=True)


@blp.route("/publication", methods=["GET"])
@blp.arguments(PublicationArgs, location="query")
@blp.response(200, api_base.page_schema(PublicationItem))
def publication(args):
    """挂牌督办 / 摘牌 公告: the authority's items listed or delisted in the period ``from``..``to``."""
    stmt = delisting.publication(current_user, authority_id=args["authority_id"], first=args["first"],
                                 last=args["last"])
    return paginate(stmt, args["page"], args["per_page"])


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


class ApplicationArgs(Schema):
    note = fields.String(load_default="", validate=validate.Length(max=2000))


class ApplicationOut(Schema):
    id = fields.Integer()
    listing_id = fields.Integer()
    applied_by_id = fields.Integer()
    applied_at = api_base.Timestamp()
    note = fields.String()
    evaluation_sha256 = fields.String()
    review_due = fields.Date()
    reviewed_on = fields.Date(allow_none=True)
    officer_id = fields.Integer(allow_none=True)
    second_officer_id = fields.Integer(allow_none=True)
    passed = fields.Boolean(allow_none=True)
    opinion = fields.String()


class ReviewArgs(Schema):
    second_officer_id = fields.Integer(strict=True, required=True)
    passed = fields.Boolean(required=True)
    opinion = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    reviewed_on = fields.Date(load_default=None, allow_none=True)


@blp.route("/<int:listing_id>/delisting-application", methods=["GET"])
@blp.arguments(api_base.PageArgs, location="query")
@blp.response(200, api_base.page_schema(ApplicationOut))
def applications(args, listing_id):
    """The enterprise's delisting applications of the listing, with their reviews."""

    listing = access.get_visible(Listing, listing_id, current_user)
    stmt = select(DelistingApplication).where(DelistingApplication.listing_id == listing.id)
    return paginate(stmt.order_by(DelistingApplication.id), args["page"], args["per_page"])


@blp.route("/<int:listing_id>/delisting-application", methods=["POST"])
@idempotent
@blp.arguments(ApplicationArgs, location="form")
@blp.response(201, ApplicationOut)
def apply_delisting(args, listing_id):
    """The enterprise applies to lift the listing; multipart ``evaluation``: the evaluation report (PDF)."""
    upload = request.files.get("evaluation")
    evaluation = (upload.filename or "evaluation.pdf", upload.read()) if upload is not None else None
    row = delisting.apply(current_user, listing_id, evaluation=evaluation, note=args["note"])
    db.session.flush()
    return row


@blp.route("/<int:listing_id>/delisting-review", methods=["POST"])
@blp.arguments(ReviewArgs)
@blp.response(200, ApplicationOut)
def review_delisting(args, listing_id):
    """The listing authority's on-site review; passed: accepted, delisted, notice issued."""
    row = delisting.review(current_user, listing_id, **args)
    db.session.commit()
    return row
