"""Read side: the supervisor's queue, the supervision list (and its Excel), the authority overview.

All scoped to the user's region subtree through ``app.access``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, case, false, func, not_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app import access, figures, signals, xlsx
from app.auth.models import Role, User
from app.clock import today
from app.exports import ExportKind
from app.extensions import db
from app.hazards.models import Hazard
from app.organisations.models import Authority, Enterprise, Region, RegionLevel
from app.supervision import service
from app.supervision.models import Listing, ListingState
from workflows.grades import Grade
from workflows.hazard_states import OPEN_STATES, HazardState
from workflows.listing import routed_level

GRADE_ORDER = case({Grade.red.value: 0, Grade.orange.value: 1, Grade.yellow.value: 2, Grade.blue.value: 3},
                   value=Listing.grade, else_=4)


@dataclass
class ListFilters:
    region_id: int | None = None
    industry_id: int | None = None
    grade: str | None = None
    state: str | None = None


def decidable(user: User):
    """The proposals ``user`` may decide (rule ``listing.decide``: a supervisor of the listing
    authority), as a condition."""
    if user.role != Role.supervisor or user.authority_id is None:
        return false()
    return Listing.authority_id == user.authority_id


def queue(user: User, mine: bool = True) -> Select:
    """Proposals waiting for a decision, the strictest and oldest first: those the user decides
    (``mine``), or the others of his region that other authorities decide (read-only).
    Forbidden to a user who has no queue."""
    access.require(user, "supervision.queue")
    condition = decidable(user) if mine else not_(decidable(user))
    return (access.visible(Listing, user).where(Listing.state == ListingState.proposed, condition)
            .options(selectinload(Listing.hazard), selectinload(Listing.enterprise),
                     selectinload(Listing.authority))
            .order_by(GRADE_ORDER, Listing.proposed_at, Listing.id))


def supervision_list(user: User, filters: ListFilters, on: date | None = None, *,
                     columns: tuple | None = None) -> Select:
    """Listed items by grade and deadline, overdue listings first (Forbidden to who may not see it).
    ``columns``: those columns of the same rows, in the same order (the export: plain rows, no objects)."""
    access.require(user, "supervision.list")
    on = on or today()
    state = ListingState(filters.state) if filters.state else ListingState.listed
    overdue_first = case((Listing.deadline < on, 0), else_=1)
    stmt = access.visible(Listing, user).join(Listing.enterprise).where(Listing.state == state)
    if columns is not None:
        stmt = (stmt.join(Hazard, Hazard.id == Listing.hazard_id).join(Authority, Authority.id == Listing.authority_id)
                .with_only_columns(*columns))
    else:
        # The page's rows first (listings + enterprises only), then their hazards and
        # authorities in two small IN queries: joining 100 000 hazards before the sort is slower.
        stmt = stmt.options(contains_eager(Listing.enterprise), selectinload(Listing.hazard),
                            joinedload(Listing.authority))
    if filters.region_id:
        region = db.session.get(Region, filters.region_id)
        path = region.path if region is not None else "/-/"
        stmt = stmt.where(Enterprise.region_id.in_(access.region_subtree(path)))
    if filters.industry_id:
        stmt = stmt.where(Enterprise.industry_id == filters.industry_id)
    if filters.grade:
        stmt = stmt.where(Listing.grade == filters.grade)
    if state == ListingState.listed:
        return stmt.order_by(overdue_first, GRADE_ORDER, Listing.deadline, Listing.id)
    return stmt.order_by(GRADE_ORDER, Listing.deadline, Listing.id)


# The export is an official Chinese list whatever the UI language is.
GRADE_ZH = {"red": "重大风险", "orange": "较大风险", "yellow": "一般风险", "blue": "低风险"}
LEVEL_ZH = {"province": "省级", "city": "市级", "county": "县级", "town": "乡镇级"}
STATE_ZH = {"proposed": "待决定", "listed": "挂牌督办中", "dismissed": "未挂牌", "delisted": "已摘牌"}
EXPORT_HEADERS = ("督办编号", "隐患编号", "隐患名称", "企业", "风险等级", "督办层级", "督办单位",
                  "治理期限", "是否逾期", "状态", "触发规则", "治理责任单位", "监管责任单位")


EXPORT_WIDTHS = (10, 16, 36, 30, 10, 10, 26, 12, 8, 10, 22, 30, 30)
EXPORT_BATCH = 1000
EXPORT_NAME = "supervision.list"


EXPORT_COLUMNS = (Listing.id, Hazard.code, Hazard.title, Enterprise.name, Listing.grade, Listing.level,
                  Authority.name, Listing.deadline, Listing.state, Listing.rule, Listing.responsible_unit,
                  Listing.supervising_unit)


def export_rows(stmt: Select) -> Iterator[tuple]:
    """One tuple per row of ``stmt`` (``supervision_list`` with ``EXPORT_COLUMNS``: plain rows, not
    objects and their relations), read in batches (no cap: an export never stops short, issue 18)."""
    on = today()
    for (ident, code, title, enterprise, grade, level, authority, deadline, state, rule, responsible,
         supervising) in db.session.execute(stmt.execution_options(yield_per=EXPORT_BATCH)):
        overdue = Listing.is_overdue(state, deadline, on)
        yield (ident, code, title, enterprise, GRADE_ZH.get(grade, grade), LEVEL_ZH.get(level.value, level.value),
               authority, deadline, "是" if overdue else "否", STATE_ZH[state.value], rule, responsible, supervising)


def export_sheet(actor: User, params: dict) -> xlsx.Sheet:
    """The supervision list of the page's filters (``params``: ``ListFilters`` as JSON) as a sheet."""
    rows = export_rows(supervision_list(actor, ListFilters(**params), columns=EXPORT_COLUMNS))
    return xlsx.Sheet("挂牌督办清单", EXPORT_HEADERS, rows, widths=EXPORT_WIDTHS)


