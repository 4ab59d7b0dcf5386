"""``GET /api/v1/audit-log``: the administrative actions the caller may see (admin: all; an
authority's administrator: its region's), newest first, in the list envelope."""

from __future__ import annotations

from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, ValidationError, fields, validates_schema

from app import access
from app.admin_log import AuditEntry, bound, search
from app.api import PageArgs, Timestamp, api_blueprint, page_schema
from app.paging import paginate

blp = api_blueprint("audit_api", __name__, "", "Audit log of administrative actions (append-only).")


class AuditEntrySchema(Schema):
    id = fields.Integer()
    at = Timestamp()
    actor_id = fields.Integer(allow_none=True, metadata={"description": "None: a command run on the server"})
    actor_address = fields.String(metadata={"description": "The client's network address"})
    action = fields.String(metadata={"description": "create, update, retire, reactivate, transfer, merge, "
                                                    "import, reconfigure, reset_password, ..."})
    object_type = fields.String()
    object_id = fields.Integer(allow_none=True)
    region_id = fields.Integer(allow_none=True)
    summary = fields.String()
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AuditQuery(PageArgs):
    actor_id = fields.Integer()
    object_type = fields.String(metadata={"description": "enterprise, department, user, region, authority, ..."})
    action = fields.String()
    from_ = fields.String(data_key="from", metadata={
        "description": "From this local date (2026-11-30) or timestamp with offset, inclusive"})
    to = fields.String(metadata={"description": "To this local date (inclusive) or timestamp (exclusive)"})

    @validates_schema
    def _bounds(self, data, **_kw):
        errors = {}
        for key, end in (("from_", False), ("to", True)):
            try:
                bound(data.get(key), end=end)
            except ValueError:
                errors[key.rstrip("_")] = [_("A date (2026-11-30) or a timestamp with its offset.")]
        if errors:
            raise ValidationError(errors)


@blp.route("/audit-log")
class AuditLog(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, page_schema(AuditEntrySchema))
    def get(self, args):
        """Administrative actions, newest first: who, when, from which address, what, before → after.
        Filters: actor_id, object_type, action, from, to. Admin and authority administrators (403 for others)."""
        user = current_user._get_current_object()
        access.require(user, "audit.browse")
        start, end = bound(args.get("from_")), bound(args.get("to"), end=True)
        stmt = search(access.visible(AuditEntry, user), actor_id=args.get("actor_id"),
                      object_type=args.get("object_type"), action=args.get("action"), start=start, end=end)
        return paginate(stmt, args["page"], args["per_page"])
