"""/api/v1/inspections: record an on-site inspection (its problems become hazards, the order and the
printed record are issued) and read it back.

``POST /api/v1/inspections`` ``{"enterprise_id", "started_at", "ended_at", "place", "second_officer_id",
"enterprise_person", "findings"?, "problems": [{"description", "location", "provision", "provision_id"?,
"major": bool, "criterion"?, "deadline"}]}``: the caller is the first officer. ``started_at`` and
``ended_at`` are RFC 3339 timestamps (a time without offset is China time) on the same local day.
``criterion`` is the id of the clause of the criteria library a major problem was judged against.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import access
from app import api as api_base
from app.clock import LOCAL_TZ
from app.errors import Invalid
from app.extensions import db
from app.idempotency import idempotent
from app.paging import paginate
from app.supervision import inspections
from app.supervision.models import Inspection

blp = api_base.api_blueprint("inspections_api", __name__, "/inspections", "On-site inspections (现场检查)")


class ProblemArgs(Schema):
    description = fields.String(required=True, validate=validate.Length(min=1, max=200))
    location = fields.String(load_default="", validate=validate.Length(max=200))
    provision = fields.String(load_default="", validate=validate.Length(max=500))
    provision_id = fields.Integer(strict=True, load_default=None, allow_none=True)
    major = fields.Boolean(load_default=False)
    criterion = fields.Integer(strict=True, load_default=None, allow_none=True)
    deadline = fields.Date(required=True)


class InspectionArgs(Schema):
    enterprise_id = fields.Integer(strict=True, required=True)
    started_at = api_base.Timestamp(required=True)
    ended_at = api_base.Timestamp(required=True)
    place = fields.String(load_default="", validate=validate.Length(max=255))
    second_officer_id = fields.Integer(strict=True, required=True)
    enterprise_person = fields.String(load_default="", validate=validate.Length(max=64))
    findings = fields.String(load_default="", validate=validate.Length(max=4000))
    problems = fields.List(fields.Nested(ProblemArgs), required=True,
                           validate=validate.Length(min=1, max=inspections.MAX_ITEMS))


class HazardOut(Schema):
    id = fields.Integer()
    code = fields.String()
    title = fields.String()
    level = api_base.Value()
    state = api_base.Value()
    deadline = fields.Date(allow_none=True)


class ItemOut(Schema):
    position = fields.Integer()
    hazard = fields.Nested(HazardOut)
    deadline = fields.Date()
    location = fields.Function(lambda o: o.hazard.location or "")
    provision = fields.String()
    major = fields.Boolean()
    criterion = fields.Integer(attribute="criterion_id", allow_none=True)
    criterion_text = fields.String()


class InspectionOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    authority_id = fields.Integer()
    started_at = fields.Method("_started")
    ended_at = fields.Method("_ended")
    place = fields.String()
    officer_id = fields.Integer()
    second_officer_id = fields.Integer()
    enterprise_person = fields.String()
    findings = fields.String()
    major_hazard_count = fields.Method("_majors")
    problems = fields.List(fields.Nested(ItemOut), attribute="items")
    hazards = fields.Method("_hazards")
    order_document_id = fields.Integer(allow_none=True)
    record_document_id = fields.Integer(allow_none=True)
    review_document_id = fields.Integer(allow_none=True)
    created_at = api_base.Timestamp()

    def _moment(self, inspection, t):
        local = datetime.combine(inspection.inspected_on, t, tzinfo=LOCAL_TZ)
        return local.isoformat()

    def _started(self, inspection):
        return self._moment(inspection, inspection.start_time)

    def _ended(self, inspection):
        return self._moment(inspection, inspection.end_time)

    def _majors(self, inspection):
        return sum(1 for item in inspection.items if item.major)

    def _hazards(self, inspection):
        return HazardOut(many=True).dump([item.hazard for item in inspection.items])


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=LOCAL_TZ) if value.tzinfo is None else value.astimezone(LOCAL_TZ)


@blp.route("", methods=["POST"])
@idempotent
@blp.arguments(InspectionArgs)
@blp.response(201, InspectionOut)
def create(args):
    """Record an inspection: one government-found hazard per problem; answers the hazards and the ids
    of the rectification order and of the printed record."""
    started, ended = _local(args["started_at"]), _local(args["ended_at"])
    if ended.date() != started.date():
        raise Invalid(fields={"ended_at": _("The inspection must end on the day it started.")})
    problems = [inspections.Problem(
        title=p["description"], location=p["location"], deadline=p["deadline"], provision=p["provision"],
        provision_id=p["provision_id"], major=p["major"], criterion_id=p["criterion"]) for p in args["problems"]]
    inspection = inspections.record(
        current_user, enterprise_id=args["enterprise_id"], inspected_on=started.date(),
        start_time=started.time().replace(tzinfo=None, microsecond=0),
        end_time=ended.time().replace(tzinfo=None, microsecond=0),
        second_officer_id=args["second_officer_id"], problems=problems, place=args["place"],
        findings=args["findings"], enterprise_person=args["enterprise_person"])
    db.session.flush()  # the answer needs the ids; @idempotent commits
    return inspection


class InspectionListArgs(api_base.PageArgs):
    enterprise_id = fields.Integer()


@blp.route("", methods=["GET"])
@blp.arguments(InspectionListArgs, location="query")
@blp.response(200, api_base.page_schema(InspectionOut))
def list_inspections(args):
    """The inspections the caller may see, newest first (filter ``enterprise_id``)."""
    stmt = inspections.inspections_for(current_user)
    if args.get("enterprise_id"):
        stmt = stmt.where(Inspection.enterprise_id == args["enterprise_id"])
    return paginate(stmt, args["page"], args["per_page"])


@blp.route("/<int:inspection_id>", methods=["GET"])
@blp.response(200, InspectionOut)
def get(inspection_id: int):
    """One inspection the caller may see (404 otherwise)."""
    inspection = access.get_visible(Inspection, inspection_id, current_user)
    access.require(current_user, "inspection.list")
    return inspection
