"""JSON API of imports and reference data.

``POST /api/v1/imports/enterprises`` and ``POST /api/v1/imports/users`` take a multipart ``file`` and
``dry_run`` (true|false; ``enterprise_id`` for a staff import by an administrator) and answer
``{created, errors: [{sheet, row, column, cell, message}], rows, accounts}``: 200 for a dry run, 201
when created, 422 with every error (and nothing created) when the file has any.
"""

from __future__ import annotations

from flask import jsonify, request
from flask.views import MethodView
from flask_babel import gettext as _
from flask_login import current_user
from marshmallow import Schema, fields

from app import access, storage
from app.api import api_blueprint
from app.errors import Invalid, NotFound
from app.extensions import db
from app.idempotency import idempotent
from app.imports import reference, service
from app.organisations.lookups import visible_or_none
from app.organisations.models import Industry, Region

blp = api_blueprint("imports_api", __name__, "", "Imports from Excel and reference data (region tree, merges).")

MULTIPART_DOC = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary", "description": "the filled-in template (.xlsx)"},
        "dry_run": {"type": "boolean", "default": False, "description": "check only, create nothing"},
        "enterprise_id": {"type": "integer", "description": "staff imports by an administrator"}}}}}}}
RESULT_DOC = {"description": "{created, would_create, errors: [{sheet, row, column, cell, message}], rows, accounts}"}


def me():
    return current_user._get_current_object()


def _flag(raw) -> bool:
    value = (raw or "false").strip().lower()
    if value not in ("true", "false", "1", "0"):
        raise Invalid(fields={"dry_run": _("Use true or false.")})
    return value in ("true", "1")


def _file() -> bytes:
    upload = request.files.get("file")
    if upload is None:
        raise Invalid(fields={"file": _("Send the Excel file as the multipart field “file”.")})
    return storage.read_limited(upload)


def _answer(run, dry_run: bool):
    try:
        result = run()
    except service.ImportRefused as exc:
        db.session.rollback()
        return jsonify({"created": 0, "errors": [e.as_dict() for e in exc.errors],
                        "error": {"code": exc.code, "message": exc.message, "fields": exc.fields}}), 422
    if dry_run:
        db.session.rollback()
        return jsonify(result.as_dict(dry_run=True)), 200
    return jsonify(result.as_dict(dry_run=False)), 201


@blp.route("/imports/enterprises")
class ImportEnterprises(MethodView):
    @idempotent
    @blp.doc(**MULTIPART_DOC)
    @blp.alt_response(201, description=RESULT_DOC["description"])
    @storage.upload_limit
    def post(self):
        """Import enterprises (admin, authority administrators: into their region), all or nothing."""
        access.require(me(), "import.enterprises")
        dry_run = _flag(request.form.get("dry_run"))
        data = _file()
        return _answer(lambda: service.import_enterprises(me(), data, dry_run=dry_run), dry_run)


@blp.route("/imports/users")
class ImportUsers(MethodView):
    @idempotent
    @blp.doc(**MULTIPART_DOC)
    @blp.alt_response(201, description=RESULT_DOC["description"])
    @storage.upload_limit
    def post(self):
        """Import departments and staff accounts into an enterprise (its manager, or an administrator
        naming ``enterprise_id``), all or nothing; the one-time passwords are in ``accounts``."""
        enterprise = service.target_enterprise(me(), request.form.get("enterprise_id"))
        dry_run = _flag(request.form.get("dry_run"))
        data = _file()
        return _answer(lambda: service.import_users(me(), enterprise, data, dry_run=dry_run), dry_run)


class MergeArgs(Schema):
    target_id = fields.Integer(required=True, metadata={"description": "The entry to keep"})


class MergeResult(Schema):
    moved = fields.Dict(keys=fields.String(), values=fields.Integer(),
                        metadata={"description": "table.column → rows now referring to the target"})


class LoadResult(Schema):
    created = fields.Integer()
    renamed = fields.Integer()
    unchanged = fields.Integer()


@blp.route("/regions/load")
class RegionLoad(MethodView):
    @blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file", "root_code"], "properties": {
            "file": {"type": "string", "format": "binary", "description": "CSV or .xlsx of code,name rows"},
            "root_code": {"type": "string", "description": "the province, city or county to load"}}}}}})
    @blp.response(200, LoadResult)
    @storage.upload_limit
    def post(self):
        """Load the region tree under a province, city or county from the official division list (admin)."""
        access.require(me(), "reference.edit")
        counts = reference.load_divisions(me(), _file(), root_code=request.form.get("root_code", ""))
        db.session.commit()
        return counts


def _merge(model, source_id: int, target_id: int, fn):
    access.require(me(), "reference.edit")
    source = visible_or_none(model, source_id, me())
    if source is None:
        raise NotFound()
    target = visible_or_none(model, target_id, me())
    if target is None:
        raise Invalid(fields={"target_id": _("Unknown target.")})
    moved = fn(me(), source, target)
    db.session.commit()
    return {"moved": moved}


@blp.route("/regions/<int:region_id>/merge")
class RegionMerge(MethodView):
    @blp.arguments(MergeArgs)
    @blp.response(200, MergeResult)
    def post(self, data, region_id):
        """Merge a region entered twice into ``target_id`` (admin); never into its own sub-region."""
        return _merge(Region, region_id, data["target_id"], reference.merge_regions)


@blp.route("/industries/<int:industry_id>/merge")
class IndustryMerge(MethodView):
    @blp.arguments(MergeArgs)
    @blp.response(200, MergeResult)
    def post(self, data, industry_id):
        """Merge an industry entered twice into ``target_id`` (admin)."""
        return _merge(Industry, industry_id, data["target_id"], reference.merge_industries)
