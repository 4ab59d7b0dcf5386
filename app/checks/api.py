"""``/api/v1``: check tasks of a measure, windows, records and figures (issue 13's contract).

Parses, calls the service or the queries, commits once (``@idempotent`` on writes), dumps. Errors: 404 for
what the caller cannot see, 403 for what his role may not do, 409 for a window recorded first by someone
else, 422 naming each bad field.
"""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import access
from app.api import PageArgs, Timestamp, api_blueprint
from app.checks import queries, service
from app.checks.models import CheckTask
from app.idempotency import idempotent
from app.paging import paginate
from workflows.check_windows import WindowState

blp = api_blueprint("checks_api", __name__, "", "Scheduled checks: tasks, windows, records, figures")

_ID = validate.Range(min=1, max=2**31 - 1)


class TaskSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    measure_id = fields.Integer()
    risk_point_id = fields.Integer()
    cycle = fields.Integer()
    cycle_unit = fields.String()
    starts_at = Timestamp()
    ends_at = Timestamp(allow_none=True)
    workday_type = fields.String()
    work_start = fields.String(allow_none=True)
    work_end = fields.String(allow_none=True)
    task_type = fields.String()
    task_number = fields.Integer(allow_none=True)
    assignee_user_id = fields.Integer(allow_none=True)
    assignee_department_id = fields.Integer(allow_none=True)
    control_level = fields.String(allow_none=True)
    active = fields.Boolean()
    created_by_id = fields.Integer(allow_none=True)
    created_at = Timestamp()
    version = fields.Integer()


