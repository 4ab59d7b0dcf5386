"""Tenancy and permissions: the one place that answers "may this user see / do this".

* Scopes: for every model that belongs to a tenant, a function returning the SQL condition that
  restricts it to what a user may see. Views and API load objects only through ``get_visible``
  (404 for a foreign object) and list them only through ``visible`` / ``scope``.
* Rules: ``can(user, action, obj)`` looks up the rule registered for ``action``
  (e.g. ``"enterprise.edit"``, ``"hazard.confirm"``); an unknown action is refused.

Enterprise roles see their own enterprise; inspectors and supervisors the enterprises of their
authority's region subtree; admin everything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ARRAY,
    Boolean,
    ColumnElement,
    Integer,
    Select,
    and_,
    any_,
    bindparam,
    exists,
    false,
    select,
    true,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app.auth.models import Role, User
from app.errors import Forbidden, NotFound
from app.extensions import db, on_postgres
from app.organisations.models import Authority, Enterprise, Region
from app.registry import point

T = TypeVar("T")
ScopeFn = Callable[[User], ColumnElement[bool]]
RuleFn = Callable[[User, Any], bool]

# Filled by ``register`` from each feature's init_app (the core's own by ``init_app`` below).
SCOPES = point("access.scopes", "model -> fn(user) -> SQL condition", unique=True)
RULES = point("access.rules", "action -> fn(user, obj) -> bool", unique=True)
# Further conditions every region scope must meet (imports: a region merged into another is hidden).
REGION_FILTERS = point("access.region_filters", "fn() -> SQL condition on Region")


class Rules(dict):
    """A feature's rules, declared in its policy module with ``@rules("action")`` and registered by
    its init_app (``access.register(SCOPES, rules)``)."""

    def __call__(self, action: str) -> Callable[[RuleFn], RuleFn]:
        def decorate(fn: RuleFn) -> RuleFn:
            if action in self:
                raise ValueError(f"rule {action!r} declared twice")
            self[action] = fn
            return fn

        return decorate


def register(scopes: dict[type, ScopeFn] | None = None, rules: dict[str, RuleFn] | None = None) -> None:
    """Register a feature's tenancy scopes and rules (from its init_app)."""
    for model, fn in (scopes or {}).items():
        SCOPES.add(model, fn)
    for action, fn in (rules or {}).items():
        RULES.add(action, fn)


class _InArray(FunctionElement):
    """``column IN (subquery)``; on PostgreSQL ``column = ANY(ARRAY(subquery))``: the subquery runs
    once (an InitPlan) and the test is an index condition that can be OR-ed with others (a
    semi-join inside an OR is only a filter, evaluated row by row)."""

    inherit_cache = True
    type = Boolean()

    def __init__(self, column, subquery):
        super().__init__(column, subquery.scalar_subquery())


class _InArrayUnindexed(_InArray):
    """The same test, written so that no index serves it (``column + 0``): the rows come from another
    condition's index (a search's trigram index) and this one only filters them."""

    inherit_cache = True


@compiles(_InArray)
def _in_subquery(element, compiler, **kw):
    column, subquery = element.clauses
    return f"{compiler.process(column, **kw)} IN {compiler.process(subquery, **kw)}"


@compiles(_InArray, "postgresql")
def _any_array(element, compiler, **kw):
    column, subquery = element.clauses
    return f"{compiler.process(column, **kw)} = ANY(ARRAY{compiler.process(subquery, **kw)})"


@compiles(_InArrayUnindexed, "postgresql")
def _any_array_unindexed(element, compiler, **kw):
    column, subquery = element.clauses
    return f"({compiler.process(column, **kw)} + 0) = ANY(ARRAY{compiler.process(subquery, **kw)})"


def among(column, ids: Iterable[int]) -> ColumnElement[bool]:
    """``column IN ids`` for a list the caller holds. On PostgreSQL one array parameter
    (``= ANY(%(ids)s)``): a city's 10 000 enterprise ids bind and plan in a millisecond, where an IN list
    of 10 000 parameters cost a third of a second per statement, even on an empty table (issue 18)."""
    ids = list(ids)
    if on_postgres():
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def in_subquery(column, subquery: Select, *, hashed: bool = False, indexed: bool = True) -> ColumnElement[bool]:
    """``column`` among the ids of ``subquery``. ``hashed``: as a plain ``IN (subquery)``, which
    PostgreSQL checks row by row against a hash of the ids built once (a hashed SubPlan): what a walk
    of a table in its own order wants (the register's newest-first walk, issue 18), where the array's
    index condition would gather every match first. ``indexed`` False: the array as a filter only, on
    rows another condition's index finds (an integer column)."""
    if hashed:
        return column.in_(subquery)
    return _InArray(column, subquery) if indexed else _InArrayUnindexed(column, subquery)


# --- regions and enterprises -------------------------------------------------------------

def region_subtree(region_path: str) -> Select:
    """Ids of a region and every region below it."""
    return select(Region.id).where(Region.path.startswith(region_path, autoescape=True))


def authority_region_path(user: User) -> str | None:
    if user.authority is None:
        return None
    return user.authority.region.path


