"""The hazard register's query: filters on indexed columns, newest first, pages without a full COUNT.

Shared by the web register and ``GET /api/v1/hazards`` so both filter the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, and_, func, not_, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from app import access
from app.access import in_subquery
from app.clock import LOCAL_TZ, today
from app.extensions import db, on_postgres
from app.hazards.models import Hazard
from app.paging import Page, paginate
from workflows.grades import Grade
from workflows.hazard_states import OPEN_STATES

# Counting stops here: beyond it the register says "more than 1 000" (a COUNT over a large filtered
# table costs more than the page itself; measured in bench/bench_hazards.py).
COUNT_CAP = 1000
# How many of the newest hazards a filter is first tried on (``_many_among_newest``): dense filters
# (a city's register, a grade, overdue) pass the cap within them, for a few milliseconds.
PROBE_ROWS = 20_000


class _Unindexed(FunctionElement):
    """A column the planner must not use an index for: ``+col`` on SQLite, the plain column elsewhere.

    When a filter matches many rows, walking the hazards newest-first and stopping after one page is
    far cheaper than gathering every match through the filter's index and sorting them; SQLite does
    not know that (PostgreSQL does, from its statistics), so the register tells it (see ``register_page``).
    """

    inherit_cache = True

    def __init__(self, column):
        super().__init__(column)
        self.type = column.type


@compiles(_Unindexed)
def _plain(element, compiler, **kw):
    return compiler.process(next(iter(element.clauses)), **kw)


@compiles(_Unindexed, "sqlite")
def _unary_plus(element, compiler, **kw):
    return "+" + compiler.process(next(iter(element.clauses)), **kw)


def overdue_condition(on_day: date | None = None, *, walk: bool = False):
    state, deadline = (_Unindexed(Hazard.state), _Unindexed(Hazard.deadline)) if walk else (
        Hazard.state, Hazard.deadline)
    return and_(state.in_(list(OPEN_STATES)), deadline < (on_day or today()))


def grade_condition(grade: Grade, *, walk: bool = False):
    """Hazards whose effective grade (the one definition, ``Hazard.effective_grade``) is ``grade``,
    in its indexable form (``Hazard.grade_is``), or its form for a walk."""
    return Hazard.grade_is(Grade(grade), walk=walk)


def _local_day_start(day: date) -> datetime:
    """A local (China) calendar day's start as naive UTC, the way created_at is stored."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def register_query(user, *, state=None, level=None, grade=None, overdue=None, department_id=None,
                   date_from: date | None = None, date_to: date | None = None, enterprise_id=None,
                   region_id=None, q: str | None = None, mine_of: int | None = None, walk: bool = False) -> Select:
    """The visible hazards matching the filters. ``mine_of``: a user's own (he must rectify them or he
    reported them). ``walk``: keep the planner off the state/deadline indexes (newest-first walk; see
    ``register_page``)."""
    # The tenancy rule in the shape of the plan: indexed for a page of few matches, hashed for a walk,
    # a filter only for a search (the trigram index finds the matches; a city's scope as an index
    # condition would first gather every hazard of the city to intersect them).
    stmt = select(Hazard).where(access.condition(Hazard, user, walk=walk, search=bool(q)))
    if mine_of:
        stmt = stmt.where(or_(Hazard.responsible_user_id == mine_of, Hazard.reported_by_id == mine_of))
    if state:
        stmt = stmt.where((_Unindexed(Hazard.state) if walk else Hazard.state) == state)
    if level:
        stmt = stmt.where(Hazard.level == level)
    if grade:
        stmt = stmt.where(grade_condition(Grade(grade), walk=walk))
    if overdue is True:
        stmt = stmt.where(overdue_condition(walk=walk))
    elif overdue is False:
        stmt = stmt.where(not_(overdue_condition()) | Hazard.deadline.is_(None))
    if department_id:
        stmt = stmt.where(Hazard.responsible_department_id == department_id)
    if enterprise_id:
        stmt = stmt.where(Hazard.enterprise_id == enterprise_id)
    if region_id:  # a district (or any region): the enterprises of its subtree
        from app.organisations.models import Enterprise, Region

        path = db.session.scalar(select(Region.path).where(Region.id == region_id)) or "/-/"
        stmt = stmt.where(in_subquery(Hazard.enterprise_id, select(Enterprise.id).where(
            Enterprise.region_id.in_(access.region_subtree(path))), hashed=walk and on_postgres()))
    if date_from:
        stmt = stmt.where(Hazard.created_at >= _local_day_start(date_from))
    if date_to:
        stmt = stmt.where(Hazard.created_at < _local_day_start(date_to + timedelta(days=1)))
    if q:
        like = f"%{q.strip()[:100]}%"
        stmt = stmt.where(or_(Hazard.title.ilike(like), Hazard.code.ilike(like), Hazard.location.ilike(like)))
    return stmt


