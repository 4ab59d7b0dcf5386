"""Web pages: the supervisor's queue, the supervision list (+ Excel), the overview, a listing with its
decision and progress reports, and inspections (record + order, review + opinion)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, figures, labels, signals, ui
from app.clock import today
from app.documents import service as documents
from app.documents.models import Document
from app.errors import ServiceError
from app.exports import views as export_views
from app.extensions import db
from app.forms import apply_errors
from app.organisations.models import Enterprise, Industry, Region
from app.paging import paginate
from app.supervision import inspections, queries, review, service
from app.supervision.forms import DecisionForm, InspectionForm, ProgressForm
from app.supervision.models import Inspection, Listing, ListingState
from app.supervision.policy import ENTERPRISE_VISIBLE_STATES
from workflows.figures import FIGURES
from workflows.grades import Grade
from workflows.hazard_states import HazardState
from workflows.listing import NEAREST_ANY, NEAREST_UP

bp = Blueprint("supervision", __name__, url_prefix="/supervision")
PER_PAGE = 50


def _page_no() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _int_arg(name: str) -> int | None:
    try:
        return int(request.args.get(name) or 0) or None
    except ValueError:
        return None


# --- listings ---------------------------------------------------------------------------

@bp.route("/queue")
@login_required
def queue():
    mine = paginate(queries.queue(current_user, mine=True), _page_no(), PER_PAGE)
    others = paginate(queries.queue(current_user, mine=False), _page_no(), PER_PAGE)
    return render_template("supervision/queue.html", rows=mine.items, total=mine.total, others=others.items,
                           others_total=others.total, page=_page_no(), rule_text=service.rule_text,
                           routed_note=routed_note, pages=max(mine.pages, others.pages))


def _filters() -> queries.ListFilters:
    grade = request.args.get("grade") or None
    state = request.args.get("state") or None
    return queries.ListFilters(
        region_id=_int_arg("region_id"), industry_id=_int_arg("industry_id"),
        grade=grade if grade in {g.value for g in Grade} else None,
        state=state if state in {s.value for s in ListingState} else None)


@bp.route("/listings")
@login_required
def listings():
    filters = _filters()
    if request.args.get("format") == "xlsx":  # every row (no cap); a large list is built in the background
        return export_views.respond(queries.EXPORT_NAME, asdict(filters))
    stmt = queries.supervision_list(current_user, filters)
    page = paginate(stmt, _page_no(), PER_PAGE)
    rows, total = page.items, page.total
    if current_user.role.is_enterprise:  # its own listings: no region or industry to choose
        regions, industries, states = [], [], list(ENTERPRISE_VISIBLE_STATES)
    else:
        regions = db.session.scalars(access.visible(Region, current_user).order_by(Region.path)).all()
        industries = db.session.scalars(select(Industry).order_by(Industry.name)).all()
        states = list(ListingState)
    args = {k: v for k, v in request.args.items() if k not in ("page", "format") and v}
    return render_template("supervision/listings.html", rows=rows, total=total, page=_page_no(),
                           pages=page.pages, filters=filters, regions=regions,
                           industries=industries, grades=list(Grade), states=states, args=args)


@bp.route("/overview")
@login_required
def overview():
    data = queries.overview(current_user)
    cards = [FIGURES[i] for i in ("open_hazards", "overdue_open", "listed", "proposals_waiting",
                                  "closed_this_year", "closed_on_time_this_year", "on_time_rate",
                                  "confirmed_this_year", "rectification_rate")]
    return render_template("supervision/overview.html", data=data, cards=cards, figure_name=figures.name,
                           figure_definition=figures.definition, states=[
        HazardState.reported, HazardState.rectifying, HazardState.pending_review], grades=[*Grade, None])


@bp.route("/listings/<int:listing_id>", methods=["GET", "POST"])
@login_required
def listing(listing_id: int):
    item = access.get_visible(Listing, listing_id, current_user)
    form = DecisionForm(prefix="decision")
    progress_form = ProgressForm(prefix="progress")
    status = 200
    if request.method == "POST" and "decision-action" in request.form:
        status = 422
        if form.validate():
            done = ui.attempt(lambda: service.decide(
                item.id, current_user, form.action.data, reason=form.reason.data or "",
                deadline=form.deadline.data, requirements=form.requirements.data or "",
                supervising_person=form.supervising_person.data or "", basis=form.basis.data or ""), form)
            if done.ok:
                flash(_("Listed for supervision; the notice is issued.") if form.action.data == "list"
                      else _("Proposal dismissed."), "success")
                return redirect(url_for("supervision.listing", listing_id=item.id))
            status = done.status
        item = access.get_visible(Listing, listing_id, current_user)
    elif request.method == "POST":
        status = 422
        if progress_form.validate():
            done = ui.attempt(lambda: service.report_progress(item.id, current_user, progress_form.text.data),
                              progress_form)
            if done.ok:
                flash(_("Progress report filed."), "success")
                return redirect(url_for("supervision.listing", listing_id=item.id))
            status = done.status
        item = access.get_visible(Listing, listing_id, current_user)
    elif item.deadline and not form.deadline.data:
        form.deadline.data = item.deadline
    return render_template("supervision/listing.html", item=item, form=form, progress_form=progress_form,
                           rule_text=service.rule_text(item.rule), routed_note=routed_note(item),
                           review_due=review.review_due(item.hazard)), status


@bp.route("/coverage")
@login_required
def coverage():
    """The administrator's page of regions whose listing rules name an authority that does not exist."""
    return render_template("supervision/coverage.html", gaps=queries.coverage(current_user),
                           routed=queries.routed_listings(), rule_text=service.rule_text,
                           routed_note=routed_note, mode=_routing_text(service.routing_mode()))


