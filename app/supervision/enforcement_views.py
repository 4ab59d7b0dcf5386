"""Web pages of the enforcement papers (issue 17): on-site measures on a hazard, summons with their
records, delisting by application with the on-site review, the publication list, and the admin pages
of the provisions and criteria tables. Each page parses its form and calls the same use case as the
API (``measures.decide``, ``summons.summon`` / ``.record``, ``delisting.apply`` / ``.review`` /
``.publication``, ``references.add`` / ``.edit``): no rule lives here."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, storage, ui
from app.auth.models import Role, User
from app.clock import LOCAL_TZ
from app.documents.models import Document
from app.extensions import db
from app.hazards.models import Hazard
from app.organisations.models import Authority, Enterprise
from app.paging import paginate
from app.supervision import delisting, measures, references, summons
from app.supervision.forms import (
    CriterionForm,
    DelistingApplicationForm,
    DelistingReviewForm,
    MeasuresForm,
    ProvisionForm,
    PublicationForm,
    SummonsForm,
    SummonsRecordForm,
)
from app.supervision.models import Listing, MajorHazardCriterion, OnSiteMeasures, Provision, Summons
from workflows.hazard_states import OPEN_STATES

bp = Blueprint("enforcement", __name__, url_prefix="/enforcement")
PER_PAGE = 50


def _aware(value):
    """A datetime-local input is China time; the services take aware datetimes."""
    return value.replace(tzinfo=LOCAL_TZ) if value is not None else None


def _officer_choices(authority_id: int | None, roles=(Role.inspector,)) -> list[tuple[int, str]]:
    """The other officers of the actor's authority who may sign with him, with their certificates."""
    users = db.session.scalars(select(User).where(
        User.authority_id == authority_id, User.role.in_(roles), User.active.is_(True),
        User.id != current_user.id).order_by(User.display_name)) if authority_id else []
    return [(0, _("Choose…"))] + [(u.id, f"{u.display_name}（{u.certificate_no or _('no certificate')}）")
                                  for u in users]


def _page_no() -> int:
    return max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))


# --- on-site measures (现场处理措施决定书) ---------------------------------------------------

@bp.route("/hazards/<int:hazard_id>/measures", methods=["GET", "POST"])
@login_required
def hazard_measures(hazard_id: int):
    """The hazard's on-site measures decisions and, for an inspector who may decide, the form."""
    hazard = access.get_visible(Hazard, hazard_id, current_user)
    decisions = db.session.scalars(access.visible(OnSiteMeasures, current_user).where(
        OnSiteMeasures.hazard_id == hazard.id).order_by(OnSiteMeasures.id.desc())).all()
    may_decide = access.can(current_user, "hazard.onsite_measures", hazard)
    form = MeasuresForm()
    form.second_officer_id.choices = _officer_choices(current_user.authority_id)
    status = 200
    if request.method == "POST":
        access.require(current_user, "hazard.onsite_measures", hazard)
        status = 422
        if form.validate_on_submit():
            done = ui.attempt(lambda: measures.decide(
                current_user, hazard.id, second_officer_id=form.second_officer_id.data or None,
                facts=form.facts.data or "", eliminate_now=form.eliminate_now.data, evacuate=form.evacuate.data,
                suspension=form.suspension.data, stop_use=form.stop_use.data or "", until=form.until.data), form)
            if done.ok:
                flash(_("The on-site measures decision is issued."), "success")
                return redirect(url_for("documents.detail", document_id=done.value.document_id))
            status = done.status
        hazard = access.get_visible(Hazard, hazard_id, current_user)
    return render_template("supervision/measures.html", hazard=hazard, decisions=decisions, form=form,
                           may_decide=may_decide), status


# --- summons (约谈) ------------------------------------------------------------------------

@bp.route("/summons")
@login_required
def summons_list():
    """The summonses the user may see; ``?enterprise_id=``: that enterprise's history."""
    enterprise = None
    if request.args.get("enterprise_id", "").isdigit():
        enterprise = access.get_visible(Enterprise, int(request.args["enterprise_id"]), current_user)
    page = paginate(summons.summonses_of(current_user, enterprise.id if enterprise else None), _page_no(), PER_PAGE)
    return render_template("supervision/summonses.html", rows=page.items, total=page.total, page=page.page,
                           pages=page.pages, enterprise=enterprise,
                           may_summon=access.can(current_user, "summons.create"))