def by_creation_date(filters: dict) -> bool:
    """Is the register filtered by creation date (and not searched)? Then it is read in creation order:
    the ``created_at`` index, read backwards from the range's end, gives a page after a few hundred
    rows and counts to the cap after at most COUNT_CAP / (the scope's share) rows, however old the
    range and however many hazards it holds; in id order a range of last year sits behind every
    newer hazard. Hazards are numbered as they are reported, so both orders agree."""
    return bool(filters.get("date_from") or filters.get("date_to")) and not filters.get("q")


def newest_first(filters: dict) -> tuple:
    """The register's order for ``filters`` (pages and exports alike)."""
    if by_creation_date(filters):
        return Hazard.created_at.desc(), Hazard.id.desc()
    return (Hazard.id.desc(),)


def _older_than(after: int, filters: dict):
    """The keyset condition: the hazards after hazard ``after`` in the order ``newest_first``."""
    if by_creation_date(filters):
        mark = select(Hazard.created_at).where(Hazard.id == after).scalar_subquery()
        return or_(Hazard.created_at < mark, and_(Hazard.created_at == mark, Hazard.id < after))
    return Hazard.id < after


def register_page(user, *, page: int = 1, per_page: int = 50, options=(), after: int | None = None,
                  **filters) -> Page:
    """The register's page for ``user`` and ``filters`` (UI and API use this), newest first, the
    number of matches counted up to COUNT_CAP; ``after``: the keyset cursor (hazards older than that
    id: no offset, ``page`` is ignored).

    When the filter matches many rows (the capped count reached the cap) the page is read from the
    same query built with ``walk=True``: the newest-first walk then finds a page after a few hundred
    rows, whatever the table's size. A range of creation dates is counted and read by that walk too
    (``by_creation_date``): the ``created_at`` index bounds it, where the enterprise-first index would
    gather every match of a city's week (19 000 at a million hazards a year) before counting 1 001.
    """
    keyset = _older_than(after, filters) if after is not None else None
    page = 1 if after is not None else page

    def query(**shape):
        stmt = register_query(user, **shape, **filters)
        return stmt if keyset is None else stmt.where(keyset)

    order = newest_first(filters)
    walk = query(walk=True)
    walked = walk.options(*options).order_by(*order)
    if by_creation_date(filters) and on_postgres():
        return paginate(walked, page, per_page, count_cap=COUNT_CAP, walk=walked)
    return paginate(query().options(*options).order_by(*order), page, per_page, count_cap=COUNT_CAP,
                    walk=walked, capped=_many_among_newest(walk))


def _many_among_newest(walk: Select) -> bool:
    """Do the newest ``PROBE_ROWS`` hazards alone hold more than ``COUNT_CAP`` matches? Then the count
    is known to pass the cap without counting through the filter's indexes (which gathers every match
    of a city's filter, ×10 at ten times the hazards: issue 18), and the page is walked. Walking
    stops after COUNT_CAP + 1 matches or PROBE_ROWS hazards, whichever comes first."""
    newest = select(func.max(Hazard.id)).scalar_subquery()
    probe = walk.where(Hazard.id > newest - PROBE_ROWS).with_only_columns(Hazard.id).order_by(None) \
        .limit(COUNT_CAP + 1).subquery()
    return (db.session.scalar(select(func.count()).select_from(probe)) or 0) > COUNT_CAP