def enterprise_condition(column, user: User | None, *, correlated: bool = False,
                         hashed: bool = False, indexed: bool = True) -> ColumnElement[bool]:
    """SQL condition on a column holding an enterprise id: the enterprises ``user`` may see.

    ``correlated``: for a government user, a correlated EXISTS on the region subtree instead of an IN
    list (the same rows; for large tables read in their own order, e.g. the hazard register, the planner
    then checks each row instead of gathering every row of every enterprise of the region first).
    ``hashed``, ``indexed``: the shape of the id test (``in_subquery``)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return false()
    if user.role == Role.admin:
        return true()
    if user.role.is_enterprise:
        return column == user.enterprise_id
    path = authority_region_path(user)
    if path is None:
        return false()
    in_subtree = Enterprise.region_id.in_(region_subtree(path))
    if correlated:
        return exists(select(Enterprise.id).where(Enterprise.id == column, in_subtree))
    if column is Enterprise.id:  # the enterprises themselves: filter on their region, no self-join
        return in_subtree
    # The ids as an array computed once: the planner reads the column's index for them (issue 18;
    # a semi-join on a region-path subquery is estimated as the whole table, and scanned).
    return in_subquery(column, select(Enterprise.id).where(in_subtree), hashed=hashed, indexed=indexed)


def authority_records(column, user: User | None, *, hashed: bool = False,
                      indexed: bool = True) -> ColumnElement[bool]:
    """SQL condition on a column holding an authority id (who found a hazard, issued a document,
    listed or inspected): records of the authorities in ``user``'s region subtree.

    Records stay with the authority that made them: after an enterprise is transferred to another
    region (organisations.service.transfer_enterprise), its new authorities see it through
    ``enterprise_condition``, and the old ones still see what they found, issued or listed."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active \
            or not user.role.is_government:
        return false()
    path = authority_region_path(user)
    if path is None:
        return false()
    # As an array computed once, like ``enterprise_condition``: OR'ed with it on the hazards, both sides
    # then read their own index (a hashed subplan would make the planner scan the table).
    return in_subquery(column, select(Authority.id).where(Authority.region_id.in_(region_subtree(path))),
                       hashed=hashed, indexed=indexed)


def visible_enterprise_ids(user: User) -> Select:
    return select(Enterprise.id).where(enterprise_condition(Enterprise.id, user))


def in_jurisdiction(user: User, enterprise: Enterprise) -> bool:
    """Is ``enterprise`` inside the region subtree of ``user``'s authority?"""
    path = authority_region_path(user)
    return bool(path) and enterprise.region.path.startswith(path)


# --- scopes ----------------------------------------------------------------------------

def condition(model: type, user: User, **shape) -> ColumnElement[bool]:
    """The rows of ``model`` that ``user`` may see. ``shape``: how the scope that a feature registered
    writes the same rule in SQL (the hazards' ``walk=True``: for a walk of the table in its own order)."""
    try:
        return SCOPES[model](user, **shape)
    except KeyError:
        raise LookupError(f"no tenancy scope registered for {model.__name__}") from None


def scope(stmt: Select, model: type, user: User) -> Select:
    return stmt.where(condition(model, user))


def visible(model: type[T], user: User) -> Select:
    return select(model).where(condition(model, user))


def get_visible(model: type[T], ident: int | None, user: User, *, for_update: bool = False,
                options: Sequence = ()) -> T:
    """Load one object the user may see, or raise NotFound (a foreign object looks absent).

    ``options``: loader options (eager loads may join other tables; only ``model``'s row is locked).
    """
    if ident is None:
        raise NotFound()
    stmt = visible(model, user).where(model.id == ident)  # type: ignore[attr-defined]
    if options:
        stmt = stmt.options(*options)
    if for_update:
        # The locked row is the truth: refresh an instance this session may have loaded earlier.
        stmt = stmt.with_for_update(of=model).execution_options(populate_existing=True)
    obj = db.session.execute(stmt).unique().scalar_one_or_none()
    if obj is None:
        raise NotFound()
    return obj


def load(actor: User | None, model: type[T], obj_or_id, *, for_update: bool = False) -> T:
    """The object (given, or by id) if ``actor`` may see it, else NotFound (a foreign object looks
    absent); ``actor`` None (a command run on the server) sees everything."""
    if isinstance(obj_or_id, model):
        if actor is not None and not is_visible(obj_or_id, actor):
            raise NotFound()
        return obj_or_id
    if obj_or_id in (None, ""):
        raise NotFound()
    if actor is None:
        obj = db.session.get(model, obj_or_id)
        if obj is None:
            raise NotFound()
        return obj
    return get_visible(model, obj_or_id, actor, for_update=for_update)


def is_visible(obj: Any, user: User) -> bool:
    model = type(obj)
    return db.session.scalar(select(model.id).where(model.id == obj.id, condition(model, user))) is not None


def _region_scope(user: User) -> ColumnElement[bool]:
    return and_(_region_scope_by_role(user), *REGION_FILTERS.send())


