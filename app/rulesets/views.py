"""Web pages of rule sets: the versions, a new version's form, its preview and its activation."""

from __future__ import annotations

import re
from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from app import access, clock, labels, ui
from app.errors import Invalid
from app.extensions import db
from app.organisations.lookups import visible_or_none
from app.organisations.models import Region
from app.rulesets import service
from app.rulesets.models import RuleFamily, RuleSetVersion
from workflows import grading, listing
from workflows.grades import Grade
from workflows.grading import CONTROL_ORDER

bp = Blueprint("rulesets", __name__, url_prefix="/rule-sets")
METHOD_NAMES = {"lec": "LEC", "ls": "LS", "mes": "MES"}
EXTRA_LISTING_ROWS = 2


@bp.before_request
@login_required
def _logged_in():
    return None


def me():
    return current_user._get_current_object()


def _row(rule_set_id: int) -> RuleSetVersion:
    access.require(me(), "rule_set.view")
    row = db.session.get(RuleSetVersion, rule_set_id)
    if row is None or (row.region_id is not None and visible_or_none(Region, row.region_id, me()) is None):
        abort(404)
    return row


def _regions():
    return db.session.scalars(access.visible(Region, me()).order_by(Region.path)).all()


@bp.route("/")
def index():
    access.require(me(), "rule_set.view")
    rows = db.session.scalars(select(RuleSetVersion).order_by(RuleSetVersion.family, RuleSetVersion.id.desc())).all()
    rows = [r for r in rows if r.region_id is None or visible_or_none(Region, r.region_id, me()) is not None]
    today = clock.today()
    national = {"grading": service.grading_for(None, today).label,
                "listing": service.listing_for(None, today).label}
    # Where the user may write: the whole country (admin), else his city authority's region (if configured).
    own = me().authority.region if getattr(me(), "authority", None) is not None else None
    write_region = None if access.can(me(), "rule_set.edit", None) else (
        own if own is not None and access.can(me(), "rule_set.edit", own) else False)
    return render_template("rulesets/index.html", rows=rows, national=national, families=list(RuleFamily),
                           today=today, write_region=write_region)


def field_label(field: str) -> str:
    """A payload field (``scales.lec[1].upper``) as a person reads it (LEC · 较大风险 · 上限)."""
    m = re.fullmatch(r"scales\.(\w+)\[(\d)\]\.(\w+)", field)
    if m:
        method, i, part = m.groups()
        grade = service.BAND_GRADES[int(i)] if int(i) < 3 else None
        parts = {"lower": _("lower bound"), "upper": _("upper bound"), "inclusive": _("inclusive"),
                 "grade": _("grade")}
        return f"{METHOD_NAMES.get(method, method)} · {labels.label(grade)} · {parts.get(part, part)}"
    m = re.fullmatch(r"rules\[(\d+)\]\.(\w+)", field)
    if m:
        return _("Rule %(n)s", n=int(m.group(1)) + 1) + f" · {m.group(2)}"
    m = re.fullmatch(r"control_levels\.(\w+)", field)
    if m:
        return _("Control level") + f" · {labels.label(Grade(m.group(1)))}"
    return field


def _grading_form_payload(form) -> dict:
    scales = {}
    for method in service.SCALED_METHODS:
        rows = []
        for i, grade in enumerate(service.BAND_GRADES):
            prefix = f"{method.value}-{i}"
            rows.append({"grade": grade.value, "lower": form.get(f"{prefix}-lower", ""),
                         "upper": None if i == 0 else form.get(f"{prefix}-upper", ""),
                         "inclusive": form.get(f"{prefix}-inclusive") == "y"})
        scales[method.value] = rows
    return {"scales": scales, "control_levels": {g.value: form.get(f"control-{g.value}", "") for g in Grade}}


