"""/api/v1/public/reports (no login: file a report, follow it by ticket and secret) and /api/v1/reports
(the authorities: screen, result, reward). Contract: issue 19."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import access, storage
from app import api as api_base
from app.errors import NotFound
from app.extensions import db
from app.paging import paginate
from app.public_reports import guard, queries, service
from app.public_reports.models import PublicReport
from workflows.public_reports import ReportCategory, ReportState

public_blp = api_base.api_blueprint("public_reports_api", __name__, "/public",
                                    "Public reports (举报), no login: file, follow by ticket")
blp = api_base.api_blueprint("reports_api", __name__, "/reports", "Public reports handled by the authorities")
PUBLIC_ENDPOINTS = ("public_reports_api.file_report", "public_reports_api.follow_report",
                    "public_reports_api.new_challenge")


class ReportForm(Schema):
    category = fields.String(required=True, validate=validate.OneOf([c.value for c in ReportCategory]))
    enterprise_name = fields.String(load_default=None, validate=validate.Length(max=128))
    location = fields.String(load_default=None, validate=validate.Length(max=255))
    description = fields.String(required=True, validate=validate.Length(min=1, max=service.TEXT_MAX))
    name = fields.String(load_default=None, validate=validate.Length(max=64))
    phone = fields.String(load_default=None, validate=validate.Length(max=32))
    authority_id = fields.Integer(load_default=None, metadata={
        "description": "The authority whose public QR code led here (optional; else routed by enterprise)"})


class TicketOut(Schema):
    ticket = fields.String()
    secret = fields.String(metadata={"description": "Shown once; stored hashed. Keep it to follow the report."})


class ReportProgressOut(Schema):
    state = api_base.Value()
    result = fields.String(allow_none=True)
    reward_state = api_base.Value(allow_none=True)
    reward_paid_on = fields.Date(allow_none=True)


class ChallengeOut(Schema):
    algorithm = fields.String()
    challenge = fields.String()
    maxnumber = fields.Integer()
    salt = fields.String()
    signature = fields.String()


@public_blp.route("/challenge", methods=["GET"])
@public_blp.response(200, ChallengeOut)
@public_blp.doc(security=[])
def new_challenge():
    """A proof-of-work challenge (ALTCHA v1): find ``number`` with SHA-256(salt + number) = challenge,
    then send base64(JSON {algorithm, challenge, number, salt, signature}) as ``X-Challenge``."""
    return guard.challenge()


@public_blp.route("/reports", methods=["POST"])
@public_blp.arguments(ReportForm, location="form")
@public_blp.response(201, TicketOut)
@public_blp.doc(security=[])
def file_report(args):
    """File a report without login (multipart, ``photos`` repeated). Rate-limited per address (429) and
    guarded by a solved challenge in the ``X-Challenge`` header (422 ``challenge``)."""
    guard.count_submission()
    guard.check_solution(request.headers.get("X-Challenge"))
    photos = [(f.filename or "photo", storage.read_limited(f)) for f in request.files.getlist("photos") if f]
    report, secret = service.submit(photos=photos, **args)
    db.session.commit()
    return {"ticket": report.ticket, "secret": secret}


@public_blp.route("/reports/<string:ticket>", methods=["GET"])
@public_blp.response(200, ReportProgressOut)
@public_blp.doc(security=[])
def follow_report(ticket):
    """The report's progress, with the secret in ``X-Report-Secret``. A wrong ticket or secret is 404
    (the same answer), and repeated wrong secrets are refused for a while (429)."""
    guard.check_lookup_budget(ticket)
    try:
        report = service.follow(ticket, request.headers.get("X-Report-Secret", ""))
    except NotFound:
        guard.count_wrong_secret(ticket)
        raise
    return queries.public_status(report)


class ReportArgs(api_base.PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in ReportState]))


class ReportItem(Schema):
    """A report as every list shows it: the reporter's identity never appears (masked on the page of a
    designated user only, in clear)."""

    id = fields.Integer()
    ticket = fields.String(allow_none=True)
    authority_id = fields.Integer()
    category = api_base.Value()
    enterprise_id = fields.Integer(allow_none=True)
    enterprise_name = fields.String()
    location = fields.String()
    description = fields.String()
    identifiable = fields.Boolean()
    state = api_base.Value()
    submitted_at = api_base.Timestamp()
    step_due = fields.Date(allow_none=True)
    substantiated = fields.Boolean(allow_none=True)
    findings = fields.String()
    hazard_id = fields.Integer(allow_none=True)
    inspection_id = fields.Integer(allow_none=True)
    result = fields.String()
    decision_reason = fields.String()
    forwarded_to_id = fields.Integer(allow_none=True)
    reward_state = api_base.Value()
    reward_amount = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string", "format": "decimal"})
    reward_basis = fields.String()
    reward_paid_on = fields.Date(allow_none=True)
    reward_method = fields.String()
    photos = fields.Function(lambda o: len(o.photos))
    version = fields.Integer()


@blp.route("", methods=["GET"])
@blp.arguments(ReportArgs, location="query")
@blp.response(200, api_base.page_schema(ReportItem))
def list_reports(args):
    """The reports of the caller's region (its authority and those below)."""
    access.require(current_user, "report.browse")
    stmt = access.visible(PublicReport, current_user)
    if args.get("state"):
        stmt = stmt.where(PublicReport.state == ReportState(args["state"]))
    return paginate(stmt.order_by(PublicReport.id.desc()), args["page"], args["per_page"])


class ReportStatsArgs(api_base.PageArgs):
    pass


