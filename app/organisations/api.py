"""JSON API of organisations: enterprises, regions, authorities, users (reads scoped; writes checked by
the use cases: admin everywhere, an authority's administrator in its region, an enterprise's manager
for his own staff).

Lists answer the one envelope ``{items, page, per_page, total, has_next}`` (app/paging.py). Bad input is 422 with
``fields``; an id the caller may not see is 404 (or, inside a body, 422 "unknown ..." on its field).
"""

from __future__ import annotations

from functools import wraps

from flask.views import MethodView
from flask_login import current_user
from marshmallow import Schema, fields, validate
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app import access
from app.api import PageArgs, Timestamp, api_blueprint, page_schema
from app.auth.models import Role, User
from app.errors import Conflict
from app.extensions import db
from app.idempotency import idempotent
from app.organisations import accounts
from app.organisations import service as org
from app.organisations.lookups import visible_or_none
from app.organisations.models import (
    Authority,
    Department,
    Enterprise,
    EnterpriseScale,
    EnterpriseTransfer,
    Industry,
    Region,
    RegionLevel,
    StandardisationLevel,
)
from app.paging import paginate

blp = api_blueprint("organisations_api", __name__, "",
                    "Organisations: regions, authorities, enterprises and users (admin writes).")


def me() -> User:
    return current_user._get_current_object()


def requires(action: str, model=None, id_arg: str | None = None):
    """Answer 404/403 before the body is parsed, so that a caller who may not write gets that rather
    than a validation report (422) about his body. Only the order of the answers: the use case
    checks scope and permission itself."""
    def decorate(fn):
        @wraps(fn)
        def wrapper(*args, **kw):
            obj = access.get_visible(model, kw[id_arg], me()) if model is not None else None
            access.require(me(), action, obj)
            return fn(*args, **kw)
        return wrapper
    return decorate


def commit():
    try:
        db.session.commit()
    except IntegrityError:  # a concurrent request took the same unique value first
        db.session.rollback()
        raise Conflict() from None


def page_of(stmt, args):
    return paginate(stmt, args["page"], args["per_page"])


# --- schemas ---------------------------------------------------------------------------------

class RegionSchema(Schema):
    id = fields.Integer(dump_only=True)
    code = fields.String()
    name = fields.String()
    level = fields.Function(lambda r: r.level.value, metadata={"enum": [v.value for v in RegionLevel]})
    parent_id = fields.Integer(allow_none=True)
    path = fields.String(dump_only=True, metadata={"description": "Ids from the root, e.g. /1/4/9/"})


class RegionCreate(Schema):
    code = fields.String(required=True, metadata={"description": "Administrative division code (digits)"})
    name = fields.String(required=True)
    level = fields.String(required=True, metadata={"enum": [v.value for v in RegionLevel]})
    parent_id = fields.Integer(allow_none=True, load_default=None)


class RegionPatch(Schema):
    code = fields.String()
    name = fields.String()


class AuthoritySchema(Schema):
    id = fields.Integer(dump_only=True)
    region_id = fields.Integer()
    level = fields.Function(lambda a: a.level.value)
    name = fields.String()
    abbreviation = fields.String()
    review_body = fields.String()
    court = fields.String()
    address = fields.String()
    phone = fields.String()


class AuthorityCreate(Schema):
    region_id = fields.Integer(required=True)
    name = fields.String(required=True)
    abbreviation = fields.String(required=True, metadata={"description": "Used in document numbers: （X）应急责改"})
    review_body = fields.String(required=True, metadata={"description": "Administrative review body"})
    court = fields.String(required=True, metadata={"description": "Court for administrative litigation"})
    address = fields.String(load_default="")
    phone = fields.String(load_default="")


class AuthorityPatch(Schema):
    region_id = fields.Integer()
    name = fields.String()
    abbreviation = fields.String()
    review_body = fields.String()
    court = fields.String()
    address = fields.String()
    phone = fields.String()


ENTERPRISE_DETAILS = ("address", "legal_representative", "principal_name", "principal_phone",
                      "safety_manager_name", "safety_manager_phone")


class EnterpriseSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String()
    credit_code = fields.String(metadata={"description": "统一社会信用代码 (GB 32100, with check digit)"})
    region_id = fields.Integer()
    region_name = fields.Function(lambda e: e.region.name)
    industry_id = fields.Integer()
    industry = fields.Function(lambda e: e.industry.code)
    address = fields.String()
    legal_representative = fields.String()
    principal_name = fields.String()
    principal_phone = fields.String()
    safety_manager_name = fields.String()
    safety_manager_phone = fields.String()
    standardisation_level = fields.Function(lambda e: e.standardisation_level.value)
    scale = fields.Function(lambda e: e.scale.value)
    created_at = Timestamp(dump_only=True)


class EnterprisePatch(Schema):
    name = fields.String()
    credit_code = fields.String()
    region_id = fields.Integer(metadata={"description": "Moving to another region is a recorded transfer: "
                                                        "POST /enterprises/{id}/transfers (422 here)"})
    industry_id = fields.Integer()
    address = fields.String()
    legal_representative = fields.String()
    principal_name = fields.String()
    principal_phone = fields.String()
    safety_manager_name = fields.String()
    safety_manager_phone = fields.String()
    standardisation_level = fields.String(metadata={"enum": [v.value for v in StandardisationLevel]})
    scale = fields.String(metadata={"enum": [v.value for v in EnterpriseScale]})


class EnterpriseCreate(EnterprisePatch):
    name = fields.String(required=True)
    credit_code = fields.String(required=True)
    region_id = fields.Integer(required=True)
    industry_id = fields.Integer(required=True)


class EnterpriseQuery(PageArgs):
    q = fields.String(metadata={"description": "Part of the name or of the credit code"})
    region_id = fields.Integer(metadata={"description": "This region and every region below it"})
    industry_id = fields.Integer()
    industry = fields.String(metadata={"description": "Industry code, e.g. hazardous_chemicals"})


class TransferSchema(Schema):
    id = fields.Integer(dump_only=True)
    enterprise_id = fields.Integer(dump_only=True)
    from_region_id = fields.Integer(dump_only=True)
    to_region_id = fields.Integer(dump_only=True)
    reason = fields.String(dump_only=True)
    transferred_by_id = fields.Integer(dump_only=True)
    transferred_at = Timestamp(dump_only=True)


class TransferCreate(Schema):
    region_id = fields.Integer(required=True, metadata={"description": "The new region"})
    reason = fields.String(required=True, metadata={"description": "Why the enterprise moves (at most 500 characters)"})


class IndustrySchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class DepartmentSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    level = fields.Function(lambda d: d.level.value, metadata={"enum": ["department", "workshop", "team", "post"]})
    parent_id = fields.Integer(allow_none=True)
    path = fields.String()
    retired_at = Timestamp(allow_none=True, metadata={"description": "When the unit was retired (null: in use)"})


class UserSchema(Schema):
    id = fields.Integer(dump_only=True)
    username = fields.String()
    display_name = fields.String()
    role = fields.Function(lambda u: u.role.value, metadata={"enum": [r.value for r in Role]})
    enterprise_id = fields.Integer(allow_none=True)
    authority_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    post_id = fields.Integer(allow_none=True)
    phone = fields.String()
    email = fields.String()
    certificate_no = fields.String()
    active = fields.Boolean()
    must_change_password = fields.Boolean(dump_only=True)
    created_at = Timestamp(dump_only=True)


class UserPatch(Schema):
    display_name = fields.String()
    role = fields.String(metadata={"enum": [r.value for r in Role]})
    enterprise_id = fields.Integer(allow_none=True)
    authority_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    post_id = fields.Integer(allow_none=True, metadata={"description": "A unit of level post of the enterprise"})
    phone = fields.String(metadata={"description": "Mainland mobile number (11 digits), for notifications"})
    email = fields.String()
    certificate_no = fields.String()
    active = fields.Boolean()
    password = fields.String(load_only=True, metadata={"description": "A new password (at least 8 characters)"})


class UserCreate(UserPatch):
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    role = fields.String(required=True, metadata={"enum": [r.value for r in Role]})
    password = fields.String(required=True, load_only=True)


class UserQuery(PageArgs):
    q = fields.String(metadata={"description": "Part of the username or display name"})
    role = fields.String(validate=validate.OneOf([r.value for r in Role]))
    enterprise_id = fields.Integer()
    authority_id = fields.Integer()


