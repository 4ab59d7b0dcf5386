"""Web pages of organisations: regions, authorities, enterprises (with departments), users.

Pages only parse the form, call the use case through ``ui.attempt`` (which commits once) and
render: the use cases (organisations.service, organisations.accounts) load what they change through the
actor's scope (a foreign object is 404) and check his permission (403) themselves. Read pages load
through ``access.get_visible`` / ``access.visible``. Forms that fail keep what was typed and show
the messages beside the fields (status 422).
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError

from app import access, ui
from app.auth.models import Role, User
from app.auth.service import password_rules
from app.errors import Conflict
from app.extensions import db
from app.organisations import accounts, lookups
from app.organisations import service as org
from app.organisations.forms import (
    AuthorityForm,
    DepartmentForm,
    EnterpriseForm,
    PasswordForm,
    RegionForm,
    TransferForm,
    UserForm,
)
from app.organisations.models import Authority, Department, DepartmentLevel, Enterprise, Industry, Region
from app.paging import paginate

bp = Blueprint("organisations", __name__)
PER_PAGE = 20


@bp.before_request
@login_required
def _logged_in():
    return None


def me() -> User:
    return current_user._get_current_object()


def run(action, form=None):
    """``ui.attempt`` with a lost race on a unique value (two saves of the same code at once) shown as
    the conflict it is, beside the form."""
    def guarded():
        try:
            return action()
        except IntegrityError:
            raise Conflict() from None
    return ui.attempt(guarded, form)


def _form_page(form, title, cancel, status=200, **extra):
    return render_template("organisations/form.html", form=form, title=title, cancel=cancel, **extra), status


def _status(form, done=None) -> int:
    if done is not None and done.status:
        return done.status
    return 422 if request.method == "POST" else 200


# --- regions ---------------------------------------------------------------------------------

@bp.route("/regions")
def regions():
    access.require(me(), "organisation.browse")
    rows = db.session.scalars(access.visible(Region, me()).order_by(Region.path)).all()
    return render_template("organisations/regions.html", regions=rows)


@bp.route("/regions/<int:region_id>")
def region(region_id: int):
    item = access.get_visible(Region, region_id, me())
    children = db.session.scalars(access.visible(Region, me()).where(Region.parent_id == item.id)
                                  .order_by(Region.code)).all()
    authorities = db.session.scalars(access.visible(Authority, me()).where(Authority.region_id == item.id)
                                     .order_by(Authority.name)).all()
    enterprises = db.session.scalars(
        access.visible(Enterprise, me()).where(Enterprise.region_id.in_(access.region_subtree(item.path)))
        .order_by(Enterprise.name).limit(50)).all()
    return render_template("organisations/region.html", region=item, children=children,
                           authorities=authorities, enterprises=enterprises)


@bp.route("/regions/new", methods=["GET", "POST"])
def region_new():
    access.require(me(), "region.edit")  # the empty form too
    form = RegionForm(parent_id=request.args.get("parent", ""))
    form.parent_id.choices = lookups.region_choices(me(), blank=_("(top level)"))
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.create_region(me(), form.parent_id.data or None, code=form.code.data,
                                             name=form.name.data, level=form.level.data), form)
        if done.ok:
            flash(_("Region %(name)s created.", name=done.value.name), "success")
            return redirect(url_for(".region", region_id=done.value.id))
    return _form_page(form, _("New region"), url_for(".regions"), _status(form, done))


@bp.route("/regions/<int:region_id>/edit", methods=["GET", "POST"])
def region_edit(region_id: int):
    item = access.get_visible(Region, region_id, me())
    access.require(me(), "region.edit", item)
    form = RegionForm(obj=item)
    del form.parent_id, form.level  # the place in the tree is fixed once created
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.update_region(me(), item, code=form.code.data, name=form.name.data), form)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for(".region", region_id=item.id))
    return _form_page(form, _("Edit region"), url_for(".region", region_id=item.id), _status(form, done),
                      subtitle=item.name)


# --- authorities -----------------------------------------------------------------------------

@bp.route("/authorities")
def authorities():
    access.require(me(), "organisation.browse")
    rows = db.session.scalars(access.visible(Authority, me()).join(Region)
                              .order_by(Region.path, Authority.name)).all()
    return render_template("organisations/authorities.html", authorities=rows)


@bp.route("/authorities/<int:authority_id>")
def authority(authority_id: int):
    item = access.get_visible(Authority, authority_id, me())
    staff = []
    if access.can(me(), "user.browse"):
        staff = db.session.scalars(access.visible(User, me()).where(User.authority_id == item.id)
                                   .order_by(User.role, User.display_name)).all()
    return render_template("organisations/authority.html", authority=item, staff=staff)


def _authority_fields(form) -> dict:
    return dict(region_id=form.region_id.data, name=form.name.data, abbreviation=form.abbreviation.data,
                review_body=form.review_body.data, court=form.court.data, address=form.address.data,
                phone=form.phone.data)


@bp.route("/authorities/new", methods=["GET", "POST"])
def authority_new():
    access.require(me(), "authority.edit")
    form = AuthorityForm(region_id=request.args.get("region", ""))
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.create_authority(me(), **_authority_fields(form)), form)
        if done.ok:
            flash(_("Authority %(name)s created.", name=done.value.name), "success")
            return redirect(url_for(".authority", authority_id=done.value.id))
    return _form_page(form, _("New authority"), url_for(".authorities"), _status(form, done))


@bp.route("/authorities/<int:authority_id>/edit", methods=["GET", "POST"])
def authority_edit(authority_id: int):
    item = access.get_visible(Authority, authority_id, me())
    access.require(me(), "authority.edit", item)
    form = AuthorityForm(obj=item)
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.update_authority(me(), item, **_authority_fields(form)), form)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for(".authority", authority_id=item.id))
    return _form_page(form, _("Edit authority"), url_for(".authority", authority_id=item.id),
                      _status(form, done), subtitle=item.name)


# --- enterprises -----------------------------------------------------------------------------

@bp.route("/enterprises")
def enterprises():
    user = me()
    stmt = access.visible(Enterprise, user)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(Enterprise.name.icontains(q, autoescape=True),
                              Enterprise.credit_code.icontains(q.upper(), autoescape=True)))
    region_filter = lookups.visible_or_none(Region, request.args.get("region_id"), user)
    if region_filter is not None:
        stmt = stmt.where(Enterprise.region_id.in_(access.region_subtree(region_filter.path)))
    industry_filter = lookups.visible_or_none(Industry, request.args.get("industry_id"), user)
    if industry_filter is not None:
        stmt = stmt.where(Enterprise.industry_id == industry_filter.id)
    page = paginate(stmt.order_by(Enterprise.name, Enterprise.id), request.args.get("page", 1, type=int),
                    PER_PAGE)
    filters = {"q": q, "region_id": region_filter.id if region_filter else "",
               "industry_id": industry_filter.id if industry_filter else ""}
    return render_template("organisations/enterprises.html", page=page, filters=filters,
                           region_choices=lookups.region_choices(user, blank=_("All regions")),
                           industry_choices=lookups.industry_choices(blank=_("All industries")))


@bp.route("/enterprises/<int:enterprise_id>")
def enterprise(enterprise_id: int):
    item = access.get_visible(Enterprise, enterprise_id, me())
    staff = []
    if access.can(me(), "user.browse"):
        staff = db.session.scalars(access.visible(User, me()).where(User.enterprise_id == item.id)
                                   .order_by(User.role, User.display_name)).all()
    departments = db.session.scalars(select(Department).where(Department.enterprise_id == item.id)
                                     .order_by(Department.path)).all()
    return render_template("organisations/enterprise.html", enterprise=item, departments=departments,
                           staff=staff, transfers=org.transfers_of(item))


def _enterprise_fields(form) -> dict:
    # Fields dropped from the form are left out: the manager edits no master field, and the region
    # only moves by a transfer.
    return {name: field.data for name, field in form._fields.items() if name != "csrf_token"}


@bp.route("/enterprises/new", methods=["GET", "POST"])
def enterprise_new():
    access.require(me(), "enterprise.create")
    form = EnterpriseForm(region_id=request.args.get("region", ""))
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    form.industry_id.choices = lookups.industry_choices(blank="—")
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.create_enterprise(me(), **_enterprise_fields(form)), form)
        if done.ok:
            flash(_("Enterprise %(name)s created.", name=done.value.name), "success")
            return redirect(url_for(".enterprise", enterprise_id=done.value.id))
    return _form_page(form, _("New enterprise"), url_for(".enterprises"), _status(form, done))


@bp.route("/enterprises/<int:enterprise_id>/edit", methods=["GET", "POST"])
def enterprise_edit(enterprise_id: int):
    item = access.get_visible(Enterprise, enterprise_id, me())
    access.require(me(), "enterprise.edit", item)
    form = EnterpriseForm(obj=item)
    if access.can(me(), "enterprise.edit_master", item):
        del form.region_id  # moved only by a recorded transfer (enterprise_transfer)
        form.industry_id.choices = lookups.industry_choices(blank="—")
    else:
        form.drop_master_fields()
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.update_enterprise(me(), item, **_enterprise_fields(form)), form)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for(".enterprise", enterprise_id=item.id))
    return _form_page(form, _("Edit enterprise"), url_for(".enterprise", enterprise_id=item.id),
                      _status(form, done), subtitle=item.name)


@bp.route("/enterprises/<int:enterprise_id>/transfer", methods=["GET", "POST"])
def enterprise_transfer(enterprise_id: int):
    """Move the enterprise to another region, with the reason; past records stay with their authority."""
    item = access.get_visible(Enterprise, enterprise_id, me())
    access.require(me(), "enterprise.transfer", item)
    form = TransferForm()
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.transfer_enterprise(me(), item, region=form.region_id.data,
                                                   reason=form.reason.data), form)
        if done.ok:
            flash(_("The enterprise is transferred to %(region)s.", region=item.region.name), "success")
            return redirect(url_for(".enterprise", enterprise_id=item.id))
    return _form_page(form, _("Transfer to another region"), url_for(".enterprise", enterprise_id=item.id),
                      _status(form, done), subtitle=f"{item.name}（{item.region.name}）")


# --- departments -----------------------------------------------------------------------------

@bp.route("/enterprises/<int:enterprise_id>/departments/new", methods=["GET", "POST"])
def department_new(enterprise_id: int):
    item = access.get_visible(Enterprise, enterprise_id, me())
    access.require(me(), "department.edit", item)
    form = DepartmentForm(parent_id=request.args.get("parent", ""))
    if me().role == Role.authority_admin:  # the top level only; the manager sets up the rest
        del form.parent_id
        form.level.choices = [c for c in form.level.choices if c[0] == DepartmentLevel.department.value]
    else:
        form.parent_id.choices = lookups.department_choices(me(), item, blank=_("(directly under the company)"),
                                                            active_only=True)
    done = None
    if form.validate_on_submit():
        parent = form.parent_id.data if getattr(form, "parent_id", None) is not None else None
        done = run(lambda: org.create_department(me(), item, name=form.name.data, level=form.level.data,
                                                 parent=parent or None), form)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for(".enterprise", enterprise_id=item.id) + "#departments")
    return _form_page(form, _("New department"), url_for(".enterprise", enterprise_id=item.id),
                      _status(form, done), subtitle=item.name)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def department_edit(department_id: int):
    dept = access.get_visible(Department, department_id, me())
    access.require(me(), "department.edit", dept.enterprise)
    form = DepartmentForm(obj=dept)
    del form.parent_id, form.level
    done = None
    if form.validate_on_submit():
        done = run(lambda: org.update_department(me(), dept, name=form.name.data), form)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for(".enterprise", enterprise_id=dept.enterprise_id) + "#departments")
    return _form_page(form, _("Edit department"), url_for(".enterprise", enterprise_id=dept.enterprise_id),
                      _status(form, done), subtitle=f"{dept.enterprise.name} / {dept.name}")


@bp.route("/departments/<int:department_id>/retire", methods=["POST"])
def department_retire(department_id: int):
    """Retire a unit: kept for the records that name it, offered no more."""
    dept = access.get_visible(Department, department_id, me())
    done = ui.attempt(lambda: org.retire_department(me(), dept))
    if done.ok:
        flash(_("%(name)s is retired.", name=dept.name), "success")
    return redirect(url_for(".enterprise", enterprise_id=dept.enterprise_id) + "#departments")


# --- users -----------------------------------------------------------------------------------

@bp.route("/users")
def users():
    user = me()
    access.require(user, "user.browse")
    stmt = access.visible(User, user)
    q = (request.args.get("q") or "").strip()
    if q:
        stmt = stmt.where(or_(User.username.icontains(q, autoescape=True),
                              User.display_name.icontains(q, autoescape=True)))
    role = request.args.get("role") or ""
    if role in {r.value for r in Role}:
        stmt = stmt.where(User.role == Role(role))
    else:
        role = ""
    page = paginate(stmt.order_by(User.username), request.args.get("page", 1, type=int), PER_PAGE)
    return render_template("organisations/users.html", page=page, filters={"q": q, "role": role}, roles=Role)


@bp.route("/users/<int:user_id>")
def user(user_id: int):
    item = access.get_visible(User, user_id, me())
    access.require(me(), "user.profile", item)
    return render_template("organisations/user.html", user=item)


def _user_choices(form, enterprise: Enterprise | None = None) -> None:
    actor = me()
    made = access.roles_made_by(actor)
    form.role.choices = [c for c in form.role.choices if c[0] in {r.value for r in made}]
    if actor.role == Role.enterprise_manager:
        del form.enterprise_id, form.authority_id, form.certificate_no  # his own enterprise's staff
        enterprise = actor.enterprise
    else:
        form.enterprise_id.choices = lookups.enterprise_choices(actor)
        authorities = lookups.authority_choices(actor)
        if actor.role == Role.authority_admin:
            authorities = [c for c in authorities if c[0] in ("", str(actor.authority_id))]
        form.authority_id.choices = authorities
    form.department_id.choices = lookups.department_choices(actor, enterprise, active_only=True)
    form.post_id.choices = lookups.department_choices(actor, enterprise, active_only=True,
                                                      levels=(DepartmentLevel.post,))


def _user_fields(form) -> dict:
    data = dict(display_name=form.display_name.data, role=form.role.data, phone=form.phone.data,
                email=form.email.data, department_id=form.department_id.data, post_id=form.post_id.data)
    for name in ("enterprise_id", "authority_id", "certificate_no"):
        if getattr(form, name, None) is not None:
            data[name] = form[name].data
    return data


def _user_form_enterprise(raw) -> Enterprise | None:
    return lookups.visible_or_none(Enterprise, raw, me()) if raw else None


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    access.require(me(), "user.edit")
    role = request.args.get("role", "")
    form = UserForm(enterprise_id=request.args.get("enterprise", ""), authority_id=request.args.get("authority", ""),
                    role=role or None)
    _user_choices(form, _user_form_enterprise(request.args.get("enterprise") or request.form.get("enterprise_id")))
    done = None
    if form.validate_on_submit():
        done = run(lambda: accounts.create_user(me(), username=form.username.data,
                                                     password=form.password.data, **_user_fields(form)), form)
        if done.ok:
            flash(_("User %(name)s created. The password you set must be changed at the first login.",
                    name=done.value.username), "success")
            return redirect(url_for(".user", user_id=done.value.id))
    return _form_page(form, _("New user"), url_for(".users"), _status(form, done),
                      hint=password_rules())


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    item = access.get_visible(User, user_id, me())
    access.require(me(), "user.edit", item)
    form = UserForm(obj=item, data={"role": item.role.value})
    del form.username, form.password  # the login name stays; passwords have their own page
    _user_choices(form, item.enterprise)
    done = None
    if form.validate_on_submit():
        done = run(lambda: accounts.update_user(me(), item, **_user_fields(form)), form)
        if done.ok:
            flash(_("Saved."), "success")
            return redirect(url_for(".user", user_id=item.id))
    return _form_page(form, _("Edit user"), url_for(".user", user_id=item.id), _status(form, done),
                      subtitle=f"{item.display_name} ({item.username})")


def _set_active(user_id: int, active: bool):
    item = access.get_visible(User, user_id, me())
    done = ui.attempt(lambda: accounts.set_active(me(), item, active))
    if done.ok:
        flash(_("The account is active.") if active else _("The account is deactivated."), "success")
    return redirect(url_for(".user", user_id=item.id))


@bp.route("/users/<int:user_id>/retire", methods=["POST"])
def user_retire(user_id: int):
    """Retire (deactivate) an account: it is never deleted, what the person did keeps naming him."""
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def user_reactivate(user_id: int):
    return _set_active(user_id, True)


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    item = access.get_visible(User, user_id, me())
    access.require(me(), "user.edit", item)
    form = PasswordForm()
    done = None
    if form.validate_on_submit():
        done = run(lambda: accounts.reset_password(me(), item, form.password.data), form)
        if done.ok:
            flash(_("The password is changed. %(name)s must choose a new one at the next login.",
                    name=item.display_name), "success")
            return redirect(url_for(".user", user_id=item.id))
    return _form_page(form, _("Reset password"), url_for(".user", user_id=item.id), _status(form, done),
                      subtitle=f"{item.display_name} ({item.username})", hint=password_rules())


# --- day one: the setup steps of a fresh installation ------------------------------------------

def setup_steps() -> list[dict]:
    """What a fresh installation needs before a county can work, each step done or not, in order."""
    count = lambda stmt: db.session.scalar(select(func.count()).select_from(stmt.subquery()))  # noqa: E731
    regions = count(select(Region.id))
    counties = count(select(Region.id).where(Region.level.in_(("county", "city"))))
    authorities = count(select(Authority.id))
    admins = count(select(User.id).where(User.role == Role.authority_admin, User.active.is_(True)))
    enterprises = count(select(Enterprise.id))
    first_authority = db.session.scalar(select(Authority.id).order_by(Authority.id).limit(1))
    return [
        dict(key="regions", done=regions > 0 and counties > 0, figure=regions,
             title=_("Set up the region tree"),
             text=_("The province, its cities and the counties you supervise, with their GB/T 2260 codes: "
                    "load them from the official division list in one step, or create them one by one."),
             links=[(_("Load the region tree"), loader_url()), (_("Regions"), url_for("organisations.regions")),
                    (_("New region"), url_for("organisations.region_new"))]),
        dict(key="authority", done=authorities > 0, figure=authorities,
             title=_("Create the first authority"),
             text=_("The supervising authority (e.g. 某县应急管理局) seated in its region, with the names "
                    "printed on its documents."),
             links=[(_("New authority"), url_for("organisations.authority_new"))]),
        dict(key="authority_admin", done=admins > 0, figure=admins,
             title=_("Give the authority its administrator"),
             text=_("The authority's administrator registers the enterprises of its region, their first "
                    "safety manager and principal accounts, and the authority's own inspectors."),
             links=[(_("New authority administrator"),
                     url_for("organisations.user_new", role=Role.authority_admin.value, authority=first_authority or ""))]),
        dict(key="enterprises", done=enterprises > 0, figure=enterprises,
             title=_("Register the enterprises"),
             text=_("Done by the authority's administrator (one by one, or by importing a spreadsheet); "
                    "each enterprise's safety manager then sets up its departments and staff."),
             links=[(_("Enterprises"), url_for("organisations.enterprises"))]),
    ]


def loader_url() -> str:
    """The region tree loader (the imports feature's page, GET /imports/ with its GB/T 2260 upload,
    feat/imports) when it is installed, else the region list."""

    if "imports.index" in current_app.view_functions:
        return url_for("imports.index")
    return url_for("organisations.regions")


@bp.route("/setup")
def setup():
    """Day one without the demo: the steps from the first administrator to a working county."""
    if not access.can(me(), "admin"):
        abort(403)
    steps = setup_steps()
    current = next((s["key"] for s in steps if not s["done"]), None)
    return render_template("organisations/setup.html", steps=steps, current=current)