class ReportStatsItem(Schema):
    authority_id = fields.Integer()
    authority = fields.String()
    region_code = fields.String()
    reports = fields.Integer()
    accepted = fields.Integer()
    verified = fields.Integer()
    substantiated = fields.Integer()
    substantiation_rate = fields.Float(allow_none=True)
    rewards_proposed = fields.Integer()
    rewards_paid = fields.Integer()
    rewards_paid_amount = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})


@blp.route("/statistics", methods=["GET"])
@blp.arguments(ReportStatsArgs, location="query")
@blp.response(200, api_base.page_schema(ReportStatsItem))
def statistics(args):
    """Per authority of the caller's region: reports, substantiation rate, rewards."""
    access.require(current_user, "report.browse")
    return queries.statistics_page(current_user, args["page"], args["per_page"])


@blp.route("/<int:report_id>", methods=["GET"])
@blp.response(200, ReportItem)
def get_report(report_id):
    return access.get_visible(PublicReport, report_id, current_user)


class ReportDecisionArgs(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["accept", "reject", "transfer"]))
    reason = fields.String(load_default=None, validate=validate.Length(max=service.TEXT_MAX))
    authority_id = fields.Integer(load_default=None, strict=True)
    version = fields.Integer(load_default=None)


@blp.route("/<int:report_id>/decision", methods=["POST"])
@blp.arguments(ReportDecisionArgs)
@blp.response(200, ReportItem)
def decide(args, report_id):
    """受理 (accept), 不予受理 (reject, ``reason``), 转办 (transfer, ``reason`` and ``authority_id``)."""
    report = service.decide(current_user, report_id, args.pop("action"), **args)
    db.session.commit()
    return report


class ResultArgs(Schema):
    substantiated = fields.Boolean(required=True)
    result = fields.String(required=True, validate=validate.Length(min=1, max=service.TEXT_MAX))
    hazard_id = fields.Integer(load_default=None, strict=True)
    version = fields.Integer(load_default=None)


@blp.route("/<int:report_id>/result", methods=["POST"])
@blp.arguments(ResultArgs)
@blp.response(200, ReportItem)
def result(args, report_id):
    """Verification and closure: substantiated or not, the result the reporter reads, the hazard."""
    report = service.record_result(current_user, report_id, **args)
    db.session.commit()
    return report


class HazardArgs(Schema):
    title = fields.String(load_default=None, validate=validate.Length(max=200))
    enterprise_id = fields.Integer(load_default=None, strict=True)
    level = fields.String(load_default=None, validate=validate.OneOf(["general", "major"]))


@blp.route("/<int:report_id>/hazard", methods=["POST"])
@blp.arguments(HazardArgs)
@blp.response(200, ReportItem)
def make_hazard(args, report_id):
    """Turn an accepted report into a government-found hazard (source: public report), linked both ways,
    as the report's page does: ``title`` (default: the description's start), ``enterprise_id`` (default:
    the report's enterprise), ``level``. Answers the report (an action on it, like ``/result``) with its
    new ``hazard_id``; 409 when the report is not accepted or already became a hazard."""
    service.make_hazard(current_user, report_id, **args)
    db.session.commit()
    return access.get_visible(PublicReport, report_id, current_user)


class InspectionLinkArgs(Schema):
    inspection_id = fields.Integer(required=True, strict=True)


@blp.route("/<int:report_id>/inspection", methods=["POST"])
@blp.arguments(InspectionLinkArgs)
@blp.response(200, ReportItem)
def link_inspection(args, report_id):
    """Link an inspection of the report's enterprise (recorded through ``POST /inspections``) to the
    accepted report, both ways, as recording it from the report's page does; 409 when the report is
    not accepted or already linked, 422 for an inspection of another enterprise or one not visible."""
    report = service.link_inspection(current_user, report_id, args["inspection_id"])
    db.session.commit()
    return report


class RewardArgs(Schema):
    amount = fields.Decimal(required=True, places=2)
    basis = fields.String(required=True, validate=validate.Length(min=1, max=service.TEXT_MAX))
    version = fields.Integer(load_default=None)


@blp.route("/<int:report_id>/reward", methods=["POST"])
@blp.arguments(RewardArgs)
@blp.response(200, ReportItem)
def propose_reward(args, report_id):
    """Propose the reward (``amount``, ``basis``: see the page's computation from the rules)."""
    report = service.propose_reward(current_user, report_id, **args)
    db.session.commit()
    return report


class ApprovalArgs(Schema):
    approved = fields.Boolean(load_default=True)
    reason = fields.String(load_default=None, validate=validate.Length(max=service.TEXT_MAX))
    version = fields.Integer(load_default=None)


@blp.route("/<int:report_id>/reward/approval", methods=["POST"])
@blp.arguments(ApprovalArgs)
@blp.response(200, ReportItem)
def approve_reward(args, report_id):
    """The supervisor's decision; the proposer himself is refused (422 ``actor``)."""
    report = service.decide_reward(current_user, report_id, **args)
    db.session.commit()
    return report


class PaymentArgs(Schema):
    paid_on = fields.Date(required=True)
    method = fields.String(required=True, validate=validate.Length(min=1, max=64))
    version = fields.Integer(load_default=None)


@blp.route("/<int:report_id>/reward/payment", methods=["POST"])
@blp.arguments(PaymentArgs)
@blp.response(200, ReportItem)
def pay_reward(args, report_id):
    report = service.pay_reward(current_user, report_id, **args)
    db.session.commit()
    return report


