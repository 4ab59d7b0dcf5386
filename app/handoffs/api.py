"""API: the caller's to-do list."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import todos
from app.api import PageArgs, api_blueprint

blp = api_blueprint("todos_api", __name__, "", "To-do list")


class TodoArgs(PageArgs):
    kind = fields.String(load_default=None, validate=validate.Length(max=64),
                         metadata={"description": "Only this kind (hazard_confirm, hazard_review, ...)."})


class TodoOut(Schema):
    kind = fields.String()
    object_type = fields.String()
    object_id = fields.Integer()
    title = fields.String()
    due = fields.Date(allow_none=True)


class TodoPage(Schema):
    items = fields.List(fields.Nested(TodoOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()
    has_next = fields.Boolean()


@blp.route("/todos")
@blp.arguments(TodoArgs, location="query")
@blp.response(200, TodoPage)
def list_todos(args):
    """What waits for the caller, computed from the data: the earliest due first (undated last). At most
    200 items per kind are read."""
    items = todos.items(current_user, args["kind"])
    page, per_page = args["page"], args["per_page"]
    start = (page - 1) * per_page
    return {"items": items[start:start + per_page], "page": page, "per_page": per_page, "total": len(items),
            "has_next": start + per_page < len(items)}