class TaskPage(Schema):
    items = fields.List(fields.Nested(TaskSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_next = fields.Boolean()


class TaskCreate(Schema):
    # Raw values: the service validates them and answers each bad one on its field (Chinese message).
    cycle = fields.Raw(required=True, metadata={"type": "integer", "minimum": 1})
    cycle_unit = fields.String(required=True, metadata={"enum": ["hour", "day", "week", "month", "year"]})
    starts_at = fields.String(required=True, metadata={"format": "date-time"})
    workday_type = fields.String(allow_none=True, metadata={"enum": ["every_day", "workdays", "non_workdays"]})
    work_start = fields.String(allow_none=True, metadata={"pattern": "HH:MM"})
    work_end = fields.String(allow_none=True, metadata={"pattern": "HH:MM"})
    task_type = fields.String(allow_none=True,
                              metadata={"enum": ["routine", "principal", "technical", "operator"]})
    task_number = fields.Raw(allow_none=True, metadata={"type": "integer"})
    assignee_user_id = fields.Integer(allow_none=True)
    assignee_department_id = fields.Integer(allow_none=True)
    control_level = fields.String(allow_none=True)


class TaskPatch(Schema):
    active = fields.Boolean(required=True)
    version = fields.Integer(allow_none=True)


class WindowArgs(PageArgs):
    assignee = fields.String(validate=validate.OneOf(["me"]))
    enterprise_id = fields.Integer(validate=_ID)
    risk_point_id = fields.Integer(validate=_ID)
    state = fields.String(validate=validate.OneOf([s.value for s in WindowState]))
    from_ = fields.String(data_key="from")
    to = fields.String()


class WindowSchema(Schema):
    task_id = fields.Integer()
    measure_id = fields.Integer()
    risk_point_id = fields.Integer()
    starts_at = Timestamp()
    ends_at = Timestamp()
    state = fields.String()


class WindowPage(Schema):
    items = fields.List(fields.Nested(WindowSchema))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_next = fields.Boolean()


class RecordCreate(Schema):
    window_start = fields.String(allow_none=True, metadata={"format": "date-time"})
    result = fields.String(required=True, validate=validate.OneOf(["normal", "abnormal"]))
    note = fields.String(load_default="")
    device_id = fields.String(allow_none=True)
    client_id = fields.String(allow_none=True)
    via_qr = fields.Boolean(load_default=False)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    danger_source = fields.String(allow_none=True, validate=validate.OneOf(["measure_failure", "routine"]))


class RecordSchema(Schema):
    id = fields.Integer()
    task_id = fields.Integer()
    window_start = Timestamp()
    window_end = Timestamp()
    recorded_at = Timestamp()
    result = fields.String()
    late = fields.Boolean()
    hazard_id = fields.Integer(allow_none=True)


class StatsArgs(Schema):
    enterprise_id = fields.Integer(validate=_ID)
    region_id = fields.Integer(validate=_ID)
    from_ = fields.String(data_key="from", required=True)
    to = fields.String(required=True)
    group_by = fields.String(validate=validate.OneOf(list(queries.GROUPS)))


class Figures(Schema):
    planned = fields.Integer()
    done = fields.Integer()
    late = fields.Integer()
    missed = fields.Integer()
    suspended = fields.Integer()
    due = fields.Integer()
    completion_rate = fields.Float(allow_none=True)


class Group(Figures):
    key = fields.String(allow_none=True)
    name = fields.String()
    user_id = fields.Integer(allow_none=True)
    department_id = fields.Integer(allow_none=True)
    enterprise_id = fields.Integer(allow_none=True)
    risk_point_id = fields.Integer(allow_none=True)
    task_type = fields.String(allow_none=True)


class Stats(Figures):
    groups = fields.List(fields.Nested(Group))


def _task(task: CheckTask) -> dict:
    return {c: getattr(task, c) for c in TaskSchema._declared_fields}


@blp.route("/measures/<int:measure_id>/check-tasks", methods=["GET"])
@blp.arguments(PageArgs, location="query")
@blp.response(200, TaskPage)
def list_tasks(args, measure_id):
    """The check tasks of a control measure (active and deactivated), oldest first."""
    measure = service._measure(current_user, measure_id)
    stmt = access.visible(CheckTask, current_user).where(CheckTask.measure_id == measure.id).order_by(CheckTask.id)
    page = paginate(stmt, args["page"], args["per_page"])
    return {"items": [_task(t) for t in page.items], "page": page.page, "per_page": page.per_page,
            "total": page.total, "has_next": page.page * page.per_page < page.total}


@blp.route("/measures/<int:measure_id>/check-tasks", methods=["POST"])
@idempotent
@blp.arguments(TaskCreate)
@blp.response(201, TaskSchema)
def create_task(args, measure_id):
    """Define a check task (the enterprise's safety manager)."""
    return _task(service.create_task(current_user, measure_id, **args))


@blp.route("/check-tasks/<int:task_id>", methods=["PATCH"])
@idempotent
@blp.arguments(TaskPatch)
@blp.response(200, TaskSchema)
def patch_task(args, task_id):
    """Deactivate a task (``active: false``)."""
    return _task(service.update_task(current_user, task_id, active=args["active"], version=args.get("version")))


@blp.route("/check-windows", methods=["GET"])
@blp.arguments(WindowArgs, location="query")
@blp.response(200, WindowPage)
def list_windows(args):
    """Windows overlapping ``from``–``to`` (default today) with their state; ``assignee=me``: mine."""
    items = queries.windows_for(current_user, assignee=args.get("assignee"),
                                enterprise_id=args.get("enterprise_id"), state=args.get("state"),
                                from_=args.get("from_"), to=args.get("to"),
                                risk_point_id=args.get("risk_point_id"))
    page, per_page = args["page"], args["per_page"]
    return {"items": items[(page - 1) * per_page:page * per_page], "page": page, "per_page": per_page,
            "total": len(items), "has_next": page * per_page < len(items)}


@blp.route("/check-tasks/<int:task_id>/records", methods=["POST"])
@idempotent
@blp.arguments(RecordCreate)
@blp.response(201, RecordSchema)
def create_record(args, task_id):
    """Record the check of a window (default: the open one). Same ``client_id`` again: the first record."""
    record = service.record_check(current_user, task_id, **args)
    return {c: getattr(record, c) for c in RecordSchema._declared_fields}


@blp.route("/check-stats", methods=["GET"])
@blp.arguments(StatsArgs, location="query")
@blp.response(200, Stats)
def stats(args):
    """planned, done, late, missed, suspended, completion_rate = done ÷ (planned − suspended), and groups."""
    return queries.check_stats(current_user, enterprise_id=args.get("enterprise_id"),
                               region_id=args.get("region_id"), from_=args["from_"], to=args["to"],
                               group_by=args.get("group_by"))