# --- regions ---------------------------------------------------------------------------------

@blp.route("/regions")
class RegionList(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(RegionSchema))
    def get(self, args):
        """Regions the caller may see, as a tree in path order (government users and admin)."""
        access.require(me(), "organisation.browse")
        return page_of(access.visible(Region, me()).order_by(Region.path), args)

    @idempotent
    @requires("region.edit")
    @blp.arguments(RegionCreate)
    @blp.response(201, RegionSchema)
    def post(self, data):
        """Create a region (admin)."""
        return org.create_region(me(), data.pop("parent_id", None), **data)  # @idempotent commits


@blp.route("/regions/<int:region_id>")
class RegionItem(MethodView):
    @blp.response(200, RegionSchema)
    def get(self, region_id):
        """One region (404 outside the caller's view)."""
        return access.get_visible(Region, region_id, me())

    @requires("region.edit", Region, "region_id")
    @blp.arguments(RegionPatch)
    @blp.response(200, RegionSchema)
    def patch(self, data, region_id):
        """Change a region's code or name (admin)."""
        region = org.update_region(me(), region_id, **data)
        commit()
        return region


# --- authorities -----------------------------------------------------------------------------

@blp.route("/authorities")
class AuthorityList(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(AuthoritySchema))
    def get(self, args):
        """Authorities the caller may see (government users and admin)."""
        access.require(me(), "organisation.browse")
        stmt = access.visible(Authority, me()).join(Region).order_by(Region.path, Authority.name)
        return page_of(stmt, args)

    @idempotent
    @requires("authority.edit")
    @blp.arguments(AuthorityCreate)
    @blp.response(201, AuthoritySchema)
    def post(self, data):
        """Create a supervising authority (admin)."""
        return org.create_authority(me(), **data)  # @idempotent commits


@blp.route("/authorities/<int:authority_id>")
class AuthorityItem(MethodView):
    @blp.response(200, AuthoritySchema)
    def get(self, authority_id):
        """One authority (404 outside the caller's view)."""
        return access.get_visible(Authority, authority_id, me())

    @requires("authority.edit", Authority, "authority_id")
    @blp.arguments(AuthorityPatch)
    @blp.response(200, AuthoritySchema)
    def patch(self, data, authority_id):
        """Change an authority (admin)."""
        authority = org.update_authority(me(), authority_id, **data)
        commit()
        return authority


# --- enterprises -----------------------------------------------------------------------------

@blp.route("/enterprises")
class EnterpriseList(MethodView):
    @blp.arguments(EnterpriseQuery, location="query")
    @blp.response(200, page_schema(EnterpriseSchema))
    def get(self, args):
        """Enterprises the caller may see, by name; filters: q, region_id (with its subtree), industry."""
        stmt = access.visible(Enterprise, me())
        if args.get("q"):
            q = args["q"].strip()
            stmt = stmt.where(or_(Enterprise.name.icontains(q, autoescape=True),
                                  Enterprise.credit_code.icontains(q.upper(), autoescape=True)))
        if args.get("region_id") is not None:
            region = visible_or_none(Region, args["region_id"], me())
            path = region.path if region is not None else "/-/"  # an unknown region matches nothing
            stmt = stmt.where(Enterprise.region_id.in_(access.region_subtree(path)))
        if args.get("industry_id") is not None:
            stmt = stmt.where(Enterprise.industry_id == args["industry_id"])
        if args.get("industry"):
            stmt = stmt.join(Industry).where(Industry.code == args["industry"])
        return page_of(stmt.order_by(Enterprise.name, Enterprise.id), args)

    @idempotent
    @requires("enterprise.create")
    @blp.arguments(EnterpriseCreate)
    @blp.response(201, EnterpriseSchema)
    def post(self, data):
        """Create an enterprise (admin; an authority's administrator in its region, else 403); the credit
        code is checked with its check digit and must not be registered already."""
        return org.create_enterprise(me(), **data)  # @idempotent commits


