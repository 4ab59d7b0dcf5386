"""Web pages of organisations: regions, authorities, enterprises (with departments), users.

Every object is loaded through ``access.get_visible`` (a foreign one is 404) and every list through
``access.visible``; actions are checked with ``access.require``. Forms that fail keep what was typed
and show the messages beside the fields (status 422).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from app import access
from app.auth import service as users_service
from app.auth.models import Role, User
from app.errors import Conflict, ServiceError
from app.extensions import db
from app.forms import apply_errors
from app.organisations import lookups
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
from app.organisations.lookups import Resolver
from app.organisations.models import Authority, Department, Enterprise, Industry, Region
from app.paging import paginate

bp = Blueprint("organisations", __name__)
PER_PAGE = 20


@bp.before_request
@login_required
def _logged_in():
    return None


def me() -> User:
    return current_user._get_current_object()


def _save(form, action):
    """Run ``action`` (service calls) and commit; on failure put the messages on the form."""
    try:
        result = action()
        db.session.commit()
        return result
    except ServiceError as exc:
        db.session.rollback()
        apply_errors(form, exc)
    except IntegrityError:  # a concurrent save took the same unique value first
        db.session.rollback()
        apply_errors(form, Conflict())
    return None


def _form_page(form, title, cancel, status=200, **extra):
    return render_template("organisations/form.html", form=form, title=title, cancel=cancel, **extra), status


def _failed(form) -> int:
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
    access.require(me(), "region.edit")
    form = RegionForm(parent_id=request.args.get("parent", ""))
    form.parent_id.choices = lookups.region_choices(me(), blank=_("(top level)"))
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            parent = find("parent_id", Region, form.parent_id.data)
            return find.run(org.create_region, code=form.code.data, name=form.name.data,
                            level=form.level.data, parent=parent)
        created = _save(form, action)
        if created is not None:
            flash(_("Region %(name)s created.", name=created.name), "success")
            return redirect(url_for(".region", region_id=created.id))
    return _form_page(form, _("New region"), url_for(".regions"), _failed(form))


@bp.route("/regions/<int:region_id>/edit", methods=["GET", "POST"])
def region_edit(region_id: int):
    item = access.get_visible(Region, region_id, me())
    access.require(me(), "region.edit", item)
    form = RegionForm(obj=item)
    del form.parent_id, form.level  # the place in the tree is fixed once created
    if form.validate_on_submit() and _save(form, lambda: org.update_region(item, code=form.code.data, name=form.name.data)):
        flash(_("Saved."), "success")
        return redirect(url_for(".region", region_id=item.id))
    return _form_page(form, _("Edit region"), url_for(".region", region_id=item.id), _failed(form),
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


def _authority_fields(form, find: Resolver) -> dict:
    return dict(region=find("region_id", Region, form.region_id.data, required=True), name=form.name.data,
                abbreviation=form.abbreviation.data, review_body=form.review_body.data,
                court=form.court.data, address=form.address.data, phone=form.phone.data)


@bp.route("/authorities/new", methods=["GET", "POST"])
def authority_new():
    access.require(me(), "authority.edit")
    form = AuthorityForm()
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            return find.run(org.create_authority, **_authority_fields(form, find))
        created = _save(form, action)
        if created is not None:
            flash(_("Authority %(name)s created.", name=created.name), "success")
            return redirect(url_for(".authority", authority_id=created.id))
    return _form_page(form, _("New authority"), url_for(".authorities"), _failed(form))


@bp.route("/authorities/<int:authority_id>/edit", methods=["GET", "POST"])
def authority_edit(authority_id: int):
    item = access.get_visible(Authority, authority_id, me())
    access.require(me(), "authority.edit", item)
    form = AuthorityForm(obj=item)
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            return find.run(org.update_authority, item, **_authority_fields(form, find))
        if _save(form, action):
            flash(_("Saved."), "success")
            return redirect(url_for(".authority", authority_id=item.id))
    return _form_page(form, _("Edit authority"), url_for(".authority", authority_id=item.id), _failed(form),
                      subtitle=item.name)


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


def _enterprise_fields(form, find: Resolver) -> dict:
    data = {name: field.data for name, field in form._fields.items()
            if name not in ("csrf_token", "region_id", "industry_id")}
    # None when dropped: the manager edits no master field, and the region only moves by a transfer.
    if getattr(form, "region_id", None) is not None:
        data["region"] = find("region_id", Region, form.region_id.data, required=True)
    if getattr(form, "industry_id", None) is not None:
        data["industry"] = find("industry_id", Industry, form.industry_id.data, required=True)
    return data


@bp.route("/enterprises/new", methods=["GET", "POST"])
def enterprise_new():
    access.require(me(), "enterprise.create")
    form = EnterpriseForm()
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    form.industry_id.choices = lookups.industry_choices(blank="—")
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            return find.run(org.create_enterprise, **_enterprise_fields(form, find))
        created = _save(form, action)
        if created is not None:
            flash(_("Enterprise %(name)s created.", name=created.name), "success")
            return redirect(url_for(".enterprise", enterprise_id=created.id))
    return _form_page(form, _("New enterprise"), url_for(".enterprises"), _failed(form))


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
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            return find.run(org.update_enterprise, item, **_enterprise_fields(form, find))
        if _save(form, action):
            flash(_("Saved."), "success")
            return redirect(url_for(".enterprise", enterprise_id=item.id))
    return _form_page(form, _("Edit enterprise"), url_for(".enterprise", enterprise_id=item.id),
                      _failed(form), subtitle=item.name)


@bp.route("/enterprises/<int:enterprise_id>/transfer", methods=["GET", "POST"])
def enterprise_transfer(enterprise_id: int):
    """Move the enterprise to another region, with the reason; past records stay with their authority."""
    item = access.get_visible(Enterprise, enterprise_id, me())
    access.require(me(), "enterprise.transfer", item)
    form = TransferForm()
    form.region_id.choices = lookups.region_choices(me(), blank="—")
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            region = find("region_id", Region, form.region_id.data, required=True)
            return find.run(org.transfer_enterprise, item, region=region, reason=form.reason.data, actor=me())
        if _save(form, action):
            flash(_("The enterprise is transferred to %(region)s.", region=item.region.name), "success")
            return redirect(url_for(".enterprise", enterprise_id=item.id))
    return _form_page(form, _("Transfer to another region"), url_for(".enterprise", enterprise_id=item.id),
                      _failed(form), subtitle=f"{item.name}（{item.region.name}）")


# --- departments -----------------------------------------------------------------------------

@bp.route("/enterprises/<int:enterprise_id>/departments/new", methods=["GET", "POST"])
def department_new(enterprise_id: int):
    item = access.get_visible(Enterprise, enterprise_id, me())
    access.require(me(), "department.edit", item)
    form = DepartmentForm(parent_id=request.args.get("parent", ""))
    form.parent_id.choices = lookups.department_choices(me(), item, blank=_("(directly under the company)"))
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            parent = find("parent_id", Department, form.parent_id.data)
            if parent is not None and parent.enterprise_id != item.id:
                find.errors["parent_id"] = lookups.UNKNOWN["parent_id"]()
                parent = None
            return find.run(org.create_department, item, name=form.name.data, level=form.level.data,
                            parent=parent)
        if _save(form, action):
            flash(_("Saved."), "success")
            return redirect(url_for(".enterprise", enterprise_id=item.id) + "#departments")
    return _form_page(form, _("New department"), url_for(".enterprise", enterprise_id=item.id),
                      _failed(form), subtitle=item.name)


@bp.route("/departments/<int:department_id>/edit", methods=["GET", "POST"])
def department_edit(department_id: int):
    dept = access.get_visible(Department, department_id, me())
    access.require(me(), "department.edit", dept.enterprise)
    form = DepartmentForm(obj=dept)
    del form.parent_id, form.level
    if form.validate_on_submit() and _save(form, lambda: org.update_department(dept, name=form.name.data)):
        flash(_("Saved."), "success")
        return redirect(url_for(".enterprise", enterprise_id=dept.enterprise_id) + "#departments")
    return _form_page(form, _("Edit department"), url_for(".enterprise", enterprise_id=dept.enterprise_id),
                      _failed(form), subtitle=f"{dept.enterprise.name} / {dept.name}")


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


def _user_choices(form) -> None:
    form.enterprise_id.choices = lookups.enterprise_choices(me())
    form.authority_id.choices = lookups.authority_choices(me())
    form.department_id.choices = lookups.department_choices(me())


def _user_fields(form, find: Resolver) -> dict:
    return dict(display_name=form.display_name.data, role=form.role.data,
                enterprise=find("enterprise_id", Enterprise, form.enterprise_id.data),
                authority=find("authority_id", Authority, form.authority_id.data),
                department=find("department_id", Department, form.department_id.data),
                phone=form.phone.data, email=form.email.data, certificate_no=form.certificate_no.data)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    access.require(me(), "user.edit")
    form = UserForm(enterprise_id=request.args.get("enterprise", ""))
    _user_choices(form)
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            return find.run(users_service.create_user, username=form.username.data,
                            password=form.password.data, **_user_fields(form, find))
        created = _save(form, action)
        if created is not None:
            flash(_("User %(name)s created.", name=created.username), "success")
            return redirect(url_for(".user", user_id=created.id))
    return _form_page(form, _("New user"), url_for(".users"), _failed(form))


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    item = access.get_visible(User, user_id, me())
    access.require(me(), "user.edit", item)
    form = UserForm(obj=item, data={"role": item.role.value})
    del form.username, form.password  # the login name stays; passwords have their own page
    _user_choices(form)
    if form.validate_on_submit():
        def action():
            find = Resolver(me())
            return find.run(users_service.update_user, item, **_user_fields(form, find))
        if _save(form, action):
            flash(_("Saved."), "success")
            return redirect(url_for(".user", user_id=item.id))
    return _form_page(form, _("Edit user"), url_for(".user", user_id=item.id), _failed(form),
                      subtitle=f"{item.display_name} ({item.username})")


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def user_active(user_id: int):
    item = access.get_visible(User, user_id, me())
    access.require(me(), "user.edit", item)
    active = request.form.get("active") == "1"
    try:
        users_service.set_active(item, active, actor=me())
        db.session.commit()
        flash(_("The account is active.") if active else _("The account is deactivated."), "success")
    except ServiceError as exc:
        db.session.rollback()
        flash(" ".join(m for msgs in exc.fields.values() for m in msgs) or exc.message, "error")
    return redirect(url_for(".user", user_id=item.id))


@bp.route("/users/<int:user_id>/password", methods=["GET", "POST"])
def user_password(user_id: int):
    item = access.get_visible(User, user_id, me())
    access.require(me(), "user.edit", item)
    form = PasswordForm()
    if form.validate_on_submit() and _save(form, lambda: users_service.reset_password(item, form.password.data)):
        flash(_("The password is changed."), "success")
        return redirect(url_for(".user", user_id=item.id))
    return _form_page(form, _("Reset password"), url_for(".user", user_id=item.id), _failed(form),
                      subtitle=f"{item.display_name} ({item.username})")
