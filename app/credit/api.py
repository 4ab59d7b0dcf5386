"""/api/v1: credit records and the serious-dishonesty list (issue 19 items 4-5).

* ``GET|POST /enterprises/{id}/credit-records`` — the enterprise's records (404 outside the region);
  an authority records a fact ``{kind, source, occurred_on?, subject?}`` → 201.
* ``POST /credit-records/{id}/objection`` ``{reason}`` — the enterprise objects;
  ``POST /credit-records/{id}/decision`` ``{action: uphold|correct, reason, correction?, weight?}``.
* ``GET|POST /dishonesty-list`` — entries; a proposal ``{enterprise_id, condition, penalty_decision,
  facts?, evidence?: {condition: text}, subject?}`` → 201, refused (422 naming it) when the condition is
  not met; ``POST /dishonesty-list/{id}/decision`` ``{action: list|refuse, notified_on?, reason?,
  restriction_domains?}`` issues the numbered notice;
  ``POST /dishonesty-list/{id}/removal`` ``{action: apply|grant|refuse, statement?, conditions?, reason?,
  decision_no?}`` — credit repair.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import access
from app import api as api_base
from app.credit import dishonesty, service
from app.credit.models import CreditFactKind, DishonestyEntry, ListingState, RecordState, Subject
from app.extensions import db
from app.idempotency import idempotent
from app.paging import paginate

records_blp = api_base.api_blueprint("credit_records_api", __name__, "", "Credit records (不良信用记录)")
list_blp = api_base.api_blueprint("dishonesty_list_api", __name__, "/dishonesty-list",
                                  "The serious-dishonesty list (严重失信主体名单)")

_SUBJECTS = [s.value for s in Subject]


class CreditRecordOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    authority_id = fields.Integer(allow_none=True)
    subject = fields.Function(lambda r: r.subject.value)
    person_name = fields.String()
    kind = fields.Function(lambda r: r.kind.value, metadata={"enum": [k.value for k in CreditFactKind]})
    weight = fields.Float()
    original_weight = fields.Float(allow_none=True)
    source = fields.String()
    automatic = fields.Function(lambda r: r.created_by_id is None)
    occurred_on = fields.Date()
    rule_set = fields.String()
    state = fields.Function(lambda r: r.state.value, metadata={"enum": [s.value for s in RecordState]})
    objection = fields.String()
    objected_at = api_base.Timestamp(allow_none=True)
    decision_reason = fields.String()
    correction = fields.String()
    decided_at = api_base.Timestamp(allow_none=True)
    created_at = api_base.Timestamp()
    version = fields.Integer()


class CreditRecordArgs(Schema):
    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in CreditFactKind]))
    source = fields.String(required=True, validate=validate.Length(min=1, max=service.SOURCE_MAX))
    occurred_on = fields.Date(load_default=None)
    subject = fields.String(load_default="enterprise", validate=validate.OneOf(_SUBJECTS))


class CreditObjectionArgs(Schema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=service.REASON_MAX))
    version = fields.Integer(load_default=None)


class CreditRecordDecisionArgs(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["uphold", "correct"]))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=service.REASON_MAX))
    correction = fields.String(load_default="", validate=validate.Length(max=service.REASON_MAX))
    weight = fields.Float(load_default=None, allow_nan=False, validate=validate.Range(min=0, max=1000))
    version = fields.Integer(load_default=None)


@records_blp.route("/enterprises/<int:enterprise_id>/credit-records", methods=["GET"])
@records_blp.arguments(api_base.PageArgs, location="query")
@records_blp.response(200, api_base.page_schema(CreditRecordOut))
def list_records(args, enterprise_id: int):
    """The enterprise's credit records, newest first."""
    return paginate(service.records_of(current_user, enterprise_id), args["page"], args["per_page"])


@records_blp.route("/enterprises/<int:enterprise_id>/credit-records", methods=["POST"])
@idempotent
@records_blp.arguments(CreditRecordArgs)
@records_blp.response(201, CreditRecordOut)
def create_record(args, enterprise_id: int):
    """An authority records a fact by hand, citing its source (a retried ``Idempotency-Key`` records once)."""
    row = service.create(current_user, enterprise_id, **args)
    db.session.flush()  # @idempotent commits with the stored answer
    return row


@records_blp.route("/credit-records/<int:record_id>/objection", methods=["POST"])
@records_blp.arguments(CreditObjectionArgs)
@records_blp.response(200, CreditRecordOut)
def object_to(args, record_id: int):
    """The enterprise objects to the record, with its reason."""
    row = service.object_to(current_user, record_id, **args)
    db.session.commit()
    return row


@records_blp.route("/credit-records/<int:record_id>/decision", methods=["POST"])
@records_blp.arguments(CreditRecordDecisionArgs)
@records_blp.response(200, CreditRecordOut)
def decide_record(args, record_id: int):
    """The authority upholds or corrects the record, with its reason."""
    row = service.decide_objection(current_user, record_id, **args)
    db.session.commit()
    return row


