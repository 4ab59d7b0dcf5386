"""Pages of public reports: the public form and ticket page (no login, phone first), the authority's
list, report page with its handling forms, statistics, designations and the printable QR code."""

from __future__ import annotations

import csv
import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, storage, ui
from app.auth.models import User
from app.clock import today
from app.errors import NotFound, ServiceError
from app.extensions import db
from app.forms import apply_errors, options
from app.labels import label
from app.organisations.models import Authority, Enterprise
from app.paging import paginate
from app.public_reports import forms, guard, policy, queries, service
from app.public_reports.models import PublicReport, ReportDesignee, ReportPhoto
from workflows.public_reports import REPORT_MACHINE, REWARD_MACHINE, ReportState

public_bp = Blueprint("public_reports_public", __name__, url_prefix="/report")
bp = Blueprint("public_reports", __name__, url_prefix="/reports")


def photo_digests():
    return db.session.scalars(select(ReportPhoto.sha256))


def _no_store(response):
    # The secret is on this page once: no cache, no referrer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- public (no login) -----------------------------------------------------------------------------

@public_bp.route("/", methods=["GET", "POST"])
@public_bp.route("/a/<int:authority_id>", methods=["GET", "POST"])
def form(authority_id: int | None = None):
    authority = db.session.get(Authority, authority_id) if authority_id else None
    if authority_id and authority is None:
        abort(404)
    form = forms.PublicReportForm()
    status = 200
    if form.validate_on_submit():
        try:
            guard.count_submission()
            guard.check_solution(form.challenge.data)
            photos = [(f.filename or "photo", storage.read_limited(f)) for f in request.files.getlist("photos")
                      if f and f.filename]
            report, secret = service.submit(
                category=form.category.data, enterprise_name=form.enterprise_name.data,
                location=form.location.data, description=form.description.data, photos=photos,
                name=form.name.data, phone=form.phone.data, authority_id=authority.id if authority else None)
            db.session.commit()
            return _no_store(make_response(render_template("public_reports/filed.html", report=report,
                                                           secret=secret)))
        except ServiceError as exc:
            db.session.rollback()
            apply_errors(form, exc, {"challenge": "description"} if "challenge" in exc.fields else None)
            status = exc.status
    elif request.method == "POST":
        status = 422
    return render_template("public_reports/form.html", form=form, authority=authority,
                           enterprises=service.enterprises_for_form(authority)), status


@public_bp.route("/track", methods=["GET", "POST"])
def track():
    form = forms.TrackForm(ticket=request.args.get("ticket", ""))
    if form.validate_on_submit():
        try:
            guard.check_lookup_budget(form.ticket.data)
            try:
                report = service.follow(form.ticket.data, form.secret.data)
            except NotFound:
                guard.count_wrong_secret(form.ticket.data)
                form.secret.errors = [_("No report matches this ticket number and secret.")]
                return render_template("public_reports/track.html", form=form), 404
        except guard.TooMany as exc:
            form.secret.errors = [exc.message]
            return render_template("public_reports/track.html", form=form), 429
        return _no_store(make_response(render_template(
            "public_reports/status.html", status=queries.public_status(report), ticket=form.ticket.data.upper())))
    return render_template("public_reports/track.html", form=form), 422 if request.method == "POST" else 200


# --- the authorities --------------------------------------------------------------------------------

@bp.before_request
@login_required
def _logged_in():
    return None


def _load(report_id: int) -> PublicReport:
    return access.get_visible(PublicReport, report_id, current_user)


@bp.route("/")
def index():
    access.require(current_user, "report.browse")
    state = request.args.get("state") or None
    stmt = access.visible(PublicReport, current_user)
    if state in {s.value for s in ReportState}:
        stmt = stmt.where(PublicReport.state == ReportState(state))
    page = paginate(stmt.order_by(PublicReport.id.desc()), request.args.get("page", 1, type=int), 50)
    return render_template("public_reports/index.html", page=page, state=state, states=list(ReportState),
                           may_qr=access.can(current_user, "report.qr"),
                           may_designate=access.can(current_user, "report.designate"))


@bp.route("/export.csv")
def export():
    """The list as CSV: no reporter identity at all (whether he left a name is a yes/no)."""
    access.require(current_user, "report.browse")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([pgettext("public_reports", "Number"), _("Ticket number"), _("Category"), _("Enterprise"),
                     pgettext("public_reports", "Place"), _("State"), _("Named reporter"), _("Substantiated?"),
                     _("Reward"), _("Reward amount (yuan)")])
    for r in db.session.scalars(access.visible(PublicReport, current_user).order_by(PublicReport.id)):
        writer.writerow([r.id, r.ticket or "", label(r.category), r.enterprise_name, r.location, label(r.state),
                         _("Yes") if r.identifiable else _("No"),
                         "" if r.substantiated is None else (_("Yes") if r.substantiated else _("No")),
                         label(r.reward_state), r.reward_amount or ""])
    response = make_response("\ufeff" + out.getvalue())
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = "attachment; filename=public-reports.csv"
    return response


