"""Pages: the dishonesty list and an entry (propose, decide, repair), an enterprise's credit records
(record, object, decide), and the public page of an authority (公示, no login, exportable)."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app import access, ui
from app.credit import dishonesty, publication, service
from app.credit.forms import (
    DecideForm,
    ObjectionDecisionForm,
    ObjectionForm,
    ProposeForm,
    RecordForm,
    RepairDecisionForm,
    RepairForm,
)
from app.credit.models import CreditRecord, DishonestyEntry, RecordState
from app.credit.rules import dishonesty_by_label
from app.extensions import db, limiter
from app.organisations.models import Authority, Enterprise
from app.paging import paginate
from workflows.credit import RESTRICTION_DOMAINS

bp = Blueprint("credit", __name__, url_prefix="/credit")
public_bp = Blueprint("credit_public", __name__, url_prefix="/public/credit")


def me():
    return current_user._get_current_object()


def _page() -> int:
    try:
        return max(1, min(int(request.args.get("page", 1)), 100_000))
    except ValueError:
        return 1


def _version(form) -> int | None:
    try:
        return int(form.version.data) if form.version.data else None
    except ValueError:
        return None


@bp.route("/")
@login_required
def index():
    access.require(me(), "credit.view")
    state = request.args.get("state") or None
    if state not in (None, *(s.value for s in dishonesty.ListingState)):
        state = None
    page = paginate(dishonesty.entries_for(me(), state=state), _page(), 50)
    return render_template("credit/index.html", page=page, state=state)


@bp.route("/enterprises/<int:enterprise_id>", methods=["GET", "POST"])
@login_required
def enterprise(enterprise_id: int):
    item = access.get_visible(Enterprise, enterprise_id, me())
    form, propose_form, status = RecordForm(prefix="record"), ProposeForm(prefix="propose"), 200
    if request.method == "POST" and request.form.get("what") == "record" and form.validate_on_submit():
        done = ui.attempt(lambda: service.create(me(), item.id, kind=form.kind.data, source=form.source.data,
                                                 occurred_on=form.occurred_on.data, subject=form.subject.data), form)
        if done.ok:
            flash(_("Credit record added."), "success")
            return redirect(url_for(".enterprise", enterprise_id=item.id))
        status = done.status
    elif request.method == "POST" and request.form.get("what") == "propose" and propose_form.validate_on_submit():
        condition = propose_form.condition.data
        evidence = {condition: propose_form.evidence.data} if propose_form.evidence.data.strip() else {}
        done = ui.attempt(lambda: dishonesty.propose(
            me(), enterprise_id=item.id, condition=condition, penalty_decision=propose_form.penalty_decision.data,
            evidence=evidence, subject=propose_form.subject.data), propose_form)
        if done.ok:
            flash(_("Proposed for the serious-dishonesty list."), "success")
            return redirect(url_for(".entry", entry_id=done.value.id))
        status = done.status
    elif request.method == "POST":
        status = 422
    records = db.session.scalars(service.records_of(me(), item.id)).all()
    entries = db.session.scalars(dishonesty.entries_for(me(), enterprise_id=item.id)).all()
    return render_template("credit/enterprise.html", enterprise=item, records=records, entries=entries, form=form,
                           propose_form=propose_form, score=service.score_of(item.id),
                           objection_form=ObjectionForm(prefix="obj"),
                           decision_form=ObjectionDecisionForm(prefix="dec"), RecordState=RecordState), status


@bp.route("/records/<int:record_id>/objection", methods=["POST"], defaults={"step": "objection"})
@bp.route("/records/<int:record_id>/decision", methods=["POST"], defaults={"step": "decision"})
@login_required
def record_step(record_id: int, step: str):
    row = access.get_visible(CreditRecord, record_id, me())
    if step == "objection":
        form = ObjectionForm(prefix="obj")
        act = lambda: service.object_to(me(), row.id, reason=form.reason.data, version=_version(form))  # noqa: E731
    else:
        form = ObjectionDecisionForm(prefix="dec")
        act = lambda: service.decide_objection(  # noqa: E731
            me(), row.id, action=form.action.data, reason=form.reason.data, correction=form.correction.data,
            weight=form.weight.data, version=_version(form))
    if form.validate_on_submit():
        done = ui.attempt(act)
        if done.ok:
            flash(_("Saved."), "success")
    else:
        flash("；".join(m for ms in form.errors.values() for m in ms), "error")
    return redirect(url_for(".enterprise", enterprise_id=row.enterprise_id) + f"#record-{row.id}")


@bp.route("/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def entry(entry_id: int):
    item = access.get_visible(DishonestyEntry, entry_id, me())
    lr = dishonesty_by_label(item.rule_set)
    forms = {"decide": DecideForm(prefix="decide"), "repair": RepairForm(prefix="repair"),
             "repair_decision": RepairDecisionForm(prefix="rd")}
    forms["repair"].conditions.choices = list(lr.rules.early_removal_conditions.items())
    if not forms["decide"].restriction_domains.data:
        forms["decide"].restriction_domains.data = list(item.restriction_domains)
    for form in forms.values():
        if not form.version.data:
            form.version.data = item.version
    status = 200
    what = request.form.get("what")
    if request.method == "POST":
        form = forms.get(what)
        if form is None:
            abort(400)
        if form.validate_on_submit():
            if what == "decide":
                act = lambda: dishonesty.decide(  # noqa: E731
                    me(), item.id, action=form.action.data, notified_on=form.notified_on.data,
                    reason=form.reason.data, restriction_domains=form.restriction_domains.data,
                    penalty_decision=form.penalty_decision.data or "", version=_version(form))
            elif what == "repair":
                act = lambda: dishonesty.apply_repair(me(), item.id, statement=form.statement.data,  # noqa: E731
                                                      conditions=form.conditions.data, version=_version(form))
            else:
                act = lambda: dishonesty.decide_repair(  # noqa: E731
                    me(), item.id, action=form.action.data, reason=form.reason.data,
                    decision_no=form.decision_no.data, version=_version(form))
            done = ui.attempt(act, form)
            if done.ok:
                flash(_("Saved."), "success")
                return redirect(url_for(".entry", entry_id=item.id))
            status = done.status
        else:
            status = 422
    return render_template("credit/entry.html", entry=item, rules=lr, forms=forms, domains=RESTRICTION_DOMAINS), status


# --- 公示: the public page of an authority (no login) ----------------------------------------------

def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@public_bp.route("/<int:authority_id>")
@limiter.limit("60 per minute")
def public(authority_id: int):
    authority = db.session.get(Authority, authority_id)
    if authority is None:
        abort(404)
    shown = publication.published(authority, _date_arg("from"), _date_arg("to"))
    if request.args.get("format") == "xlsx":
        from app.dashboard import excel  # inside: openpyxl is loaded on the export path only

        return excel.send("信用公示", f"credit-publication-{authority.id}.xlsx", publication.EXPORT_HEADERS,
                          publication.export_rows(shown),
                          notes=[f"{authority.name}，{shown.first.isoformat()} 至 {shown.last.isoformat()}，"
                                 f"规则集 {shown.rules_label}；自然人姓名已脱敏。"])
    return render_template("credit/public.html", p=shown)