def _routing_text(mode: str) -> str:
    return {NEAREST_UP: _("the nearest authority above the rule's level"),
            NEAREST_ANY: _("the nearest authority above the rule's level, else the nearest below it")}[mode]


def routed_note(item: Listing) -> str:
    """Why a proposal is at this authority and not at its rule's level ("" when it is not routed)."""
    if item.requested_level is None:
        return ""
    return _("Routed to %(authority)s: the rule asks for a %(wanted)s authority and none exists over "
             "%(region)s, so the proposal went to the nearest authority.",
             authority=item.authority.name, wanted=labels.label(item.requested_level),
             region=item.enterprise.region.name)


# --- inspections ------------------------------------------------------------------------

@bp.route("/inspections", endpoint="inspections")
@login_required
def inspections_list():
    page = paginate(inspections.inspections_for(current_user), _page_no(), PER_PAGE)
    return render_template("supervision/inspections.html", rows=page.items, total=page.total, page=page.page,
                           pages=page.pages)



def _inspection_form() -> InspectionForm:
    form = InspectionForm()
    enterprises = db.session.scalars(access.visible(Enterprise, current_user).order_by(Enterprise.name)).all()
    form.enterprise_id.choices = [(0, _("Choose…"))] + [(e.id, e.name) for e in enterprises]
    form.second_officer_id.choices = [(0, _("Choose…"))] + [
        (u.id, f"{u.display_name}（{u.certificate_no or _('no certificate')}）")
        for u in inspections.officers_for(current_user)]
    rows = request.args.get("rows", "")
    if request.method == "GET" and rows.isdigit():  # more rows than the six shown: ?rows=30
        while len(form.problems) < min(int(rows), inspections.MAX_ITEMS):
            form.problems.append_entry()
    criteria = [(0, _("No"))] + [(c.id, f"{c.industry} 第{c.clause}项：{c.text}") for c in inspections.criteria()]
    for entry in form.problems:
        entry.form.criterion_id.choices = criteria
    return form


