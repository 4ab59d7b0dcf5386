"""API: the caller's to-do list."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate

from app import todos
from app.api import PageArgs, api_blueprint, page_schema
from app.paging import page_of_list

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


@blp.route("/todos")
@blp.arguments(TodoArgs, location="query")
@blp.response(200, page_schema(TodoOut))
def list_todos(args):
    """What waits for the caller, computed from the data: the earliest due first (undated last). At most
    200 items per kind are read."""
    return page_of_list(todos.items(current_user, args["kind"]), args["page"], args["per_page"])
