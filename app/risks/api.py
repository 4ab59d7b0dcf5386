"""JSON API of the risk register (issue 4 §9). A client never supplies a score or a grade."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields
from sqlalchemy import func, select

from app import access
from app.api import PageArgs, Timestamp, api_blueprint
from app.extensions import db
from app.idempotency import idempotent
from app.risks import national_api, service
from app.risks.models import RiskAssessment, RiskPoint

blp = api_blueprint("risks_api", __name__, "/risk-points",
                    "Risk register: points (风险分析单元), their events, assessments, grades, 停用/检修")


class RiskPointIn(Schema):
    """Unknown fields (``grade``, ``score``...) are refused with 422 naming them."""

    name = fields.String(required=True)
    area = fields.String()
    object_id = fields.Integer(allow_none=True, metadata={"description": "the analysis object (风险分析对象)"})
    kind = fields.String()
    accident_types = fields.Raw()
    hazard_factors = fields.Raw()
    controls = fields.Raw()
    consequences = fields.String()
    responsible_user_id = fields.Integer(allow_none=True)
    responsible_department_id = fields.Integer(allow_none=True)
    control_level = fields.String(allow_none=True)
    review_interval_months = fields.Integer()
    enterprise_id = fields.Integer()


class RiskPointPatch(RiskPointIn):
    name = fields.String()
    status = fields.String()
    version = fields.Integer()


class RiskPointOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    name = fields.String()
    area = fields.String()
    object_id = fields.Integer(allow_none=True)
    kind = fields.String()
    hazard_factors = fields.List(fields.String())
    accident_types = fields.List(fields.String())
    controls = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))
    consequences = fields.String()
    responsible_user_id = fields.Integer(allow_none=True)
    responsible_department_id = fields.Integer(allow_none=True)
    grade = fields.String(attribute="assessed_grade", allow_none=True)
    effective_grade = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    method = fields.String(allow_none=True)
    ruleset_version = fields.String(allow_none=True)
    control_level = fields.String(allow_none=True)
    review_interval_months = fields.Integer()
    last_assessed_on = fields.Date(allow_none=True)
    next_review_on = fields.Date(allow_none=True)
    status = fields.String()
    version = fields.Integer()


class AssessmentIn(Schema):
    event_id = fields.Integer(allow_none=True, metadata={
        "description": "the risk event assessed; may be left out when the unit has a single event"})
    method = fields.String(required=True)
    inputs = fields.Dict(required=True)
    note = fields.String()


class AssessmentOut(Schema):
    id = fields.Integer()
    risk_point_id = fields.Integer()
    event_id = fields.Integer(allow_none=True)
    method = fields.String()
    inputs = fields.Dict()
    score = fields.Float(allow_none=True)
    grade = fields.String()
    ruleset_version = fields.String()
    assessor_id = fields.Integer(allow_none=True)
    assessed_on = fields.Date()
    note = fields.String()
    created_at = Timestamp()


class ListArgs(PageArgs):
    grade = fields.String()
    enterprise_id = fields.Integer()


@blp.route("", methods=["GET"])
@blp.arguments(ListArgs, location="query")
@blp.response(200, RiskPointOut(many=True))
def list_points(args):
    """Risk points the caller may see (X-Total-Count header), filterable by effective grade."""
    stmt = access.visible(RiskPoint, current_user)
    if args.get("grade"):
        stmt = stmt.where(RiskPoint.effective_grade == args["grade"])
    if args.get("enterprise_id"):
        stmt = stmt.where(RiskPoint.enterprise_id == args["enterprise_id"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(RiskPoint.id).offset((args["page"] - 1) * args["per_page"])
                              .limit(args["per_page"])).all()
    return rows, 200, {"X-Total-Count": str(total)}


@blp.route("", methods=["POST"])
@idempotent
@blp.arguments(RiskPointIn)
@blp.response(201, RiskPointOut)
def create_point(args):
    """Create a risk point (ungraded until its first assessment)."""
    enterprise = args.pop("enterprise_id", None)
    if enterprise is None:  # the caller's own register by default
        enterprise = current_user.enterprise_id
    point = service.create_point(current_user, enterprise, **args)
    db.session.flush()  # the answer needs the id; @idempotent commits
    return point


@blp.route("/<int:point_id>", methods=["GET"])
@blp.response(200, RiskPointOut)
def get_point(point_id):
    return access.get_visible(RiskPoint, point_id, current_user)


@blp.route("/<int:point_id>", methods=["PATCH"])
@blp.arguments(RiskPointPatch)
@blp.response(200, RiskPointOut)
def patch_point(args, point_id):
    version = args.pop("version", None) or _if_match()
    point = service.update_point(current_user, point_id, expected_version=version, **args)
    db.session.commit()
    return point


def _if_match() -> int | None:
    raw = (request.headers.get("If-Match") or "").strip('"')
    return int(raw) if raw.isdigit() else None


@blp.route("/<int:point_id>/assessments", methods=["GET"])
@blp.response(200, AssessmentOut(many=True))
def list_assessments(point_id):
    point = access.get_visible(RiskPoint, point_id, current_user)
    return db.session.scalars(select(RiskAssessment).where(RiskAssessment.risk_point_id == point.id)
                              .order_by(RiskAssessment.id.desc())).all()


@blp.route("/<int:point_id>/assessments", methods=["POST"])
@idempotent
@blp.arguments(AssessmentIn)
@blp.response(201, AssessmentOut)
def create_assessment(args, point_id):
    """Assess: the server computes score and grade from ``method`` and ``inputs``."""
    row = service.assess(current_user, point_id, args["method"], args["inputs"], args.get("note", ""),
                         event_id=args.get("event_id"))
    db.session.flush()  # the answer needs the id; @idempotent commits
    return row


national_api.register_point_routes(blp)
