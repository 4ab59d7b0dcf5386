"""JSON API of the national risk model (issue 13): analysis objects, risk events, control measures,
停用/检修 records. Lists use the list envelope ``{items, page, per_page, total, has_next}``."""

from __future__ import annotations

from flask import request
from flask_login import current_user
from marshmallow import Schema, fields
from sqlalchemy import select

from app import access
from app.api import PageArgs, Timestamp, api_blueprint
from app.extensions import db
from app.idempotency import idempotent
from app.paging import paginate
from app.risks import events, objects, service
from app.risks.models import ControlMeasure, RiskEvent, RiskObject, Suspension

objects_blp = api_blueprint("risk_objects_api", __name__, "/risk-objects",
                            "National risk model: analysis objects (风险分析对象), 包保 persons, 停用/检修")
events_blp = api_blueprint("risk_events_api", __name__, "/risk-events",
                           "National risk model: risk events (风险事件) and their control measures (管控措施)")
measures_blp = api_blueprint("control_measures_api", __name__, "/measures", "Control measures (管控措施)")


def page_schema(item_schema: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({"items": fields.List(fields.Nested(item_schema)), "page": fields.Integer(),
                             "per_page": fields.Integer(), "total": fields.Integer(),
                             "has_next": fields.Boolean()}, name=name)


def page_of(stmt, args) -> dict:
    page = paginate(stmt, args["page"], args["per_page"])
    return {"items": page.items, **page.meta, "has_next": page.page < page.pages}


def _if_match() -> int | None:
    raw = (request.headers.get("If-Match") or "").strip('"')
    return int(raw) if raw.isdigit() else None


# --- schemas ---------------------------------------------------------------------------------------

class ObjectIn(Schema):
    name = fields.String(required=True)
    enterprise_id = fields.Integer(metadata={"description": "Authorities and admin; default: the caller's own"})
    kind = fields.String()
    description = fields.String()
    hazard_source_code = fields.String(allow_none=True, metadata={"description": "危险源编码 (危化品登记系统)"})
    major_hazard_level = fields.Raw(allow_none=True, metadata={"description": "1–4 (GB 18218), or null"})
    principal_user_id = fields.Integer(allow_none=True)
    technical_user_id = fields.Integer(allow_none=True)
    operator_user_id = fields.Integer(allow_none=True)


class ObjectPatch(ObjectIn):
    name = fields.String()
    status = fields.String(metadata={"enum": ["active", "retired"]})
    version = fields.Integer()


class ObjectOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    description = fields.String()
    hazard_source_code = fields.String(allow_none=True)
    major_hazard_level = fields.Integer(allow_none=True)
    principal_user_id = fields.Integer(allow_none=True)
    technical_user_id = fields.Integer(allow_none=True)
    operator_user_id = fields.Integer(allow_none=True)
    status = fields.String()
    created_at = Timestamp()
    version = fields.Integer()


class ObjectListArgs(PageArgs):
    enterprise_id = fields.Integer()
    major = fields.Boolean(metadata={"description": "only major hazard sources (true) or only the others"})


class EventIn(Schema):
    name = fields.String(required=True)
    accident_type = fields.String(allow_none=True, metadata={"description": "GB 6441 code"})
    description = fields.String()


class EventPatch(EventIn):
    name = fields.String()


class EventOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    risk_point_id = fields.Integer()
    name = fields.String()
    description = fields.String()
    accident_type = fields.String(allow_none=True)
    initial_grade = fields.String(allow_none=True)
    current_grade = fields.String(allow_none=True)
    method = fields.String(allow_none=True)
    score = fields.Float(allow_none=True)
    ruleset_version = fields.String(allow_none=True)
    last_assessed_on = fields.Date(allow_none=True)
    position = fields.Integer()


class MeasureIn(Schema):
    description = fields.String(required=True)
    classify1 = fields.Raw(required=True, metadata={"description": "1 工程技术, 2 维护保养, 3 操作行为, 4 应急措施"})
    classify2 = fields.String(required=True, metadata={"description": "e.g. 1-2 (national 17 sub-classes)"})
    classify3 = fields.String(metadata={"description": "the enterprise's own class"})
    data_source = fields.String(metadata={"enum": ["manual", "automatic"]})
    check_content = fields.String(metadata={"description": "排查内容"})


class MeasurePatch(MeasureIn):
    description = fields.String()
    classify1 = fields.Raw()
    classify2 = fields.String()
    active = fields.Boolean()


class MeasureOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    risk_point_id = fields.Integer()
    event_id = fields.Integer()
    description = fields.String()
    classify1 = fields.String()
    classify2 = fields.String()
    classify3 = fields.String()
    data_source = fields.String()
    check_content = fields.String()
    legacy_key = fields.String(allow_none=True)
    position = fields.Integer()
    active = fields.Boolean()


class SuspensionIn(Schema):
    starts_at = fields.String(required=True, metadata={"description": "ISO date-time; without an offset: China time"})
    ends_at = fields.String(required=True)
    reason = fields.String(required=True)


class SuspensionOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    object_id = fields.Integer(allow_none=True)
    risk_point_id = fields.Integer(allow_none=True)
    starts_at = Timestamp()
    ends_at = Timestamp()
    reason = fields.String()
    created_by_id = fields.Integer(allow_none=True)
    created_at = Timestamp()


class ListArgs(PageArgs):
    pass


class MeasureListArgs(PageArgs):
    active = fields.Boolean(metadata={"description": "default: active measures only; false: the retired ones"})


# --- analysis objects ----------------------------------------------------------------------------------

@objects_blp.route("", methods=["GET"])
@objects_blp.arguments(ObjectListArgs, location="query")
@objects_blp.response(200, page_schema(ObjectOut, "RiskObjectPage"))
def list_objects(args):
    """Analysis objects the caller may see."""
    stmt = access.visible(RiskObject, current_user)
    if args.get("enterprise_id"):
        stmt = stmt.where(RiskObject.enterprise_id == args["enterprise_id"])
    if "major" in args:
        stmt = stmt.where(RiskObject.major_hazard_level.is_not(None) if args["major"]
                          else RiskObject.major_hazard_level.is_(None))
    return page_of(stmt.order_by(RiskObject.enterprise_id, RiskObject.name, RiskObject.id), args)


@objects_blp.route("", methods=["POST"])
@idempotent
@objects_blp.arguments(ObjectIn)
@objects_blp.response(201, ObjectOut)
def create_object(args):
    """Create an analysis object; a major hazard source (``major_hazard_level`` 1–4) needs its three 包保 persons."""
    enterprise = args.pop("enterprise_id", None)
    if enterprise is None:
        enterprise = current_user.enterprise_id
    obj = objects.create_object(current_user, enterprise, **args)
    db.session.flush()
    return obj


@objects_blp.route("/<int:object_id>", methods=["GET"])
@objects_blp.response(200, ObjectOut)
def get_object(object_id):
    return objects.visible_object(current_user, object_id)


@objects_blp.route("/<int:object_id>", methods=["PATCH"])
@objects_blp.arguments(ObjectPatch)
@objects_blp.response(200, ObjectOut)
def patch_object(args, object_id):
    version = args.pop("version", None) or _if_match()
    obj = objects.update_object(current_user, object_id, expected_version=version, **args)
    db.session.commit()
    return obj


@objects_blp.route("/<int:object_id>/suspensions", methods=["GET"])
@objects_blp.arguments(ListArgs, location="query")
@objects_blp.response(200, page_schema(SuspensionOut, "SuspensionPage"))
def list_object_suspensions(args, object_id):
    obj = objects.visible_object(current_user, object_id)
    return page_of(select(Suspension).where(Suspension.object_id == obj.id)
                   .order_by(Suspension.starts_at.desc(), Suspension.id.desc()), args)


@objects_blp.route("/<int:object_id>/suspensions", methods=["POST"])
@idempotent
@objects_blp.arguments(SuspensionIn)
@objects_blp.response(201, SuspensionOut)
def create_object_suspension(args, object_id):
    """Record a 停用/检修 period of the object (all its units): its checks in that period are suspended."""
    row = objects.add_suspension(current_user, object_id=object_id, **args)
    db.session.flush()
    return row


# --- events of a unit, suspensions of a unit (routes under /risk-points) -----------------------------------

def register_point_routes(blp) -> None:
    """Routes under ``/api/v1/risk-points/<id>`` (the risk point's blueprint)."""

    @blp.route("/<int:point_id>/events", methods=["GET"])
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_schema(EventOut, "RiskEventPage"))
    def list_events(args, point_id):
        point = service.visible_point(current_user, point_id)
        return page_of(select(RiskEvent).where(RiskEvent.risk_point_id == point.id)
                       .order_by(RiskEvent.position, RiskEvent.id), args)

    @blp.route("/<int:point_id>/events", methods=["POST"])
    @idempotent
    @blp.arguments(EventIn)
    @blp.response(201, EventOut)
    def create_event(args, point_id):
        """Add a risk event (accident scenario) to the unit; it is graded by an assessment naming it."""
        event = events.create_event(current_user, point_id, **args)
        db.session.flush()
        return event

    @blp.route("/<int:point_id>/suspensions", methods=["GET"])
    @blp.arguments(ListArgs, location="query")
    @blp.response(200, page_schema(SuspensionOut, "PointSuspensionPage"))
    def list_point_suspensions(args, point_id):
        point = service.visible_point(current_user, point_id)
        return page_of(select(Suspension).where(Suspension.risk_point_id == point.id)
                       .order_by(Suspension.starts_at.desc(), Suspension.id.desc()), args)

    @blp.route("/<int:point_id>/suspensions", methods=["POST"])
    @idempotent
    @blp.arguments(SuspensionIn)
    @blp.response(201, SuspensionOut)
    def create_point_suspension(args, point_id):
        """Record a 停用/检修 period of this unit only."""
        row = objects.add_suspension(current_user, risk_point_id=point_id, **args)
        db.session.flush()
        return row


