"""``/api/v1/hazards``: the register, reporting, transitions, plan, evidence, history.

Uses the same service as the UI. Errors: 404 for a hazard the caller cannot see, 403 for an action
his role may not take, 409 for a trigger not allowed in the current state (or a lost race), 422 with
``fields`` for a guard that fails or a bad value.
"""

from __future__ import annotations

from flask import Flask
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import INCLUDE, Schema, fields, validate

from app import access
from app.api import PageArgs, Timestamp, api_blueprint, register, rfc3339
from app.auth.models import Role
from app.errors import Invalid, NotFound
from app.extensions import db
from app.hazards import hooks, service, storage_io
from app.hazards.models import PLAN_SECTIONS, Hazard, HazardEvent
from app.hazards.register import register_page
from app.idempotency import idempotent
from app.organisations.models import Enterprise
from workflows.grades import Grade
from workflows.hazard_states import TRIGGERS, HazardLevel, HazardSource, HazardState

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
    source = fields.String()
    state = fields.String()
    level = fields.String(allow_none=True)
    effective_grade = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    created_at = Timestamp()


class HazardDetail(HazardSummary):
    description = fields.String()
    nature = fields.String(allow_none=True)
    risk_point_id = fields.Integer(allow_none=True)
    hazard_factor = fields.String(allow_none=True)
    accident_type = fields.String(allow_none=True)
    responsible_user_id = fields.Integer(allow_none=True)
    responsible_department_id = fields.Integer(allow_none=True)
    found_by_authority_id = fields.Integer(allow_none=True)
    measures = fields.String()
    rectification = fields.String()
    production_suspension = fields.String()
    extension_requested = fields.Date(allow_none=True, metadata={
        "description": "The deadline the responsible person asked for, until it is decided."})
    version = fields.Integer()
    listed = fields.Boolean()
    allowed_triggers = fields.List(fields.String())
    plan = fields.Dict(allow_none=True)
    attachments = fields.List(fields.Dict())


class HazardPage(Schema):
    items = fields.List(fields.Nested(HazardSummary))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    total_capped = fields.Boolean()
    has_next = fields.Boolean()
    next_after = fields.Integer(allow_none=True, metadata={
        "description": "pass as `after` for the next page (keyset; null on the last page)"})


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
    production_suspension = fields.String(allow_none=True)


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
    production_suspension = fields.String(allow_none=True)


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


# --- serialisation ---------------------------------------------------------------------------

def _value(v):
    return getattr(v, "value", v)


def summary(h: Hazard) -> dict:
    return {
        "id": h.id, "code": h.code, "enterprise_id": h.enterprise_id, "title": h.title, "location": h.location,
        "source": _value(h.source), "state": _value(h.state), "level": _value(h.level),
        "effective_grade": _value(h.effective_grade), "deadline": h.deadline, "overdue": h.overdue,
        "created_at": h.created_at,
    }


def plan_dict(plan) -> dict | None:
    if plan is None:
        return None
    out = {name: getattr(plan, name) for name in PLAN_SECTIONS}
    out.update(workers_congress_reported_on=plan.workers_congress_reported_on.isoformat()
               if plan.workers_congress_reported_on else None,
               workers_congress_how=plan.workers_congress_how, complete=plan.is_complete,
               approved=plan.is_approved, approved_by_id=plan.approved_by_id,
               approved_at=rfc3339(plan.approved_at))
    return out


def detail(h: Hazard) -> dict:
    out = summary(h)
    out.update({
        "description": h.description, "nature": _value(h.nature), "risk_point_id": h.risk_point_id,
        "hazard_factor": h.hazard_factor, "accident_type": h.accident_type,
        "responsible_user_id": h.responsible_user_id, "responsible_department_id": h.responsible_department_id,
        "found_by_authority_id": h.found_by_authority_id, "measures": h.measures,
        "rectification": h.rectification, "production_suspension": _value(h.production_suspension),
        "extension_requested": h.extension_requested,
        "version": h.version, "listed": hooks.listing_authority(h) is not None,
        "allowed_triggers": service.allowed_triggers(h, current_user),
        "plan": plan_dict(h.plan),
        # GPS is evidence for the authorities, never published: the API leaves it out.
        "attachments": [{"id": a.id, "kind": _value(a.kind), "filename": a.filename, "mime": a.mime,
                         "size": a.size, "sha256": a.sha256,
                         "taken_at": rfc3339(a.taken_at)}
                        for a in storage_io.attachments_of(h)],
    })
    return out


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
    return {"items": [summary(h) for h in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total, "total_capped": page.total_capped, "has_next": page.has_next,
            "next_after": page.items[-1].id if page.items and len(page.items) == page.per_page else None}


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
        accident_type=args.get("accident_type"))
    return detail(hazard)


@blp.route("/<int:hazard_id>", methods=["GET"])
@blp.response(200, HazardDetail)
def get_hazard(hazard_id):
    """One hazard, with ``listed``, ``effective_grade`` and the triggers the caller may fire."""
    return detail(access.get_visible(Hazard, hazard_id, current_user))


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
    return detail(hazard)


@blp.route("/<int:hazard_id>/plan", methods=["PUT"])
@idempotent
@blp.arguments(PlanArgs)
@blp.response(200, HazardDetail)
def put_plan(args, hazard_id):
    """Write the treatment plan (six sections and the date of the report to the workers' congress)."""
    service.save_plan(hazard_id, current_user, **args)
    return detail(access.get_visible(Hazard, hazard_id, current_user))


@blp.route("/<int:hazard_id>/plan/approval", methods=["POST"])
@idempotent
@blp.response(200, HazardDetail)
def approve_plan(hazard_id):
    """The enterprise principal approves the complete plan."""
    service.approve_plan(hazard_id, current_user)
    return detail(access.get_visible(Hazard, hazard_id, current_user))


@blp.route("/<int:hazard_id>/attachments", methods=["POST"])
@idempotent
@storage_io.upload_limit
@blp.arguments(AttachmentForm, location="form")
@blp.response(201, HazardDetail)
def add_attachment(args, hazard_id):
    """Upload a photo or PDF (multipart ``file``, ``kind`` before/after/document); checked by content."""
    from flask import request

    upload = request.files.get("file")
    if upload is None:
        access.get_visible(Hazard, hazard_id, current_user)
        raise Invalid(fields={"file": _("Choose a file.")})
    service.add_attachment(hazard_id, current_user, kind=args["kind"], filename=upload.filename or "",
                           data=storage_io.read_limited(upload))
    return detail(access.get_visible(Hazard, hazard_id, current_user))


@blp.route("/<int:hazard_id>/attachments/<int:attachment_id>", methods=["GET"])
@blp.response(200)
def get_attachment(hazard_id, attachment_id):
    """The file's bytes (only for callers who may see the hazard)."""
    row = service.attachment_for(attachment_id, current_user)
    if row.hazard_id != hazard_id:
        raise NotFound()
    return storage_io.file_response(row, current_user)


@blp.route("/<int:hazard_id>/events", methods=["GET"])
@blp.response(200, EventSchema(many=True))
def events(hazard_id):
    """The hash-chained history, oldest first."""
    hazard = access.get_visible(Hazard, hazard_id, current_user)
    return db.session.scalars(db.select(HazardEvent).where(HazardEvent.hazard_id == hazard.id)
                              .order_by(HazardEvent.seq)).all()


def init_app(app: Flask) -> None:
    register(blp)