@bp.route("/summons/new", methods=["GET", "POST"])
@login_required
def new_summons():
    access.require(current_user, "summons.create")
    form = SummonsForm()
    enterprises = db.session.scalars(access.visible(Enterprise, current_user).order_by(Enterprise.name)).all()
    form.enterprise_id.choices = [(0, _("Choose…"))] + [(e.id, e.name) for e in enterprises]
    if request.method == "GET":
        form.enterprise_id.data = request.args.get("enterprise_id", 0, type=int)
        form.hazard_ids.data = request.args.getlist("hazard_ids", type=int)
    chosen = form.enterprise_id.data or 0
    hazards = db.session.scalars(access.visible(Hazard, current_user).where(
        Hazard.enterprise_id == chosen, Hazard.state.in_(OPEN_STATES)).order_by(Hazard.deadline).limit(
        summons.MAX_HAZARDS)).all() if chosen else []
    form.hazard_ids.choices = [(h.id, f"{h.code} {h.title}（{_('deadline')} {h.deadline or '—'}）") for h in hazards]
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            done = ui.attempt(lambda: summons.summon(
                current_user, enterprise_id=form.enterprise_id.data, reason=form.reason.data or "",
                scheduled_at=_aware(form.scheduled_at.data), place=form.place.data or "",
                hazard_ids=form.hazard_ids.data or []), form)
            if done.ok:
                flash(_("The summons notice is issued."), "success")
                return redirect(url_for("enforcement.summons_detail", summons_id=done.value.id))
            status = done.status
    return render_template("supervision/summons_form.html", form=form), status


@bp.route("/summons/<int:summons_id>", methods=["GET", "POST"])
@login_required
def summons_detail(summons_id: int):
    item = access.get_visible(Summons, summons_id, current_user)
    form = SummonsRecordForm()
    form.second_officer_id.choices = _officer_choices(item.authority_id, (Role.inspector, Role.supervisor))
    status = 200
    if request.method == "POST":
        access.require(current_user, "summons.record", item)
        status = 422
        if form.validate_on_submit():
            done = ui.attempt(lambda: summons.record(
                current_user, item.id, held_at=_aware(form.held_at.data),
                second_officer_id=form.second_officer_id.data or None, attendees=form.attendees.data or "",
                content=form.content.data or "", outcome=form.outcome.data or ""), form)
            if done.ok:
                flash(_("The summons record is issued."), "success")
                return redirect(url_for("enforcement.summons_detail", summons_id=item.id))
            status = done.status
        item = access.get_visible(Summons, summons_id, current_user)
    notice = db.session.get(Document, item.notice_document_id) if item.notice_document_id else None
    record = db.session.get(Document, item.record_document_id) if item.record_document_id else None
    return render_template("supervision/summons.html", item=item, form=form, notice=notice, record=record,
                           may_record=not item.held and access.can(current_user, "summons.record", item)), status


# --- delisting by application (解除挂牌督办) ----------------------------------------------------

@bp.route("/listings/<int:listing_id>/delisting", methods=["GET", "POST"])
@login_required
def delisting_page(listing_id: int):
    """The enterprise applies with its evaluation report; two inspectors of the listing authority
    record their on-site review (passed: the hazard is accepted and delisted with the notice)."""
    item = access.get_visible(Listing, listing_id, current_user)
    apply_form = DelistingApplicationForm(prefix="apply")
    review_form = DelistingReviewForm(prefix="review")
    review_form.second_officer_id.choices = _officer_choices(item.authority_id)
    status = 200
    if request.method == "POST" and "apply-note" in request.form:
        access.require(current_user, "listing.apply_delisting", item)
        status = 422
        if apply_form.validate_on_submit():
            upload = apply_form.evaluation.data
            evaluation = (upload.filename or "evaluation.pdf", upload.read()) if upload else None
            done = ui.attempt(lambda: delisting.apply(current_user, item.id, evaluation=evaluation,
                                                      note=apply_form.note.data or ""), apply_form)
            if done.ok:
                flash(_("Application filed; the on-site review is due by %(day)s.", day=done.value.review_due),
                      "success")
                return redirect(url_for("enforcement.delisting_page", listing_id=item.id))
            status = done.status
    elif request.method == "POST":
        access.require(current_user, "listing.review_delisting", item)
        status = 422
        if review_form.validate_on_submit():
            done = ui.attempt(lambda: delisting.review(
                current_user, item.id, second_officer_id=review_form.second_officer_id.data or None,
                passed=review_form.passed.data == "1", opinion=review_form.opinion.data or "",
                reviewed_on=review_form.reviewed_on.data), review_form)
            if done.ok:
                flash(_("The on-site review is recorded."), "success")
                return redirect(url_for("enforcement.delisting_page", listing_id=item.id))
            status = done.status
    if status != 200:
        item = access.get_visible(Listing, listing_id, current_user)
    waiting = [a for a in item.applications if a.passed is None]
    return render_template("supervision/delisting.html", item=item, apply_form=apply_form,
                           review_form=review_form, waiting=waiting,
                           may_apply=not waiting and access.can(current_user, "listing.apply_delisting", item),
                           may_review=bool(waiting) and access.can(current_user, "listing.review_delisting", item)
                           ), status