def export_count(actor: User, params: dict) -> int:
    stmt = supervision_list(actor, ListFilters(**params), columns=(Listing.id,))
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


EXPORT = ExportKind(EXPORT_NAME, "挂牌督办清单", "supervision-list.xlsx", export_sheet, export_count)


@dataclass
class Overview:
    by_state_grade: dict  # (state, grade or None) -> count of open hazards
    figures: dict  # identifier (workflows.figures) -> value, counted by app.figures
    as_of: datetime | None = None  # read from the scan's aggregates, counted then (None: counted now)


def overview(user: User, on: date | None = None, *, live: bool = False) -> Overview:
    """Open hazards by state and effective grade, and the figures (``app.figures``), over the user's
    region subtree. Read from the aggregates the scan maintains once it has made them (a city's page
    costs what its enterprises cost, not its hazards: issue 18), else (or ``live``) counted from the
    hazards. Forbidden to who may not. The aggregates are the dashboard's (it comes after supervision
    in FEATURES): asked through ``signals.open_hazard_aggregates``."""
    access.require(user, "supervision.overview")
    aggregated = None if live else signals.open_hazard_aggregates.first(user)
    if aggregated is not None:
        as_of, rows = aggregated
        return Overview(by_state_grade={(HazardState(st), g or None): int(n) for st, g, n in rows},
                        figures=figures.values(figures.hazard_counts_aggregated(user, on)), as_of=as_of)
    visible = access.condition(Hazard, user)
    grade = Hazard.effective_grade.label("grade")  # the one definition (workflows.effective_grade)
    rows = db.session.execute(
        select(Hazard.state, grade, func.count())
        .where(visible, Hazard.state.in_(OPEN_STATES)).group_by(Hazard.state, grade)).all()
    by_state_grade = {(HazardState(state), g): n for state, g, n in rows}
    return Overview(by_state_grade=by_state_grade, figures=figures.values(figures.hazard_counts(user, on)))


# --- coverage: where the listing rules find no authority of their level -----------------------

@dataclass
class Gap:
    """Enterprises of ``region`` whose rules name a ``missing_level`` authority that does not exist
    over them; their proposals go to ``routed_to`` (None: nowhere, they cannot be proposed)."""

    region: Region
    enterprises: int
    missing_level: object  # RegionLevel
    rules: list[str]
    routed_to: object | None  # Authority


def coverage(user: User) -> list[Gap]:
    """Every region with enterprises and a rule level without an authority over it (admin page)."""
    access.require(user, "supervision.coverage")

    mode = service.routing_mode()
    authorities = db.session.scalars(select(Authority).order_by(Authority.id)).all()
    by_region: dict[int, list] = {}
    for authority in authorities:
        by_region.setdefault(authority.region_id, []).append(authority)
    counts = dict(db.session.execute(select(Enterprise.region_id, func.count()).group_by(Enterprise.region_id)).all())
    regions = db.session.scalars(select(Region).where(Region.id.in_(counts)).order_by(Region.path)).all()
    gaps = []
    for region in regions:
        chain = [int(i) for i in region.path.strip("/").split("/") if i] or [region.id]
        found: dict[str, object] = {}
        for region_id in reversed(chain):  # nearest first
            for authority in by_region.get(region_id, []):
                found.setdefault(authority.level.value, authority)
        wanted: dict[str, list[str]] = {}
        for rule in service.rules_for_region(region).rules.rules:
            wanted.setdefault(rule.authority_level, []).append(rule.code)
        for level, codes in wanted.items():
            if level in found:
                continue
            routed = routed_level(level, found, mode)
            gaps.append(Gap(region=region, enterprises=counts[region.id], missing_level=RegionLevel(level), rules=codes,
                            routed_to=found[routed] if routed else None))
    return gaps


def routed_listings(limit: int = 200) -> list[Listing]:
    """Proposals and listings that went to another level than their rule's (newest first)."""
    return list(db.session.scalars(
        select(Listing).where(Listing.requested_level.is_not(None))
        .options(selectinload(Listing.hazard), selectinload(Listing.enterprise), selectinload(Listing.authority))
        .order_by(Listing.id.desc()).limit(limit)))