@bp.route("/inspections/new", methods=["GET", "POST"])
@login_required
def new_inspection():
    access.require(current_user, "inspection.create")
    form = _inspection_form()
    if request.method == "GET":
        form.inspected_on.data = today()
        if request.args.get("enterprise_id", "").isdigit():
            form.enterprise_id.data = int(request.args["enterprise_id"])
        form.origin.data = request.args.get("origin", "")[:64]
        return _inspection_page(form)
    if form.validate():
        cited = {p.citation: p.id for p in inspections.provisions()}
        problems = [inspections.Problem(title=p.form.title.data or "", deadline=p.form.deadline.data,
                                        location=p.form.location.data or "",
                                        # A citation picked from the table cites its row; other text is typed.
                                        provision_id=cited.get((p.form.provision.data or "").strip()),
                                        provision=p.form.provision.data or "",
                                        major=bool(p.form.criterion_id.data),
                                        criterion_id=p.form.criterion_id.data or None, photos=_photos(p.form.photos))
                    for p in form.problems if (p.form.title.data or "").strip() or p.form.deadline.data]
        done = ui.attempt(lambda: inspections.record(
            current_user, enterprise_id=form.enterprise_id.data, inspected_on=form.inspected_on.data,
            start_time=form.start_time.data, end_time=form.end_time.data,
            second_officer_id=form.second_officer_id.data or None, problems=problems,
            place=form.place.data or "", findings=form.findings.data or "",
            enterprise_person=form.enterprise_person.data or "", origin=form.origin.data or ""), form,
            place=_put_inspection_errors)
        if done.ok:
            flash(_("Inspection recorded; the rectification order is issued."), "success")
            return redirect(url_for("supervision.inspection", inspection_id=done.value.id))
        return _inspection_page(form, done.status)
    return _inspection_page(form, 422)


def _inspection_page(form: InspectionForm, status: int = 200):
    return render_template("supervision/inspection_form.html", form=form, provisions=inspections.provisions(),
                           max_photos=inspections.MAX_PHOTOS), status


def _photos(field) -> list[tuple[str, bytes]]:
    """The files chosen in a problem's photo field (an empty file input sends one nameless part)."""
    return [(f.filename, f.read()) for f in field.data or [] if f and f.filename]


def _put_inspection_errors(form: InspectionForm, exc: ServiceError) -> None:
    """The problems' messages also go on top of the form: the list of problems shows no field errors."""
    apply_errors(form, exc)
    form.form_errors.extend(exc.fields.get("problems", []))


@bp.route("/inspections/<int:inspection_id>/order", methods=["POST"])
@login_required
def reissue_order(inspection_id: int):
    """Issue the order again from the record after its order was voided (a new number)."""
    item = access.get_visible(Inspection, inspection_id, current_user)
    done = ui.attempt(lambda: documents.issue("rectification_order", actor=current_user, context={},
                                              inspection=item))  # a refusal is flashed
    if not done.ok:
        return redirect(url_for("supervision.inspection", inspection_id=inspection_id))
    flash(_("Issued %(number)s.", number=done.value.number), "success")
    return redirect(url_for("supervision.inspection", inspection_id=inspection_id))


@bp.route("/inspections/<int:inspection_id>", methods=["GET", "POST"])
@login_required
def inspection(inspection_id: int):
    item = access.get_visible(Inspection, inspection_id, current_user)
    errors: list[str] = []
    if request.method == "POST":
        verdicts = []
        for entry in item.items:
            action = request.form.get(f"action_{entry.id}", "")
            deadline_text = request.form.get(f"deadline_{entry.id}", "")
            try:
                new_deadline = date.fromisoformat(deadline_text) if deadline_text else None
            except ValueError:
                errors.append(_("Item %(n)d: the new deadline is not a date.", n=entry.position))
                continue
            verdicts.append(inspections.Verdict(item_id=entry.id, action=action,
                                                reason=request.form.get(f"reason_{entry.id}", ""),
                                                new_deadline=new_deadline))
        if not errors:
            done = ui.attempt(lambda: inspections.review(current_user, item.id, verdicts,
                                                         request.form.get("opinion", "")),
                              place=lambda _form, exc: errors.extend(ui.messages(exc)))
            if done.ok:
                flash(_("Review recorded; the review opinion is issued."), "success")
                return redirect(url_for("supervision.inspection", inspection_id=item.id))
        item = access.get_visible(Inspection, inspection_id, current_user)
    order = db.session.get(Document, item.order_document_id) if item.order_document_id else None
    return render_template("supervision/inspection.html", item=item, errors=errors,
                           form_values=request.form, HazardState=HazardState, order=order,
                           can_review=access.can(current_user, "inspection.review", item),
                           origin=signals.inspection_origin.first(item, current_user)), (422 if errors else 200)