def _region_scope_by_role(user: User) -> ColumnElement[bool]:
    if user.role == Role.admin:
        return true()
    if user.role.is_government:
        path = authority_region_path(user)
        return Region.path.startswith(path, autoescape=True) if path else false()
    # An enterprise user sees the chain of regions above his enterprise.
    enterprise = user.enterprise
    if enterprise is None:
        return false()
    ids = [int(i) for i in enterprise.region.path.strip("/").split("/") if i]
    return Region.id.in_(ids)


def _authority_scope(user: User) -> ColumnElement[bool]:
    # Whoever sees a region sees the authorities seated there: an enterprise sees who supervises it.
    return Authority.region_id.in_(select(Region.id).where(_region_scope(user)))


def _user_scope(user: User) -> ColumnElement[bool]:
    if user.role == Role.admin:
        return true()
    if user.role.is_enterprise:
        return User.enterprise_id == user.enterprise_id
    own_authorities = select(Authority.id).where(_authority_scope(user))
    return User.authority_id.in_(own_authorities) | enterprise_condition(User.enterprise_id, user)


def _enterprise_scope(user: User) -> ColumnElement[bool]:
    return enterprise_condition(Enterprise.id, user)


# The core's scopes: the tenants themselves and their users.
CORE_SCOPES = {Enterprise: _enterprise_scope, Region: _region_scope, Authority: _authority_scope, User: _user_scope}


# --- rules -----------------------------------------------------------------------------

def can(user: User | None, action: str, obj: Any = None) -> bool:
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return False
    fn = RULES.get(action)
    if fn is None:
        raise LookupError(f"no policy rule for action {action!r}")
    return bool(fn(user, obj))


def require(user: User | None, action: str, obj: Any = None) -> None:
    if not can(user, action, obj):
        raise Forbidden()


def has_role(user: User, *roles: Role) -> bool:
    return user.role in roles


# The core's rules (organisations' and users' master data are read by every feature).
core_rules = Rules()


@core_rules("admin")
def _admin(user: User, _obj) -> bool:
    return user.role == Role.admin


@core_rules("organisation.browse")
def _browse(user: User, _obj) -> bool:
    """Lists of regions and authorities are for government users and admin."""
    return user.role == Role.admin or user.role.is_government


@core_rules("enterprise.view")
def _enterprise_view(user: User, enterprise: Enterprise) -> bool:
    return is_visible(enterprise, user)


def administers(user: User, enterprise: Enterprise | None) -> bool:
    """An authority's administrator administers the enterprises of its region subtree."""
    return (enterprise is not None and user.role == Role.authority_admin
            and in_jurisdiction(user, enterprise))


@core_rules("enterprise.edit")
def _enterprise_edit(user: User, enterprise: Enterprise | None) -> bool:
    # Enterprises are master data kept by admin and, in its region, an authority's administrator;
    # the enterprise's own manager keeps its details.
    if user.role == Role.admin:
        return True
    if enterprise is None:
        return user.role in (Role.authority_admin, Role.enterprise_manager)
    return administers(user, enterprise) or (
        user.role == Role.enterprise_manager and user.enterprise_id == enterprise.id)


@core_rules("department.edit")
def _department_edit(user: User, enterprise: Enterprise) -> bool:
    return _enterprise_edit(user, enterprise)


@core_rules("user.view")
def _user_view(user: User, other: User) -> bool:
    return is_visible(other, user)


# Who may make which accounts (issue 15): an enterprise's manager its staff and managers; an
# authority's administrator the enterprise accounts of its region and its own authority's staff.
MANAGER_MAKES = frozenset({Role.enterprise_staff, Role.enterprise_manager})
AUTHORITY_ADMIN_MAKES = frozenset({Role.enterprise_staff, Role.enterprise_manager, Role.enterprise_principal,
                                   Role.inspector, Role.supervisor, Role.authority_admin})
USER_ADMINS = frozenset({Role.admin, Role.authority_admin, Role.enterprise_manager})


def roles_made_by(user: User) -> frozenset[Role]:
    """The roles of the accounts ``user`` may create and keep."""
    if user.role == Role.admin:
        return frozenset(Role)
    if user.role == Role.authority_admin:
        return AUTHORITY_ADMIN_MAKES
    if user.role == Role.enterprise_manager:
        return MANAGER_MAKES
    return frozenset()


def may_keep_account(user: User, role: Role, enterprise: Enterprise | None, authority: Authority | None) -> bool:
    """May ``user`` hold an account of ``role`` anchored to ``enterprise`` / ``authority``?"""
    if user.role == Role.admin:
        return True
    if role not in roles_made_by(user):
        return False
    if user.role == Role.enterprise_manager:
        return enterprise is not None and enterprise.id == user.enterprise_id
    if user.role == Role.authority_admin:
        if role.is_government:
            return authority is not None and authority.id == user.authority_id
        return administers(user, enterprise)
    return False


@core_rules("user.edit")
def _user_edit(user: User, other: User | None) -> bool:
    """Without an account: may he create accounts at all; with one: may he keep that one."""
    if other is None:
        return user.role in USER_ADMINS
    return may_keep_account(user, other.role, other.enterprise, other.authority)


def init_app(app) -> None:
    register(CORE_SCOPES, core_rules)