class DishonestyEntryOut(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    enterprise = fields.Function(lambda e: e.enterprise.name)
    authority_id = fields.Integer()
    subject = fields.Function(lambda e: e.subject.value)
    person_name = fields.String()
    conditions = fields.List(fields.String())
    condition_text = fields.String()
    penalty_decision = fields.String()
    facts = fields.String()
    rule_set = fields.String()
    restriction_domains = fields.List(fields.String())
    state = fields.Function(lambda e: e.state.value, metadata={"enum": [s.value for s in ListingState]})
    proposed_by_id = fields.Integer(allow_none=True, metadata={"description": "null: proposed by the system (scan)"})
    source_record_id = fields.Integer(allow_none=True, metadata={
        "description": "the credit record the system proposed it from"})
    proposed_at = api_base.Timestamp()
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = api_base.Timestamp(allow_none=True)
    decision_no = fields.String()
    notified_on = fields.Date(allow_none=True)
    refuse_reason = fields.String()
    notice_document_id = fields.Integer(allow_none=True)
    listed_on = fields.Date(allow_none=True)
    expires_on = fields.Date(allow_none=True)
    repair_applied_on = fields.Date(allow_none=True)
    repair_statement = fields.String()
    repair_conditions = fields.List(fields.String())
    repair_decision = fields.String()
    repair_reason = fields.String()
    removal_decision_no = fields.String()
    removed_on = fields.Date(allow_none=True)
    version = fields.Integer()


class DishonestyListArgs(api_base.PageArgs):
    state = fields.String(validate=validate.OneOf([s.value for s in ListingState]))
    enterprise_id = fields.Integer()


class DishonestyProposeArgs(Schema):
    enterprise_id = fields.Integer(strict=True, required=True)
    condition = fields.String(required=True, validate=validate.Length(min=1, max=64))
    penalty_decision = fields.String(load_default="", validate=validate.Length(max=128))
    facts = fields.String(load_default="", validate=validate.Length(max=dishonesty.MAX_TEXT))
    evidence = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                           values=fields.String(validate=validate.Length(max=dishonesty.MAX_TEXT)), load_default=dict)
    subject = fields.String(load_default="enterprise", validate=validate.OneOf(_SUBJECTS))


class DishonestyDecisionArgs(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["list", "refuse"]))
    notified_on = fields.Date(load_default=None)
    reason = fields.String(load_default="", validate=validate.Length(max=dishonesty.MAX_TEXT))
    restriction_domains = fields.List(fields.String(validate=validate.Length(max=64)), load_default=None)
    penalty_decision = fields.String(load_default="", validate=validate.Length(max=128), metadata={
        "description": "the administrative penalty decision, for an entry the system proposed without one"})
    version = fields.Integer(load_default=None)


class DishonestyRemovalArgs(Schema):
    action = fields.String(required=True, validate=validate.OneOf(["apply", "grant", "refuse"]))
    statement = fields.String(load_default="", validate=validate.Length(max=dishonesty.MAX_TEXT))
    conditions = fields.List(fields.String(validate=validate.Length(max=64)), load_default=list)
    reason = fields.String(load_default="", validate=validate.Length(max=dishonesty.MAX_TEXT))
    decision_no = fields.String(load_default="", validate=validate.Length(max=64))
    version = fields.Integer(load_default=None)


@list_blp.route("", methods=["GET"])
@list_blp.arguments(DishonestyListArgs, location="query")
@list_blp.response(200, api_base.page_schema(DishonestyEntryOut))
def list_entries(args):
    """Entries the caller may see (an enterprise sees its decided ones), newest first."""
    return paginate(dishonesty.entries_for(current_user, state=args.get("state"),
                                           enterprise_id=args.get("enterprise_id")), args["page"], args["per_page"])


@list_blp.route("", methods=["POST"])
@idempotent
@list_blp.arguments(DishonestyProposeArgs)
@list_blp.response(201, DishonestyEntryOut)
def propose(args):
    """Propose an entry: refused, naming the condition, when the region's conditions are not met."""
    entry = dishonesty.propose(current_user, **args)
    db.session.flush()  # @idempotent commits with the stored answer
    return entry


@list_blp.route("/<int:entry_id>", methods=["GET"])
@list_blp.response(200, DishonestyEntryOut)
def get_entry(entry_id: int):
    return access.get_visible(DishonestyEntry, entry_id, current_user)


@list_blp.route("/<int:entry_id>/decision", methods=["POST"])
@list_blp.arguments(DishonestyDecisionArgs)
@list_blp.response(200, DishonestyEntryOut)
def decide(args, entry_id: int):
    """List (issues the numbered decision with the entity's rights) or refuse, by another person."""
    entry = dishonesty.decide(current_user, entry_id, **args)
    db.session.commit()
    return entry


@list_blp.route("/<int:entry_id>/removal", methods=["POST"])
@list_blp.arguments(DishonestyRemovalArgs)
@list_blp.response(200, DishonestyEntryOut)
def removal(args, entry_id: int):
    """Early removal by credit repair: the application (``apply``), then the decision (``grant``/``refuse``)."""
    action = args.pop("action")
    if action == "apply":
        entry = dishonesty.apply_repair(current_user, entry_id, statement=args["statement"],
                                        conditions=args["conditions"], version=args["version"])
    else:
        entry = dishonesty.decide_repair(current_user, entry_id, action=action, reason=args["reason"],
                                         decision_no=args["decision_no"], version=args["version"])
    db.session.commit()
    return entry
