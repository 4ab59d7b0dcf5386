"""The push status page (enterprise and authority), and the receiving endpoints of the national datasets
(this project as a city/park platform, authenticated per enterprise, not per user)."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access, ui
from app.exchange import service, transport
from app.extensions import csrf, db
from app.organisations.models import Enterprise
from workflows.exchange import DATASETS

bp = Blueprint("exchange", __name__, url_prefix="/exchange")
receive_bp = Blueprint("exchange_receive", __name__, url_prefix="/exchange/receive")
csrf.exempt(receive_bp)  # machine-to-machine: the enterprise's key authenticates, no session, no form


@bp.before_request
@login_required
def _logged_in():
    return None


@bp.route("/")
def index():
    rows = db.session.scalars(service.statuses(current_user)).all()
    return render_template("exchange/index.html", rows=rows, datasets=DATASETS,
                           never_pushed=service.never_pushed(current_user),
                           may_see_received=access.can(current_user, "exchange.received"))


@bp.route("/received")
def received():
    """What this platform received from enterprises running their own instance, per sender."""
    return render_template("exchange/received.html", senders=service.received_summary(current_user),
                           datasets=DATASETS)


@bp.route("/<int:enterprise_id>")
def show(enterprise_id: int):
    status = service.status_for(current_user, enterprise_id)
    refused = service.refused_rows(current_user, enterprise_id)
    enterprise = db.session.get(Enterprise, status.enterprise_id)
    may_push = access.can(current_user, "exchange.push", enterprise)
    counts = status.preview_counts if status.never_pushed else service.pending_by_dataset(status.enterprise_id)
    return render_template("exchange/show.html", status=status, refused=refused, datasets=DATASETS,
                           may_push=may_push, counts=counts)


@bp.route("/<int:enterprise_id>/push", methods=["POST"])
def push_now(enterprise_id: int):
    result = ui.attempt(lambda: service.request_push(current_user, enterprise_id))
    if result.status is None:
        flash(_("The push was asked for; the status shows its outcome."))
    return redirect(url_for("exchange.show", enterprise_id=enterprise_id))


@receive_bp.route("/<dataset>", methods=["POST"])
def receive(dataset: str):
    """JSON ``{"companyCode", "datas"}`` (or the header ``X-Company-Code``), or a form post with ``pwd``."""
    try:
        if request.is_json:
            body = request.get_json(silent=True) or {}
            code = str(body.get("companyCode") or request.headers.get("X-Company-Code") or "")
            answer = service.receive(dataset, code, datas=body.get("datas"))
        else:
            form = request.form.to_dict()
            answer = service.receive(dataset, str(form.get("companyCode") or ""), form=form)
    except service.Refused as exc:
        db.session.rollback()
        response = jsonify(transport.refusal(exc.status, exc.message))
        response.status_code = exc.status
        return response
    db.session.commit()
    return jsonify(answer)