@blp.route("/enterprises/<int:enterprise_id>")
class EnterpriseItem(MethodView):
    @blp.response(200, EnterpriseSchema)
    def get(self, enterprise_id):
        """One enterprise (404 outside the caller's view)."""
        return access.get_visible(Enterprise, enterprise_id, me())

    @requires("enterprise.edit_master", Enterprise, "enterprise_id")
    @blp.arguments(EnterprisePatch)
    @blp.response(200, EnterpriseSchema)
    def patch(self, data, enterprise_id):
        """Change an enterprise (admin; an authority's administrator in its region: 404 outside it)."""
        enterprise = org.update_enterprise(me(), enterprise_id, **data)
        commit()
        return enterprise


@blp.route("/enterprises/<int:enterprise_id>/transfers")
class EnterpriseTransfers(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(TransferSchema))
    def get(self, args, enterprise_id):
        """The enterprise's transfers between regions, oldest first."""
        enterprise = access.get_visible(Enterprise, enterprise_id, me())
        return page_of(select(EnterpriseTransfer).where(EnterpriseTransfer.enterprise_id == enterprise.id)
                       .order_by(EnterpriseTransfer.id), args)

    @idempotent
    @requires("enterprise.transfer", Enterprise, "enterprise_id")
    @blp.arguments(TransferCreate)
    @blp.response(201, TransferSchema)
    def post(self, data, enterprise_id):
        """Move the enterprise to another region (admin), recorded with the reason. What an authority
        found, issued or listed before stays visible to it; the new region's authorities take over."""
        return org.transfer_enterprise(me(), enterprise_id, region=data["region_id"], reason=data["reason"])


@blp.route("/enterprises/<int:enterprise_id>/departments")
class EnterpriseDepartments(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(DepartmentSchema))
    def get(self, args, enterprise_id):
        """The enterprise's units (department > workshop > team > post) in tree order."""
        enterprise = access.get_visible(Enterprise, enterprise_id, me())
        return page_of(select(Department).where(Department.enterprise_id == enterprise.id)
                       .order_by(Department.path), args)


@blp.route("/industries")
class IndustryList(MethodView):
    @blp.arguments(PageArgs, location="query")
    @blp.response(200, page_schema(IndustrySchema))
    def get(self, args):
        """The industry code table (ids for enterprise filters and writes)."""
        return page_of(select(Industry).order_by(Industry.id), args)


# --- users -----------------------------------------------------------------------------------

@blp.route("/users")
class UserList(MethodView):
    @blp.arguments(UserQuery, location="query")
    @blp.response(200, page_schema(UserSchema))
    def get(self, args):
        """Users the caller may see (not for enterprise staff); filters: q, role, enterprise, authority."""
        access.require(me(), "user.browse")
        stmt = access.visible(User, me())
        if args.get("q"):
            q = args["q"].strip()
            stmt = stmt.where(or_(User.username.icontains(q, autoescape=True),
                                  User.display_name.icontains(q, autoescape=True)))
        if args.get("role"):
            stmt = stmt.where(User.role == Role(args["role"]))
        if args.get("enterprise_id") is not None:
            stmt = stmt.where(User.enterprise_id == args["enterprise_id"])
        if args.get("authority_id") is not None:
            stmt = stmt.where(User.authority_id == args["authority_id"])
        return page_of(stmt.order_by(User.username), args)

    @idempotent
    @requires("user.edit")
    @blp.arguments(UserCreate)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a user. Admin: any. An authority's administrator: the enterprise accounts of its
        region and the accounts of its own authority. An enterprise's manager: enterprise_staff and
        enterprise_manager of his own enterprise (enterprise_id may be left out). Anything else 403.
        Enterprise roles need enterprise_id, government roles authority_id. The password must be
        changed at the first login (``must_change_password``)."""
        data.pop("active", None)
        return accounts.create_user(me(), **data)  # @idempotent commits


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user (404 outside the caller's view)."""
        user = access.get_visible(User, user_id, me())
        access.require(me(), "user.profile", user)
        return user

    @requires("user.edit", User, "user_id")
    @blp.arguments(UserPatch)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change a user, retire / reactivate (``active``) or set a new password (which the user must
        change at his next login); by whoever keeps the account (see POST)."""
        active, password = data.pop("active", None), data.pop("password", None)
        user = accounts.update_user(me(), user_id, **data)
        if password is not None:
            accounts.reset_password(me(), user, password)
        if active is not None:
            accounts.set_active(me(), user, active)
        commit()
        return user
