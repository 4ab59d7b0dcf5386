from __future__ import annotations

from flask import Blueprint

bp = Blueprint("hazards", __name__, url_prefix="/hazards")


@bp.route("/")
def index():
    return "", 204


@bp.route("/<int:hazard_id>")
def show(hazard_id):
    return "", 204