def _forms(report: PublicReport) -> dict:
    v = report.version
    decision = forms.DecisionForm(version=v, prefix="d")
    decision.authority_id.choices = options(
        [("", "—")] + [(str(a.id), a.name) for a in db.session.scalars(
            select(Authority).where(Authority.id != report.authority_id).order_by(Authority.name))])
    hazard = forms.HazardForm(prefix="h", title=(report.description or "")[:60],
                              enterprise_id=str(report.enterprise_id or ""))
    hazard.enterprise_id.choices = options(
        [("", "—")] + [(str(e.id), e.name) for e in db.session.scalars(
            access.visible(Enterprise, current_user).order_by(Enterprise.name).limit(500))])
    return {"decision": decision, "verify": forms.VerifyForm(version=v, prefix="v"), "hazard": hazard,
            "close": forms.CloseForm(version=v, prefix="c"), "compute": forms.ComputeForm(prefix="r"),
            "propose": forms.ProposeForm(version=v, prefix="p"),
            "reward_decision": forms.RewardDecisionForm(version=v, prefix="a"),
            "payment": forms.PaymentForm(version=v, prefix="y")}


def _page(report: PublicReport, status: int = 200, **given):
    all_forms = _forms(report)
    all_forms.update(given)
    handles = access.can(current_user, "report.handle", report)
    return render_template(
        "public_reports/show.html", report=report, f=all_forms, handles=handles,
        approves=access.can(current_user, "report.approve_reward", report),
        triggers=REPORT_MACHINE.triggers_from(report.state), reward_triggers=REWARD_MACHINE.triggers_from(
            report.reward_state), reporter=service.reporter(current_user, report),
        is_inspector=current_user.role.value == "inspector", today=today(),
        hazard_link=url_for("hazards.show", hazard_id=report.hazard_id) if report.hazard_id else None,
        inspection_link=url_for("supervision.inspection", inspection_id=report.inspection_id)
        if report.inspection_id else None, start_inspection=_start_inspection(report, handles),
        forwarded=db.session.get(PublicReport, report.forwarded_to_id) if report.forwarded_to_id else None,
    ), status


def _start_inspection(report: PublicReport, handles: bool) -> str | None:
    """The inspection form prefilled with the report's enterprise; recording it links the two."""
    if not handles or report.inspection_id or report.state not in (ReportState.accepted, ReportState.verified) \
            or not access.can(current_user, "inspection.create"):
        return None
    return url_for("supervision.new_inspection", enterprise_id=report.enterprise_id or None,
                   origin=service.inspection_start_token(report))


@bp.route("/<int:report_id>")
def show(report_id: int):
    report = _load(report_id)
    answer = _page(report)
    db.session.commit()  # the audit entry of a designated user's reading of the identity
    return answer


def _act(report_id: int, form, key: str, action):
    report = _load(report_id)
    if not form.validate_on_submit():
        return _page(report, 422, **{key: form})
    attempt = ui.attempt(action, form)
    if not attempt.ok:
        db.session.refresh(report)
        return _page(report, attempt.status, **{key: form})
    ui_done()
    return redirect(url_for("public_reports.show", report_id=report_id))


def ui_done():
    flash(_("Saved."), "success")


@bp.route("/<int:report_id>/decide", methods=["POST"])
def decide(report_id: int):
    form = forms.DecisionForm(prefix="d")
    form.authority_id.choices = options([("", "—")] + [(str(a.id), a.name) for a in db.session.scalars(
        select(Authority))])
    return _act(report_id, form, "decision", lambda: service.decide(
        current_user, report_id, form.action.data, reason=form.reason.data,
        authority_id=form.authority_id.data or None, version=form.version.data))


@bp.route("/<int:report_id>/verify", methods=["POST"])
def verify(report_id: int):
    form = forms.VerifyForm(prefix="v")
    return _act(report_id, form, "verify", lambda: service.verify(
        current_user, report_id, substantiated=form.substantiated.data == "yes", findings=form.findings.data,
        version=form.version.data))


@bp.route("/<int:report_id>/hazard", methods=["POST"])
def hazard(report_id: int):
    form = forms.HazardForm(prefix="h")
    form.enterprise_id.choices = options([("", "—")] + [(str(e.id), e.name) for e in db.session.scalars(
        access.visible(Enterprise, current_user))])
    return _act(report_id, form, "hazard", lambda: service.make_hazard(
        current_user, report_id, title=form.title.data, enterprise_id=form.enterprise_id.data or None))


