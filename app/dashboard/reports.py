"""The statutory periodic report (《安全生产事故隐患排查治理暂行规定》16号令 第十四条, docs/figures.md):
the enterprise's quarterly and annual 隐患排查治理情况统计分析表, generated from its data, reviewed by the
safety manager, signed (approved) by the principal, submitted to its authority — quarterly by the 15th of
the following month, annually by 31 January — as a numbered PDF with a QR code to verify it.

Use cases ``(actor, id, **fields)``: check scope and permission inside, never commit.
"""

from __future__ import annotations

import re
import secrets
from datetime import date, timedelta

from sqlalchemy import select

from app import access, storage, ui
from app.auth.models import User
from app.clock import to_local, today, utcnow
from app.dashboard import checks, stats
from app.dashboard.models import PeriodicReport, ReportState
from app.documents.service import allocate_number
from app.errors import Conflict, Forbidden, Invalid
from app.extensions import db
from app.organisations.models import Enterprise
from reports.render import render_pdf
from workflows.figures import PERIOD_FIGURES, display

_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_YEAR = re.compile(r"\d{4}")


def parse_period(text: str | None) -> tuple[str, date, date]:
    """``2026-Q4`` or ``2026`` → (period, first day, last day); anything else: Invalid naming ``period``."""
    text = (text or "").strip()
    m = _QUARTER.fullmatch(text)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        first = date(year, 3 * q - 2, 1)
        last = (date(year, 3 * q, 1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return text, first, last
    if _YEAR.fullmatch(text) and 2000 <= int(text) <= 2999:
        return text, date(int(text), 1, 1), date(int(text), 12, 31)
    raise Invalid(fields={"period": "统计期应写作 2026-Q4（季度）或 2026（年度）。"})


def due_date(period: str) -> date:
    """A quarter's report is due by the 15th of the month after it; a year's by 31 January (第十四条)."""
    _p, _first, last = parse_period(period)
    if "-Q" in period:
        return last + timedelta(days=15)
    return date(last.year + 1, 1, 31)


def previous_period(on: date) -> str:
    """The quarter that ended last before ``on`` (in January the year's report is due too)."""
    q = (on.month - 1) // 3 + 1
    year, q = (on.year, q - 1) if q > 1 else (on.year - 1, 4)
    return f"{year}-Q{q}"


def report_figures(user: User, enterprise: Enterprise, first: date, last: date) -> dict:
    """The table's figures, the same definitions as the dashboards (workflows.figures)."""
    scope = stats.Scope(user=user, enterprise=enterprise)
    hazards = stats.hazard_stats(scope, first, last, "month")
    window = checks.total(user, enterprise_id=enterprise.id, from_=first, to=last)
    duties = checks.duties(user, enterprise_id=enterprise.id, from_=first, to=last)
    grades = stats.risk_points_by_grade(scope)
    return {"totals": hazards.totals, "months": hazards.items, "checks": window.as_dict(),
            "duties": {"planned": duties.expected, "done": duties.done}, "risk_points": grades,
            "counted_on": today().isoformat()}


def generate(actor: User, enterprise_id: int | None, period: str) -> PeriodicReport:
    """Generate (or regenerate while still a draft) the report of a period that has ended."""
    access.require(actor, "periodic_report.generate")
    enterprise = access.get_visible(Enterprise, enterprise_id or actor.enterprise_id, actor)
    period, first, last = parse_period(period)
    if last >= today():
        raise Invalid(fields={"period": "统计期尚未结束，不能生成报表。"})
    report = db.session.scalar(select(PeriodicReport).where(PeriodicReport.enterprise_id == enterprise.id,
                                                            PeriodicReport.period == period).with_for_update())
    if report is not None and report.state != ReportState.draft:
        raise Conflict(fields={"period": "该统计期的报表已审核，不能重新生成。"})
    if report is None:
        report = PeriodicReport(enterprise_id=enterprise.id, period=period, period_start=first, period_end=last,
                                due_on=due_date(period), created_by_id=actor.id)
        db.session.add(report)
    report.figures = report_figures(actor, enterprise, first, last)
    db.session.flush()
    return report


# The rows of the table, in the order the PDF prints them (figures of workflows.figures).
ROWS = ("reported", "confirmed", "closed", "closed_on_time", "voided", "open", "overdue", "major_open",
        "on_time_rate", "avg_days_to_close")


def _row(identifier: str, value) -> dict:
    fig = PERIOD_FIGURES[identifier]
    return {"name": fig.name, "value": value, "definition": fig.definition}


def pdf_context(item: PeriodicReport) -> dict:
    """What the PDF prints; the signers by id (the relationships may predate this request's signature)."""

    totals = item.figures["totals"]
    c = item.figures.get("checks") or {}
    rows = [_row(r, display(r, totals.get(r))) for r in ROWS] + [
        _row("checks_planned", c.get("planned", 0)), _row("checks_done", c.get("done", 0)),
        _row("completion_rate", display("completion_rate", c.get("completion_rate")))]
    grades = item.figures.get("risk_points") or {}
    reviewer = db.session.get(User, item.reviewed_by_id) if item.reviewed_by_id else None
    signer = db.session.get(User, item.approved_by_id) if item.approved_by_id else None
    return {
        "number": item.number or "（未签字）", "enterprise_name": item.enterprise.name,
        "credit_code": item.enterprise.credit_code,
        "period_label": f"{item.period[:4]}年第{item.period[-1]}季度" if "-Q" in item.period else f"{item.period}年度",
        "first": item.period_start.isoformat(), "last": item.period_end.isoformat(), "due_on": item.due_on.isoformat(),
        "rows": rows, "months": item.figures.get("months", []),
        "grade_rows": [("当前等级", grades.get("current", {})), ("评估等级", grades.get("assessed", {}))],
        "reviewed_by": reviewer.display_name if reviewer else "",
        "reviewed_on": to_local(item.reviewed_at).date().isoformat() if item.reviewed_at else "",
        "approved_by": signer.display_name if signer else "",
        "approved_on": to_local(item.approved_at).date().isoformat() if item.approved_at else "",
        "verify_url": ui.public_url("dashboard_public.verify_report", token=item.verify_token or "-"),
    }


def render(report: PeriodicReport) -> bytes:
    return render_pdf("periodic_report.html", pdf_context(report))


def signed_pdf(report: PeriodicReport) -> bytes:
    """The PDF the principal signed, as stored: the same bytes whenever downloaded (storage.load refuses
    a missing or altered file)."""
    return storage.load(report.pdf_sha256)


def _load(actor: User, report_id: int) -> PeriodicReport:
    return access.get_visible(PeriodicReport, report_id, actor, for_update=True)


def review(actor: User, report_id: int) -> PeriodicReport:
    """The safety manager has checked the figures (审核)."""
    report = _load(actor, report_id)
    if not access.can(actor, "periodic_report.review", report):
        raise Forbidden()
    if report.state != ReportState.draft:
        raise Conflict(fields={"state": "报表已审核。"})
    report.state, report.reviewed_by_id, report.reviewed_at = ReportState.reviewed, actor.id, utcnow()
    db.session.flush()
    return report


def approve(actor: User, report_id: int) -> PeriodicReport:
    """The principal signs the table (统计分析表应当由生产经营单位主要负责人签字); it gets its number."""

    report = _load(actor, report_id)
    if not access.can(actor, "periodic_report.approve", report):
        raise Forbidden(fields={"approval": "统计分析表只能由本单位主要负责人签字。"})
    if report.state == ReportState.draft:
        raise Conflict(fields={"state": "报表须先经安全管理人员审核。"})
    if report.state != ReportState.reviewed:
        raise Conflict(fields={"state": "报表已签字。"})
    year = today().year
    seq = allocate_number(f"enterprise:{report.enterprise_id}", "periodic_report", year)
    report.number = f"隐统〔{year}〕{seq}号"
    report.verify_token = secrets.token_urlsafe(16)[:22]
    report.state, report.approved_by_id, report.approved_at = ReportState.approved, actor.id, utcnow()
    # What was signed is fixed now: rendered once, stored with its SHA-256; submission sends these bytes.
    pdf = render(report)
    report.pdf_sha256, report.pdf_size = storage.save(pdf), len(pdf)
    db.session.flush()
    return report


def submit(actor: User, report_id: int) -> PeriodicReport:
    """Submit the signed report to the enterprise's authority; a second submission: Conflict."""
    report = _load(actor, report_id)
    if not access.can(actor, "periodic_report.submit", report):
        raise Forbidden()
    if report.state == ReportState.submitted:
        raise Conflict(fields={"state": "报表已报送，不能重复报送。"})
    if report.state != ReportState.approved:
        raise Conflict(fields={"state": "报表须由主要负责人签字后才能报送。"})
    signed_pdf(report)  # a missing or altered signed PDF is never submitted (FileUnavailable)
    report.state, report.submitted_by_id, report.submitted_at = ReportState.submitted, actor.id, utcnow()
    db.session.flush()
    return report


def oversight(user: User, *, region_id: int | None = None, period: str | None = None, state: str | None = None):
    """For an authority: each enterprise of the region with its report of ``period`` (submitted or not),
    late ones flagged. Returns (period, due_on, rows)."""
    access.require(user, "periodic_report.oversee")
    period = parse_period(period or previous_period(today()))[0]
    scope = stats.resolve_scope(user, region_id=region_id)
    enterprises = db.session.scalars(select(Enterprise).where(scope.enterprise_condition(Enterprise.id))
                                     .order_by(Enterprise.name)).all()
    reports = {r.enterprise_id: r for r in db.session.scalars(
        access.visible(PeriodicReport, user).where(PeriodicReport.period == period))}
    due_on = due_date(period)
    rows = []
    for e in enterprises:
        r = reports.get(e.id)
        late = (r is None and today() > due_on) or (r is not None and r.late)
        row_state = "submitted" if r is not None else "missing"
        if state and state != row_state and not (state == "late" and late):
            continue
        rows.append({"enterprise": e, "report": r, "late": late, "state": row_state})
    return period, due_on, rows
