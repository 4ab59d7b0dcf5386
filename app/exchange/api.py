"""JSON API of the exchange: push status per enterprise, asking for a push, what this platform received."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields

from app.api import PageArgs, Timestamp, api_blueprint, page_schema
from app.exchange import service
from app.extensions import db
from app.paging import paginate

blp = api_blueprint("exchange_api", __name__, "/exchange",
                    "National data exchange: push status per enterprise, received rows")


class PushStatusOut(Schema):
    enterprise_id = fields.Integer()
    enterprise_name = fields.Function(lambda s: s.enterprise.name)
    profile = fields.String()
    last_attempt_at = Timestamp(allow_none=True)
    last_success_at = Timestamp(allow_none=True)
    last_error = fields.String(allow_none=True, metadata={"description": "plain Chinese"})
    retry_at = Timestamp(allow_none=True)
    pending_rows = fields.Integer(allow_none=True, metadata={"description": "null in the list for an "
                                                             "enterprise that never pushed (see its detail)"})
    refused_rows = fields.Integer(allow_none=True)
    acknowledged_rows = fields.Integer(allow_none=True)
    never_pushed = fields.Boolean(metadata={"description": "configured to report, no push yet (尚未上报)"})


class RefusedRowOut(Schema):
    dataset = fields.String()
    row_id = fields.String()
    error = fields.String()
    attempts = fields.Integer()
    retry_at = Timestamp(allow_none=True)


class StatusDetail(PushStatusOut):
    pending_by_dataset = fields.Function(
        lambda s: s.preview_counts if s.never_pushed else s.pending_by_dataset,
        metadata={"description": "pending rows per national dataset"})
    refused = fields.List(fields.Nested(RefusedRowOut))


class ReceivedArgs(PageArgs):
    dataset = fields.String()
    company_code = fields.String()


class ReceivedOut(Schema):
    id = fields.Integer()
    company_code = fields.String()
    enterprise_id = fields.Integer(allow_none=True)
    dataset = fields.String()
    row_id = fields.String()
    deleted = fields.Boolean()
    received_at = Timestamp()
    updates = fields.Integer()
    payload = fields.Dict()


@blp.route("/status")
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(PushStatusOut))
def status_list(args):
    """Push status of the enterprises the caller may see, those configured to report that never pushed too
    (``never_pushed``; their detail gives what the first push would send)."""
    page = paginate(service.reporting_enterprises(current_user), args["page"], args["per_page"])
    page.items = service.with_statuses(page.items)
    return page


@blp.route("/status/<int:enterprise_id>")
@blp.response(200, StatusDetail)
def status_detail(enterprise_id: int):
    """One enterprise's push status, with the rows that wait on a correction."""
    status = service.status_for(current_user, enterprise_id)
    status.refused = service.refused_rows(current_user, enterprise_id)
    if not status.never_pushed:
        status.pending_by_dataset = service.pending_by_dataset(status.enterprise_id)
    return status


@blp.route("/status/<int:enterprise_id>/push", methods=["POST"])
@blp.response(202, PushStatusOut)
def push(enterprise_id: int):
    """Ask for a push now; it runs as a background job after this answer."""
    status = service.request_push(current_user, enterprise_id)
    db.session.commit()
    return status


@blp.route("/received")
@blp.arguments(ReceivedArgs, location="query")
@blp.response(200, page_schema(ReceivedOut))
def received(args):
    """Rows received from enterprises running their own instance (this project as city/park platform)."""
    stmt = service.received(current_user, args.get("dataset"), args.get("company_code"))
    return paginate(stmt, args["page"], args["per_page"])