@bp.route("/<int:report_id>/close", methods=["POST"])
def close(report_id: int):
    form = forms.CloseForm(prefix="c")
    return _act(report_id, form, "close", lambda: service.close(
        current_user, report_id, result=form.result.data, version=form.version.data))


@bp.route("/<int:report_id>/reward/compute", methods=["POST"])
def compute(report_id: int):
    """Compute the proposal from the configured rules and show it in the proposal form (not saved)."""
    report = _load(report_id)
    form = forms.ComputeForm(prefix="r")
    if not form.validate_on_submit():
        return _page(report, 422, compute=form)
    try:
        proposal = service.compute(current_user, report_id, fine=form.fine.data,
                                   accident_level=form.accident_level.data or None,
                                   concealed_deaths=form.concealed_deaths.data)
    except ServiceError as exc:
        if exc.status in (403, 404):
            raise
        apply_errors(form, exc, {"reporter": "fine", "other_amount": "fine", "per_concealed_death": "accident_level"})
        return _page(report, exc.status, compute=form)
    propose = forms.ProposeForm(formdata=None, prefix="p", amount=proposal.amount, basis=proposal.basis,
                                version=report.version)
    return _page(report, 200, compute=form, propose=propose)


@bp.route("/<int:report_id>/reward", methods=["POST"])
def propose(report_id: int):
    form = forms.ProposeForm(prefix="p")
    return _act(report_id, form, "propose", lambda: service.propose_reward(
        current_user, report_id, amount=form.amount.data, basis=form.basis.data, version=form.version.data))


@bp.route("/<int:report_id>/reward/decision", methods=["POST"])
def reward_decision(report_id: int):
    form = forms.RewardDecisionForm(prefix="a")
    return _act(report_id, form, "reward_decision", lambda: service.decide_reward(
        current_user, report_id, approved=form.approved.data == "yes", reason=form.reason.data,
        version=form.version.data))


@bp.route("/<int:report_id>/reward/payment", methods=["POST"])
def payment(report_id: int):
    form = forms.PaymentForm(prefix="y")
    return _act(report_id, form, "payment", lambda: service.pay_reward(
        current_user, report_id, paid_on=form.paid_on.data, method=form.method.data, version=form.version.data))


@bp.route("/<int:report_id>/photos/<int:photo_id>")
def photo(report_id: int, photo_id: int):
    report = _load(report_id)
    row = db.session.get(ReportPhoto, photo_id)
    if row is None or row.report_id != report.id:
        abort(404)
    return storage.send(storage.load(row.sha256), mime=row.mime, filename=row.filename, inline=True)


@bp.route("/statistics")
def statistics():
    access.require(current_user, "report.browse")
    return render_template("public_reports/statistics.html", rows=queries.statistics(current_user))


@bp.route("/designees", methods=["GET", "POST"])
def designees():
    access.require(current_user, "report.designate")
    form = forms.DesigneeForm()
    candidates = db.session.scalars(select(User).where(
        User.authority_id == current_user.authority_id, User.role.in_(policy.HANDLERS),
        User.active.is_(True)).order_by(User.display_name)).all()
    form.user_id.choices = options((str(u.id), f"{u.display_name} · {label(u.role)}") for u in candidates)
    status = 200
    if request.method == "POST" and request.form.get("remove"):
        ui.attempt(lambda: service.undesignate(current_user, request.form.get("remove", type=int)))
        return redirect(url_for("public_reports.designees"))
    if form.validate_on_submit():
        attempt = ui.attempt(lambda: service.designate(current_user, form.user_id.data), form,
                             aliases={"user_id": "user_id"})
        if attempt.ok:
            ui_done()
            return redirect(url_for("public_reports.designees"))
        status = attempt.status
    rows = db.session.scalars(select(ReportDesignee).where(
        ReportDesignee.authority_id == current_user.authority_id).order_by(ReportDesignee.id)).all()
    return render_template("public_reports/designees.html", form=form, rows=rows), status


@bp.route("/qr")
def qr():
    """The authority's public QR code, to print and post: it opens the report form routed to it."""
    access.require(current_user, "report.qr")
    authority = current_user.authority
    base = (current_app.config.get("PUBLIC_BASE_URL") or request.host_url).rstrip("/")
    url = base + url_for("public_reports_public.form", authority_id=authority.id)
    return render_template("public_reports/qr.html", authority=authority, url=url, svg=_qr_svg(url))


def _qr_svg(url: str) -> str:
    import qrcode  # only this page draws a QR code outside the documents
    import qrcode.image.svg  # (the same: loaded when the page is drawn)

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    return image.to_string(encoding="unicode")
