"""Pages of the periodic report: the enterprise generates, reviews, signs and submits; the authority sees
who submitted, who is late, and opens each; anyone with the QR code verifies a printed one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, storage, ui
from app.clock import today
from app.dashboard import report_reminders
from app.dashboard import reports as reports_service
from app.dashboard.models import PeriodicReport
from app.dashboard.views import _int_arg, bp, fig, fmt
from app.extensions import db


@bp.route("/reports")
@login_required
def reports():
    if current_user.role.is_enterprise:
        rows = db.session.scalars(access.visible(PeriodicReport, current_user)
                                  .order_by(PeriodicReport.period_end.desc())).all()
        return render_template("dashboard/reports.html", rows=rows, suggested=reports_service.previous_period(today()))
    period = request.args.get("period") or None
    try:
        period, due_on, rows = reports_service.oversight(current_user, region_id=_int_arg("region_id"), period=period,
                                                       state=request.args.get("state") or None)
    except Exception as exc:  # an unreadable period: the default one, with the message
        from app.errors import Invalid

        if not isinstance(exc, Invalid):
            raise
        flash(ui.messages(exc)[0], "error")
        period, due_on, rows = reports_service.oversight(current_user, region_id=_int_arg("region_id"))
    return render_template("dashboard/reports_oversight.html", period=period, due_on=due_on, rows=rows,
                           state=request.args.get("state") or "")


@bp.route("/reports", methods=["POST"])
@login_required
def generate_report():
    done = ui.attempt(lambda: reports_service.generate(current_user, None, request.form.get("period", "")))
    if done.ok:
        flash(_("The report was generated from your data."), "success")
        return redirect(url_for("dashboard.report", report_id=done.value.id))
    return redirect(url_for("dashboard.reports"))


@bp.route("/reports/<int:report_id>")
@login_required
def report(report_id: int):
    item = access.get_visible(PeriodicReport, report_id, current_user)
    return render_template("dashboard/report.html", item=item, rows=[(fig(r), fmt(r, item.figures["totals"].get(r)))
                                                                     for r in reports_service.ROWS],
                           reminders=report_reminders.sent_for(item.enterprise_id, item.period))


@bp.route("/reports/<int:report_id>/<action>", methods=["POST"])
@login_required
def report_action(report_id: int, action: str):
    fn = {"review": reports_service.review, "approval": reports_service.approve, "submission": reports_service.submit}.get(action)
    if fn is None:
        abort(404)
    done = ui.attempt(lambda: fn(current_user, report_id))
    if done.ok:
        flash({"review": _("Reviewed."), "approval": _("Signed."), "submission": _("Submitted to the authority.")}[action],
              "success")
    return redirect(url_for("dashboard.report", report_id=report_id))


@bp.route("/reports/<int:report_id>.pdf")
@login_required
def report_pdf(report_id: int):
    item = access.get_visible(PeriodicReport, report_id, current_user)
    # Signed: the stored bytes (checked against their digest); before: a draft rendered now, unnumbered.
    data = reports_service.signed_pdf(item) if item.pdf_sha256 else reports_service.render(item)
    return storage.send(data, mime="application/pdf", filename=f"periodic-report-{item.period}.pdf", inline=True)


# Public, like the documents' /verify/<token>: what a QR code on a printed report opens, without a login.
public_bp = Blueprint("dashboard_public", __name__)


@public_bp.route("/verify/periodic-reports/<token>")
def verify_report(token: str):
    item = db.session.scalar(select(PeriodicReport).where(PeriodicReport.verify_token == token)) \
        if token and token != "-" else None
    if item is None:
        abort(404)
    return render_template("dashboard/report_verify.html", item=item)
