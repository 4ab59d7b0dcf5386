"""Pages of the periodic report: the enterprise generates, reviews, signs and submits; the authority sees
who submitted, who is late, and opens each; anyone with the QR code verifies a printed one."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, storage, ui
from app.clock import to_local, today
from app.dashboard import report_reminders
from app.dashboard import reports as reports_service
from app.dashboard.models import PeriodicReport
from app.dashboard.views import _int_arg, bp, fig, fmt
from app.extensions import db

ROWS = ("reported", "confirmed", "closed", "closed_on_time", "voided", "open", "overdue", "major_open",
        "on_time_rate", "avg_days_to_close")


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
                                                                     for r in ROWS],
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


def pdf_context(item: PeriodicReport) -> dict:
    from flask import current_app

    totals = item.figures["totals"]
    rows = [{"name": fig(r).name, "value": fmt(r, totals.get(r)), "definition": fig(r).definition} for r in ROWS]
    c = item.figures.get("checks") or {}
    rows += [{"name": fig("checks_planned").name, "value": c.get("planned", 0), "definition": fig("checks_planned").definition},
             {"name": fig("checks_done").name, "value": c.get("done", 0), "definition": fig("checks_done").definition},
             {"name": fig("completion_rate").name, "value": fmt("completion_rate", c.get("completion_rate")),
              "definition": fig("completion_rate").definition}]
    grades = item.figures.get("risk_points") or {}
    return {
        "number": item.number or "（未签字）", "enterprise_name": item.enterprise.name,
        "credit_code": item.enterprise.credit_code,
        "period_label": f"{item.period[:4]}年第{item.period[-1]}季度" if "-Q" in item.period else f"{item.period}年度",
        "first": item.period_start.isoformat(), "last": item.period_end.isoformat(), "due_on": item.due_on.isoformat(),
        "rows": rows, "months": item.figures.get("months", []),
        "grade_rows": [("当前等级", grades.get("current", {})), ("评估等级", grades.get("assessed", {}))],
        "reviewed_by": item.reviewed_by.display_name if item.reviewed_by else "",
        "reviewed_on": to_local(item.reviewed_at).date().isoformat() if item.reviewed_at else "",
        "approved_by": item.approved_by.display_name if item.approved_by else "",
        "approved_on": to_local(item.approved_at).date().isoformat() if item.approved_at else "",
        "verify_url": current_app.config["PUBLIC_BASE_URL"].rstrip("/")
        + url_for("dashboard_public.verify_report", token=item.verify_token or "-"),
    }


@bp.route("/reports/<int:report_id>.pdf")
@login_required
def report_pdf(report_id: int):
    from reports.render import render_pdf

    item = access.get_visible(PeriodicReport, report_id, current_user)
    data = render_pdf("periodic_report.html", pdf_context(item))
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
