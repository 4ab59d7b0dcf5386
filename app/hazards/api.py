"""``/api/v1/hazards``: the register, reporting, transitions, plan, evidence, history.

Uses the same service as the UI. Errors: 404 for a hazard the caller cannot see, 403 for an action
his role may not take, 409 for a trigger not allowed in the current state (or a lost race), 422 with
``fields`` for a guard that fails or a bad value.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import INCLUDE, Schema, fields, validate
from sqlalchemy import select

from app import access, signals
from app.api import PageArgs, Timestamp, Value, api_blueprint, page_schema
from app.auth.models import Role
from app.errors import Invalid, NotFound
from app.extensions import db
from app.hazards import service, storage_io
from app.hazards.models import Hazard, HazardEvent
from app.hazards.register import COUNT_CAP, register_page
from app.idempotency import idempotent
from app.organisations.models import Enterprise
from app.paging import paginate
from workflows.grades import Grade
from workflows.hazard_states import TRIGGERS, HazardLevel, HazardSource, HazardState
from workflows.national_codes import DangerSource, HazardType, ManageType

blp = api_blueprint("hazards_api", __name__, "/hazards", "Hidden hazards: register, lifecycle, evidence")


# --- schemas ---------------------------------------------------------------------------------

class HazardListArgs(PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in HazardState]))
    level = fields.String(validate=validate.OneOf([s.value for s in HazardLevel]))
    grade = fields.String(validate=validate.OneOf([g.value for g in Grade]))
    overdue = fields.Boolean()
    enterprise_id = fields.Integer()
    # Keyset cursor: the hazards older than this id (``next_after`` of the previous page); a deep
    # page then costs what a first page costs, whereas ``page`` skips its offset's rows.
    after = fields.Integer(validate=validate.Range(min=1, max=2**63 - 1))


class HazardSummary(Schema):
    id = fields.Integer()
    code = fields.String()
    enterprise_id = fields.Integer()
    title = fields.String()
    location = fields.String()
    source = Value()
    state = Value()
    level = Value(allow_none=True)
    effective_grade = Value(allow_none=True)
    deadline = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    created_at = Timestamp()


class PlanOut(Schema):
    goal = fields.String()
    measures = fields.String()
    funds = fields.String()
    organisation = fields.String()
    time_requirements = fields.String()
    safety_and_emergency = fields.String()
    workers_congress_reported_on = fields.Date(allow_none=True)
    workers_congress_how = fields.String()
    complete = fields.Boolean(attribute="is_complete")
    approved = fields.Boolean(attribute="is_approved")
    approved_by_id = fields.Integer(allow_none=True)
    approved_at = Timestamp(allow_none=True)


class AttachmentOut(Schema):
    """GPS is evidence for the authorities, never published: the API leaves it out."""

    id = fields.Integer()
    kind = Value()
    filename = fields.String()
    mime = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
    taken_at = Timestamp(allow_none=True)


class HazardDetail(HazardSummary):
    description = fields.String()
    nature = Value(allow_none=True)
    danger_source = fields.String(metadata={"enum": [v.value for v in DangerSource],
                                            "description": "national dangerSrc (kind of check)"})
    hazard_type = fields.String(metadata={"enum": [v.value for v in HazardType],
                                          "description": "national hazardDangerType"})
    manage_type = fields.String(metadata={"enum": [v.value for v in ManageType],
                                          "description": "即查即改 (immediate) / 限期整改 (deadline)"})
    enforcement_number = fields.String(allow_none=True, metadata={"description": "执法编号"})
    control_measure_id = fields.Integer(allow_none=True)
    check_record_id = fields.Integer(allow_none=True)
    reported_by_duty = fields.Boolean(metadata={"description": "registered by a 包保 person"})
    risk_point_id = fields.Integer(allow_none=True)
    hazard_factor = fields.String(allow_none=True)
    accident_type = fields.String(allow_none=True)
    responsible_user_id = fields.Integer(allow_none=True)
    responsible_department_id = fields.Integer(allow_none=True)
    found_by_authority_id = fields.Integer(allow_none=True)
    measures = fields.String()
    rectification = fields.String()
    production_suspension = Value(metadata={
        "description": "From the on-site measures decisions (现场处理措施决定书), the latest one's; none without."})
    extension_requested = fields.Date(allow_none=True, metadata={
        "description": "The deadline the responsible person asked for, until it is decided."})
    version = fields.Integer()
    listed = fields.Boolean()
    allowed_triggers = fields.List(fields.String())
    plan = fields.Nested(PlanOut, allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentOut))

    # What the answer says beside the hazard's columns, read from the other modules.
    COMPUTED = {
        "listed": lambda h: signals.listing_authority.first(h) is not None,
        "allowed_triggers": lambda h: service.allowed_triggers(h, current_user),
        "attachments": storage_io.attachments_of,
    }

    def get_attribute(self, obj, attr, default):
        compute = self.COMPUTED.get(attr)
        return compute(obj) if compute else super().get_attribute(obj, attr, default)


HazardPage = page_schema(HazardSummary, next_after=fields.Function(
    lambda p: p.items[-1].id if p.items and len(p.items) == p.per_page else None, allow_none=True,
    metadata={"description": "pass as `after` for the next page (keyset; null on the last page)"}),
    total_capped=fields.Boolean(metadata={"description": f"`total` stopped at {COUNT_CAP}"}))


class HazardCreate(Schema):
    title = fields.String(required=True)
    description = fields.String(load_default="")
    location = fields.String(load_default="")
    risk_point_id = fields.Integer(allow_none=True)
    source = fields.String(validate=validate.OneOf([s.value for s in HazardSource]))
    enterprise_id = fields.Integer(allow_none=True)
    nature = fields.String(allow_none=True)
    hazard_factor = fields.String(allow_none=True)
    accident_type = fields.String(allow_none=True)
    danger_source = fields.String(allow_none=True, metadata={"enum": [v.value for v in DangerSource]})
    hazard_type = fields.String(allow_none=True, metadata={"enum": [v.value for v in HazardType]})
    manage_type = fields.String(allow_none=True, metadata={"enum": [v.value for v in ManageType]})
    enforcement_number = fields.String(allow_none=True)
    control_measure_id = fields.Integer(allow_none=True)


# One schema per trigger: the OpenAPI document says what each needs. Their fields are the keyword
# arguments of the trigger's function in the service (tests/hazards/test_trigger_wiring.py). Dates are
# ISO strings checked by the service, so that a bad one gets the Chinese message on its field.

class _TriggerArgs(Schema):
    version = fields.Integer(allow_none=True, metadata={"description": "The version read; 409 if it changed."})


def _trigger(name: str):
    return fields.String(required=True, validate=validate.OneOf([name]))


class HazardConfirmArgs(_TriggerArgs):
    trigger = _trigger("confirm")
    level = fields.String(allow_none=True, metadata={"enum": [lv.value for lv in HazardLevel]})
    deadline = fields.String(allow_none=True, metadata={"format": "date"})
    responsible_user_id = fields.Integer(allow_none=True)
    responsible_department_id = fields.Integer(allow_none=True)
    measures = fields.String(allow_none=True)


class HazardVoidArgs(_TriggerArgs):
    trigger = _trigger("void")
    reason = fields.String(allow_none=True)


class HazardSubmitArgs(_TriggerArgs):
    trigger = _trigger("submit")
    rectification = fields.String(allow_none=True)


class HazardAcceptArgs(_TriggerArgs):
    trigger = _trigger("accept")
    comment = fields.String(allow_none=True)


class HazardRejectArgs(_TriggerArgs):
    trigger = _trigger("reject")
    reason = fields.String(allow_none=True)
    deadline = fields.String(allow_none=True, metadata={"format": "date"})


class HazardExtendArgs(_TriggerArgs):
    trigger = _trigger("extend")
    deadline = fields.String(allow_none=True, metadata={"format": "date"})
    reason = fields.String(allow_none=True)


class HazardRegradeArgs(_TriggerArgs):
    trigger = _trigger("regrade")
    level = fields.String(allow_none=True, metadata={"enum": [lv.value for lv in HazardLevel]})
    reason = fields.String(allow_none=True)


class HazardReassignArgs(_TriggerArgs):
    trigger = _trigger("reassign")
    responsible_user_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)


class HazardRequestExtensionArgs(_TriggerArgs):
    trigger = _trigger("request_extension")
    deadline = fields.String(allow_none=True, metadata={"format": "date"})
    reason = fields.String(allow_none=True)


class HazardDecideExtensionArgs(_TriggerArgs):
    trigger = _trigger("decide_extension")
    granted = fields.Boolean(allow_none=True)
    deadline = fields.String(allow_none=True, metadata={
        "format": "date", "description": "Granted: another deadline than the one asked for (optional)."})
    reason = fields.String(allow_none=True, metadata={"description": "Required when refused."})


TRIGGER_SCHEMAS: dict[str, type[Schema]] = {
    "confirm": HazardConfirmArgs, "void": HazardVoidArgs, "submit": HazardSubmitArgs, "accept": HazardAcceptArgs,
    "reject": HazardRejectArgs, "extend": HazardExtendArgs, "regrade": HazardRegradeArgs,
    "reassign": HazardReassignArgs, "request_extension": HazardRequestExtensionArgs,
    "decide_extension": HazardDecideExtensionArgs,
}


def _union(schemas) -> dict:
    out: dict = {"trigger": fields.String(required=True, validate=validate.OneOf(TRIGGERS))}
    for schema in schemas:
        out.update({k: v for k, v in schema._declared_fields.items() if k != "trigger"})
    return out


# What ``POST /transitions`` parses: the trigger and the union of the triggers' fields (a field of
# another trigger is accepted and ignored, as it always was). Documented as one of the schemas above.
TransitionArgs = Schema.from_dict(_union(TRIGGER_SCHEMAS.values()), name="TransitionArgs")


class PlanArgs(Schema):
    goal = fields.String(load_default="")
    measures = fields.String(load_default="")
    funds = fields.String(load_default="")
    organisation = fields.String(load_default="")
    time_requirements = fields.String(load_default="")
    safety_and_emergency = fields.String(load_default="")
    workers_congress_reported_on = fields.String(allow_none=True)
    workers_congress_how = fields.String(load_default="")


class AttachmentForm(Schema):
    class Meta:
        unknown = INCLUDE

    kind = fields.String(required=True, validate=validate.OneOf(["before", "after", "document"]))


class EventSchema(Schema):
    seq = fields.Integer()
    trigger = fields.String()
    from_state = fields.String(allow_none=True)
    to_state = fields.String()
    actor_id = fields.Integer(allow_none=True)
    actor_role = fields.String(allow_none=True)
    comment = fields.String()
    data = fields.Dict()
    created_at = Timestamp()
    prev_hash = fields.String(allow_none=True)
    hash = fields.String()


# --- endpoints ---------------------------------------------------------------------------------

@blp.route("", methods=["GET"])
@blp.arguments(HazardListArgs, location="query")
@blp.response(200, HazardPage)
def list_hazards(args):
    """The hazards the caller may see, newest first; filters state, level, grade, overdue, enterprise_id."""
    access.require(current_user, "hazard.list")
    page = register_page(current_user, page=args["page"], per_page=args["per_page"], state=args.get("state"),
                         level=args.get("level"), grade=args.get("grade"), overdue=args.get("overdue"),
                         enterprise_id=args.get("enterprise_id"), after=args.get("after"))
    return page


@blp.route("", methods=["POST"])
@idempotent
@blp.arguments(HazardCreate)
@blp.response(201, HazardDetail)
def create(args):
    """Report a hazard (state ``reported``). Inspectors name the enterprise with ``enterprise_id``."""
    user = current_user
    if user.role.is_enterprise:
        if args.get("enterprise_id") not in (None, user.enterprise_id):
            raise NotFound()
        enterprise = user.enterprise
    elif args.get("enterprise_id") is None:
        if user.role == Role.inspector:
            raise Invalid(fields={"enterprise_id": _("Choose the enterprise.")})
        enterprise = None
    else:
        enterprise = access.get_visible(Enterprise, args["enterprise_id"], user)
    if enterprise is None:
        access.require(user, "hazard.create", None)
        raise Invalid(fields={"enterprise_id": _("Choose the enterprise.")})
    hazard = service.create_hazard(
        user, enterprise=enterprise, title=args["title"], description=args.get("description", ""),
        location=args.get("location", ""), source=args.get("source"), risk_point_id=args.get("risk_point_id"),
        nature=args.get("nature"), hazard_factor=args.get("hazard_factor"),
        accident_type=args.get("accident_type"), danger_source=args.get("danger_source"),
        hazard_type=args.get("hazard_type"), manage_type=args.get("manage_type"),
        enforcement_number=args.get("enforcement_number"), control_measure_id=args.get("control_measure_id"))
    return hazard


@blp.route("/<int:hazard_id>", methods=["GET"])
@blp.response(200, HazardDetail)
def get_hazard(hazard_id):
    """One hazard, with ``listed``, ``effective_grade`` and the triggers the caller may fire."""
    return access.get_visible(Hazard, hazard_id, current_user)


class NationalCodesArgs(Schema):
    danger_source = fields.String(metadata={"enum": [v.value for v in DangerSource]})
    hazard_type = fields.String(metadata={"enum": [v.value for v in HazardType]})
    manage_type = fields.String(metadata={"enum": [v.value for v in ManageType]})
    enforcement_number = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True, metadata={"description": "The version read; 409 if it changed."})


@blp.route("/<int:hazard_id>/national-codes", methods=["PATCH"])
@blp.arguments(NationalCodesArgs)
@blp.response(200, HazardDetail)
def patch_national_codes(args, hazard_id):
    """Correct the national codes (kind of check, hazard type, governance type, 执法编号); recorded in the history."""
    hazard = service.reclassify(hazard_id, current_user, **args)
    db.session.commit()
    return hazard


@blp.route("/<int:hazard_id>/transitions", methods=["POST"])
@idempotent
@blp.arguments(TransitionArgs)
@blp.doc(requestBody={"content": {"application/json": {"schema": {
    "oneOf": list(TRIGGER_SCHEMAS.values()),
    "discriminator": {"propertyName": "trigger"}}}}})
@blp.response(200, HazardDetail)
def transition(args, hazard_id):
    """Fire a trigger: 409 if not allowed in the state, 422 naming a missing field, 403 if not yours."""
    trigger = args.pop("trigger")
    hazard = service.fire(hazard_id, trigger, current_user, **{k: v for k, v in args.items() if v is not None})
    return hazard


@blp.route("/<int:hazard_id>/plan", methods=["PUT"])
@idempotent
@blp.arguments(PlanArgs)
@blp.response(200, HazardDetail)
def put_plan(args, hazard_id):
    """Write the treatment plan (six sections and the date of the report to the workers' congress)."""
    service.save_plan(hazard_id, current_user, **args)
    return access.get_visible(Hazard, hazard_id, current_user)


@blp.route("/<int:hazard_id>/plan/approval", methods=["POST"])
@idempotent
@blp.response(200, HazardDetail)
def approve_plan(hazard_id):
    """The enterprise principal approves the complete plan."""
    service.approve_plan(hazard_id, current_user)
    return access.get_visible(Hazard, hazard_id, current_user)


@blp.route("/<int:hazard_id>/attachments", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(AttachmentOut))
def list_attachments(args, hazard_id):
    """The hazard's photos and documents, oldest first (without GPS)."""
    hazard = access.get_visible(Hazard, hazard_id, current_user)
    return paginate(storage_io.attachments_query(hazard), args["page"], args["per_page"])


@blp.route("/<int:hazard_id>/attachments", methods=["POST"])
@idempotent
@storage_io.upload_limit
@blp.arguments(AttachmentForm, location="form")
@blp.response(201, HazardDetail)
def add_attachment(args, hazard_id):
    """Upload a photo or PDF (multipart ``file``, ``kind`` before/after/document); checked by content."""
    upload = request.files.get("file")
    if upload is None:
        access.get_visible(Hazard, hazard_id, current_user)
        raise Invalid(fields={"file": _("Choose a file.")})
    service.add_attachment(hazard_id, current_user, kind=args["kind"], filename=upload.filename or "",
                           data=storage_io.read_limited(upload))
    return access.get_visible(Hazard, hazard_id, current_user)


@blp.route("/<int:hazard_id>/attachments/<int:attachment_id>", methods=["GET"])
@blp.response(200)
def get_attachment(hazard_id, attachment_id):
    """The file's bytes (only for callers who may see the hazard)."""
    row = service.attachment_for(attachment_id, current_user)
    if row.hazard_id != hazard_id:
        raise NotFound()
    return storage_io.file_response(row, current_user)


@blp.route("/<int:hazard_id>/events", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, page_schema(EventSchema))
def events(args, hazard_id):
    """The hash-chained history, oldest first."""
    hazard = access.get_visible(Hazard, hazard_id, current_user)
    stmt = select(HazardEvent).where(HazardEvent.hazard_id == hazard.id).order_by(HazardEvent.seq)
    return paginate(stmt, args["page"], args["per_page"])