@bp.route("/listings/<int:listing_id>/delisting/<int:application_id>/evaluation")
@login_required
def evaluation_report(listing_id: int, application_id: int):
    item = access.get_visible(Listing, listing_id, current_user)
    application = next((a for a in item.applications if a.id == application_id), None)
    if application is None:
        abort(404)
    return storage.send(storage.load(application.evaluation_sha256), mime="application/pdf",
                        filename=application.evaluation_filename or "evaluation.pdf", inline=True)


@bp.route("/publication")
@login_required
def publication():
    """挂牌督办 / 摘牌 公告 of an authority for a period (the API's ``/listings/publication``)."""
    access.require(current_user, "supervision.list")
    form = PublicationForm(request.args)
    authorities = db.session.scalars(access.visible(Authority, current_user).order_by(Authority.name)).all()
    form.authority_id.choices = [(0, _("My authority"))] + [(a.id, a.name) for a in authorities]
    status = 200
    if request.args and not form.validate():
        status = 422
        rows, total, pages, page_no = [], 0, 0, 1
    else:
        stmt = delisting.publication(current_user, authority_id=form.authority_id.data or None,
                                     first=form.first.data, last=form.last.data)
        page = paginate(stmt, _page_no(), PER_PAGE)
        rows, total, pages, page_no = page.items, page.total, page.pages, page.page
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("supervision/publication.html", form=form, rows=rows, total=total, pages=pages,
                           page=page_no, args=args), status


# --- the provisions and criteria tables (admin) -----------------------------------------------

_TABLES = {"provisions": (Provision, ProvisionForm, ("law", "article", "text")),
           "criteria": (MajorHazardCriterion, CriterionForm, ("industry", "standard", "clause", "text"))}


def _table(name: str):
    if name not in _TABLES:
        abort(404)
    return _TABLES[name]


@bp.route("/references/")
@login_required
def references_home():
    return reference_rows("provisions")


@bp.route("/references/<name>")
@login_required
def reference_rows(name: str):
    model, _form, columns = _table(name)
    page = paginate(references.rows(current_user, model), _page_no(), PER_PAGE)
    return render_template("supervision/references.html", name=name, rows=page.items, total=page.total,
                           page=page.page, pages=page.pages, columns=columns, cited=references.cited_counts(model),
                           may_edit=access.can(current_user, "enforcement_reference.edit"))


@bp.route("/references/<name>/new", methods=["GET", "POST"], defaults={"row_id": None})
@bp.route("/references/<name>/<int:row_id>", methods=["GET", "POST"])
@login_required
def reference_edit(name: str, row_id: int | None):
    model, form_cls, columns = _table(name)
    access.require(current_user, "enforcement_reference.edit")
    row = db.session.get(model, row_id) if row_id else None
    if row_id and row is None:
        abort(404)
    form = form_cls(obj=row)
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            values = {c: getattr(form, c).data or "" for c in columns} | {"active": form.active.data}
            done = ui.attempt(lambda: references.edit(current_user, model, row.id, **values) if row
                              else references.add(current_user, model, **values), form)
            if done.ok:
                flash(_("Saved."), "success")
                return redirect(url_for("enforcement.reference_rows", name=name))
            status = done.status
    cited = references.cited_counts(model).get(row.id, 0) if row else 0
    return render_template("supervision/reference_form.html", name=name, form=form, row=row, columns=columns,
                           cited=cited), status