def _listing_form_payload(form) -> dict:
    rules = []
    for i in range(int(form.get("rows", "0") or 0) if (form.get("rows") or "0").isdigit() else 0):
        code = (form.get(f"rule-{i}-code") or "").strip()
        if not code:
            continue  # a blank row is not a rule
        trigger = form.get(f"rule-{i}-trigger")
        rules.append({"code": code, "grade": form.get(f"rule-{i}-grade"), "level": form.get(f"rule-{i}-level") or None,
                      "authority_level": form.get(f"rule-{i}-authority_level"),
                      "on_confirmation": trigger == "confirmation",
                      "overdue_days_over": form.get(f"rule-{i}-days") if trigger != "confirmation" else None})
    return {"rules": rules}


@bp.route("/new/<family>", methods=["GET", "POST"])
def new(family: str):
    try:
        family = RuleFamily(family)
    except ValueError:
        abort(404)
    if family in service.FAMILIES:  # another feature's family: written through the API only
        abort(404)
    access.require(me(), "rule_set.view")
    region = visible_or_none(Region, request.values.get("region_id"), me()) if request.values.get("region_id") else None
    if not access.can(me(), "rule_set.edit", region):
        abort(403)
    errors: list[tuple[str, str]] = []
    title = request.form.get("title", "")
    if request.method == "POST":
        payload = (_grading_form_payload if family == RuleFamily.grading else _listing_form_payload)(request.form)
        done = ui.attempt(lambda: service.create(me(), family=family, region=region, title=title, payload=payload),
                          place=lambda _f, exc: errors.extend(
                              (field_label(f), m) for f, ms in exc.fields.items() for m in ms))
        if done.ok:
            flash(_("Draft %(label)s saved: check its preview, then activate it.", label=done.value.label), "success")
            return redirect(url_for("rulesets.detail", rule_set_id=done.value.id))
    else:
        today = clock.today()
        if family == RuleFamily.grading:
            current = service.grading_for(region.code if region else None, today)
            payload = service.grading_payload(current, current.control_levels or _config_levels())
        else:
            payload = service.listing_payload(service.listing_for(region, today).rules)
    return render_template("rulesets/form.html", family=family, region=region, regions=_regions(), title=title,
                           payload=payload, errors=errors, grades=list(Grade), bands=service.BAND_GRADES,
                           methods=service.SCALED_METHODS, method_names=METHOD_NAMES, control_order=CONTROL_ORDER,
                           hazard_levels=listing.HAZARD_LEVELS, authority_levels=listing.AUTHORITY_LEVELS,
                           extra_rows=EXTRA_LISTING_ROWS), 422 if errors else 200


def _config_levels():
    return current_app.config.get("RISK_CONTROL_LEVELS") or grading.DEFAULT_CONTROL_LEVELS


@bp.route("/<int:rule_set_id>")
def detail(rule_set_id: int, status: int = 200):
    row = _row(rule_set_id)
    can_edit = access.can(me(), "rule_set.edit", row.region)
    numbers = row.preview if row.active else (service.preview(me(), row) if can_edit else None)
    described = None
    if row.family == RuleFamily.grading:
        rs = service.grading_from_payload(row.key, row.version, row.title, row.payload)
        described = {m.value: rs.scales[m].describe() for m in service.SCALED_METHODS}
    return render_template("rulesets/detail.html", row=row, numbers=numbers, can_edit=can_edit,
                           described=described, method_names=METHOD_NAMES, today=clock.today()), status


@bp.route("/<int:rule_set_id>/activate", methods=["POST"])
def activate(rule_set_id: int):
    row = _row(rule_set_id)
    raw = request.form.get("effective_from", "")
    try:
        effective = date.fromisoformat(raw)
    except ValueError:
        effective = None

    def action():
        if effective is None:
            raise Invalid(fields={"effective_from": _("Give the date the version applies from.")})
        return service.activate(me(), row, effective_from=effective)

    done = ui.attempt(action)
    if done.ok:
        flash(_("%(label)s applies from %(date)s.", label=row.label, date=effective.isoformat()), "success")
        return redirect(url_for("rulesets.detail", rule_set_id=row.id))
    return detail(rule_set_id, status=done.status)