# --- events and measures ---------------------------------------------------------------------------------

@events_blp.route("/<int:event_id>", methods=["GET"])
@events_blp.response(200, EventOut)
def get_event(event_id):
    return events.visible_event(current_user, event_id)


@events_blp.route("/<int:event_id>", methods=["PATCH"])
@events_blp.arguments(EventPatch)
@events_blp.response(200, EventOut)
def patch_event(args, event_id):
    event = events.update_event(current_user, event_id, **args)
    db.session.commit()
    return event


@events_blp.route("/<int:event_id>/measures", methods=["GET"])
@events_blp.arguments(MeasureListArgs, location="query")
@events_blp.response(200, page_schema(MeasureOut, "ControlMeasurePage"))
def list_measures(args, event_id):
    event = events.visible_event(current_user, event_id)
    return page_of(select(ControlMeasure).where(ControlMeasure.event_id == event.id,
                                                ControlMeasure.active.is_(args.get("active", True)))
                   .order_by(ControlMeasure.position, ControlMeasure.id), args)


@events_blp.route("/<int:event_id>/measures", methods=["POST"])
@idempotent
@events_blp.arguments(MeasureIn)
@events_blp.response(201, MeasureOut)
def create_measure(args, event_id):
    """Add a control measure with its national classification, data source and check content."""
    measure = events.create_measure(current_user, event_id, **args)
    db.session.flush()
    return measure


@measures_blp.route("/<int:measure_id>", methods=["GET"])
@measures_blp.response(200, MeasureOut)
def get_measure(measure_id):
    return events.visible_measure(current_user, measure_id)


@measures_blp.route("/<int:measure_id>", methods=["PATCH"])
@measures_blp.arguments(MeasurePatch)
@measures_blp.response(200, MeasureOut)
def patch_measure(args, measure_id):
    """Change a measure; ``active: false`` retires it (its tasks and records stay)."""
    measure = events.update_measure(current_user, measure_id, **args)
    db.session.commit()
    return measure

