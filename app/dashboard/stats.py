"""The queries behind the figures of a period (``workflows.figures.PERIOD``): counted here, once.

Dashboards, statistics tables, their Excel exports and ``GET /api/v1/stats/hazards`` all call
``hazard_stats``. The supervision overview (``app.figures``) reads the same aggregates for "this year".
Every count is restricted to what the user may see (``app.access``) and to a scope the user chose
(a region of his jurisdiction, an enterprise, an industry); a region outside it answers NotFound.

Periods are local (China) dates ``[from, to]``, both included; timestamps are stored as naive UTC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import has_request_context, request
from sqlalchemy import (
    Date,
    DateTime,
    Float,
    and_,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    text,
    true,
    tuple_,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.functions import FunctionElement

from app import access
from app.auth.models import Role, User
from app.clock import today, utcnow
from app.dashboard import models as m
from app.dashboard.models import (
    HazardNowRegionStat,
    HazardNowStat,
    HazardOpenRegionStat,
    HazardOpenStat,
    HazardWeekRegionStat,
    HazardWeekStat,
)
from app.errors import Invalid, NotFound
from app.extensions import db, on_postgres
from app.hazards.models import Hazard
from app.organisations.models import Enterprise, Industry, Region
from app.risks.models import RiskEvent, RiskPoint, RiskPointStatus, RiskSummary
from app.supervision.models import Listing, ListingState
from workflows.figures import HAZARD_PERIOD_COUNTS, period_values
from workflows.grades import Grade
from workflows.hazard_states import OPEN_STATES, HazardLevel, HazardState

CHINA_UTC_OFFSET = timedelta(hours=8)
GROUPS = ("region", "industry", "enterprise", "month")
GRADES = tuple(g.value for g in Grade)  # red first


def local_day_start_utc(day: date) -> datetime:
    """A local (China) day's 00:00 as naive UTC, the way timestamps are stored (no DST in China)."""
    return datetime.combine(day, time.min) - CHINA_UTC_OFFSET


class _EndOfLocalDayUtc(FunctionElement):
    """The end of a local (China) date as naive UTC: the date plus 16 hours (24 − 8). Closed "on
    time" is closed_at before it, i.e. on or before the deadline's local date."""

    inherit_cache = True
    type = DateTime()


@compiles(_EndOfLocalDayUtc)
def _end_of_day_pg(element, compiler, **kw):
    return f"({compiler.process(next(iter(element.clauses)), **kw)} + interval '16 hours')"


@compiles(_EndOfLocalDayUtc, "sqlite")
def _end_of_day_sqlite(element, compiler, **kw):
    return f"datetime({compiler.process(next(iter(element.clauses)), **kw)}, '+16 hours')"


class _DaysBetween(FunctionElement):
    """(b − a) in days, fractional."""

    inherit_cache = True
    type = Float()


@compiles(_DaysBetween)
def _days_pg(element, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 86400.0)"


@compiles(_DaysBetween, "sqlite")
def _days_sqlite(element, compiler, **kw):
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(julianday({b}) - julianday({a}))"


class _WeekBucket(FunctionElement):
    """The aggregates' bucket of a naive-UTC timestamp: the local (China) Monday of its week, or 1 January
    when that week began in the year before (weeks split at the new year: weeks and years sum exactly)."""

    inherit_cache = True
    type = Date()


@compiles(_WeekBucket)
def _bucket_pg(element, compiler, **kw):
    local = f"({compiler.process(next(iter(element.clauses)), **kw)} + interval '8 hours')"
    return f"(GREATEST(date_trunc('week', {local}), date_trunc('year', {local})))::date"


@compiles(_WeekBucket, "sqlite")
def _bucket_sqlite(element, compiler, **kw):
    ts = compiler.process(next(iter(element.clauses)), **kw)
    return f"max(date({ts}, '+8 hours', 'weekday 0', '-6 days'), date({ts}, '+8 hours', 'start of year'))"


def week_bucket(day: date) -> date:
    """``_WeekBucket`` of a local date, in Python."""
    return max(day - timedelta(days=day.weekday()), date(day.year, 1, 1))


def closed_on_time_condition():
    """Closed no later than the deadline's local date; no deadline counts as on time (the one rule)."""

    return or_(Hazard.deadline.is_(None), Hazard.closed_at < _EndOfLocalDayUtc(Hazard.deadline))


# --- scope -------------------------------------------------------------------------------------

@dataclass
class Scope:
    """What a statistic covers: a region subtree (None: all the user sees), or one enterprise, and
    optionally one industry and one enterprise risk class."""

    user: User
    region: Region | None = None
    enterprise: Enterprise | None = None
    industry_id: int | None = None
    risk_class: str | None = None

    @property
    def label(self) -> str:
        if self.enterprise is not None:
            return self.enterprise.name
        if self.region is not None:
            return self.region.name
        return ""

    def enterprise_condition(self, column):
        """SQL condition on a column holding an enterprise id: the scope's enterprises.

        A region's enterprises as a plain ``IN (SELECT ...)``: PostgreSQL hashes the few thousand ids
        once (a semi-join); ``= ANY(ARRAY(...))`` would compare each row with every id (issue 14 bench)."""
        if self.enterprise is not None:
            return column == self.enterprise.id
        sub = select(Enterprise.id).where(access.enterprise_condition(Enterprise.id, self.user))
        if self.region is not None:
            sub = sub.where(Enterprise.region_id.in_(access.region_subtree(self.region.path)))
        if self.industry_id:
            sub = sub.where(Enterprise.industry_id == self.industry_id)
        if self.risk_class:
            sub = sub.where(risk_class_condition(self.risk_class))
        if column is Enterprise.id:
            return sub.whereclause
        return column.in_(sub)

    def region_condition(self, column):
        """SQL condition on the region id column of a per-region rollup: the scope's regions; None when the
        rollups cannot answer (one enterprise, or an industry or a risk class chosen: enterprise rows)."""

        if self.enterprise is not None or self.industry_id or self.risk_class:
            return None
        if self.region is not None:  # within the user's jurisdiction (resolve_scope checked it)
            return column.in_(access.region_subtree(self.region.path))
        if self.user.role == Role.admin:
            return true()
        return None


def risk_class_condition(risk_class: str):
    """Enterprises whose class (highest current grade of their active risk points) is ``risk_class``;
    "none": without a graded point. Read from the risk summaries (one row per enterprise)."""

    counts = {g: getattr(RiskSummary, g) for g in GRADES}
    higher: list = []
    for g in GRADES:
        if g == risk_class:
            return Enterprise.id.in_(select(RiskSummary.enterprise_id).where(
                counts[g] > 0, *[counts[h] == 0 for h in higher]))
        higher.append(g)
    return Enterprise.id.not_in(select(RiskSummary.enterprise_id).where(
        or_(*[counts[g] > 0 for g in GRADES])))


def resolve_scope(user: User, *, region_id: int | None = None, enterprise_id: int | None = None,
                  industry_id: int | None = None, risk_class: str | None = None) -> Scope:
    """The scope a user asked for; a region or an enterprise outside what he may see: NotFound."""
    scope = Scope(user=user, industry_id=industry_id or None,
                  risk_class=risk_class if risk_class in (*GRADES, "none") else None)
    if industry_id and db.session.get(Industry, industry_id) is None:
        raise Invalid(fields={"industry_id": "没有这个行业。"})
    if enterprise_id:
        scope.enterprise = access.get_visible(Enterprise, enterprise_id, user)
        return scope
    if user.role.is_enterprise:
        scope.enterprise = user.enterprise
        return scope
    if region_id:
        region = db.session.get(Region, region_id)
        if region is None or not _region_in_jurisdiction(user, region):
            raise NotFound(fields={"region_id": "辖区内没有这个区域。"})
        scope.region = region
    elif user.authority is not None:
        scope.region = user.authority.region
    return scope


def _region_in_jurisdiction(user: User, region: Region) -> bool:
    if user.role == Role.admin:
        return True
    path = access.authority_region_path(user)
    return path is not None and region.path.startswith(path)


def check_period(from_: date | None, to: date | None) -> tuple[date, date]:
    """The period asked for: ``to`` defaults to today, ``from`` to the first of ``to``'s month;
    ``to`` before ``from``: Invalid naming ``to``."""
    to = to or today()
    from_ = from_ or to.replace(day=1)
    if to < from_:
        raise Invalid(fields={"to": "结束日期不能早于开始日期。"})
    if (to - from_).days > 3700:
        raise Invalid(fields={"from": "统计期间不能超过十年。"})
    return from_, to


# --- hazards -----------------------------------------------------------------------------------

def _key_columns(group_by: str | None):
    if group_by == "enterprise":
        return Hazard.enterprise_id
    if group_by == "industry":
        return Enterprise.industry_id
    if group_by == "region":
        return Enterprise.region_id
    return None


def _event_conditions(start: datetime, end: datetime) -> dict:
    """The period counts of a hazard row, by the moment of each event (the one definition)."""

    closed = and_(Hazard.state == HazardState.closed, Hazard.closed_at >= start, Hazard.closed_at < end)
    return {
        "reported": and_(Hazard.created_at >= start, Hazard.created_at < end),
        "confirmed": and_(Hazard.confirmed_at >= start, Hazard.confirmed_at < end,
                          Hazard.state != HazardState.voided),
        "closed": closed,
        "closed_on_time": and_(closed, closed_on_time_condition()),
        # A voided hazard is final: its updated_at is the moment it was voided.
        "voided": and_(Hazard.state == HazardState.voided, Hazard.updated_at >= start, Hazard.updated_at < end),
    }


def confirmed_closed_condition(start: datetime, end: datetime):
    """Confirmed in [start, end) and closed now (the rectification rate's numerator, workflows.figures)."""

    return and_(Hazard.confirmed_at >= start, Hazard.confirmed_at < end, Hazard.state == HazardState.closed)


def _now_conditions(on: date) -> dict:
    is_open = Hazard.state.in_(OPEN_STATES)
    return {"open": is_open, "overdue": and_(is_open, Hazard.deadline < on),
            "major_open": and_(is_open, Hazard.level == HazardLevel.major)}


def _close_days():
    return _DaysBetween(Hazard.created_at, Hazard.closed_at)


def _hazard_rows(scope: Scope, start: datetime, end: datetime, on: date, group_by: str | None) -> list[dict]:
    """Counted live from the hazards."""

    conditions = _event_conditions(start, end) | _now_conditions(on)
    key = _key_columns(group_by)
    cols = [func.count().filter(c).label(k) for k, c in conditions.items()]
    cols.append(func.coalesce(func.sum(_close_days()).filter(conditions["closed"]), 0).label("close_days_total"))
    stmt = select(*([key.label("key")] if key is not None else []), *cols).select_from(Hazard)
    if group_by in ("industry", "region"):
        stmt = stmt.join(Enterprise, Enterprise.id == Hazard.enterprise_id)
    # Only rows that can count: open ones, or touched since the period began (a closed or voided
    # hazard untouched since then counts nowhere).
    stmt = stmt.where(scope.enterprise_condition(Hazard.enterprise_id),
                      or_(conditions["open"], Hazard.updated_at >= start))
    if key is not None:
        stmt = stmt.group_by(key)
    result = db.session.execute(stmt)
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


# --- pre-aggregated: hazard events per enterprise and week, open hazards per enterprise -------------

AGGREGATE_COUNTS = ("reported", "confirmed", "closed", "closed_on_time", "voided")


def aggregates_as_of() -> datetime | None:
    """When the scan last counted the aggregates (None: never); read once per request."""

    cached = has_request_context() and request.environ.get("shuangkong.figures_as_of", False)
    if cached is not False:
        return cached
    # Every row of one refresh has the same time: any row says it (no scan of the table).
    value = db.session.scalar(select(HazardNowStat.computed_at).limit(1))
    if has_request_context():
        request.environ["shuangkong.figures_as_of"] = value
    return value


def open_hazards_aggregated(user: User) -> tuple[datetime, list] | None:
    """Answers ``signals.open_hazard_aggregates`` (supervision's overview): ``(as_of, [(state, grade, n)])``
    of the open hazards ``user`` may see, summed from the aggregates; None before the scan first counted."""
    as_of = aggregates_as_of()
    if as_of is None:
        return None
    model, where = rows_for(resolve_scope(user), HazardOpenStat, HazardOpenRegionStat)
    rows = db.session.execute(select(model.state, model.grade, func.sum(model.n))
                              .where(where).group_by(model.state, model.grade)).all()
    return as_of, [tuple(row) for row in rows]


def uses_aggregates(scope: Scope, from_: date, to: date, group_by: str | None, on: date) -> bool:
    """Region figures over whole weeks (Monday to Sunday, the current week up to today) read the
    aggregates, once the scan has made them; an enterprise and other periods are counted live."""
    if scope.enterprise is not None or group_by == "month" or from_.weekday() != 0:
        return False
    if not (to.weekday() == 6 or to >= on):
        return False
    return aggregates_as_of() is not None


def _aggregated_rows(scope: Scope, from_: date, to: date, group_by: str | None) -> list[dict]:
    # The region rollups when they can answer (a region's totals, or its child regions): few rows.
    by_region = group_by in (None, "region") and scope.region_condition(HazardNowRegionStat.region_id) is not None
    week_model, now_model = (HazardWeekRegionStat, HazardNowRegionStat) if by_region else (HazardWeekStat,
                                                                                          HazardNowStat)
    out: dict = {}
    for model, names, extra in (
            (week_model, (*AGGREGATE_COUNTS, "close_days_total"),
             (week_model.week_start >= from_, week_model.week_start <= to)),
            (now_model, ("open", "overdue", "major_open"), ())):
        if by_region:
            key = model.region_id if group_by == "region" else None
            where = scope.region_condition(model.region_id)
        else:
            key = {"enterprise": model.enterprise_id, "industry": Enterprise.industry_id,
                   "region": Enterprise.region_id}.get(group_by or "")
            where = scope.enterprise_condition(model.enterprise_id)
        cols = [func.coalesce(func.sum(getattr(model, n)), 0).label(n) for n in names]
        stmt = select(*([key.label("key")] if key is not None else []), *cols).select_from(model)
        if not by_region and group_by in ("industry", "region"):
            stmt = stmt.join(Enterprise, Enterprise.id == model.enterprise_id)
        stmt = stmt.where(where, *extra)
        if key is not None:
            stmt = stmt.group_by(key)
        result = db.session.execute(stmt)
        keys = list(result.keys())
        for row in result:
            data = dict(zip(keys, row, strict=True))
            key = data.pop("key", None)
            if key in out:
                out[key].update(data)
            else:
                out[key] = data
    return [{"key": k, **v} if group_by else v for k, v in out.items()]


# Counted per bucket by the moment of each event (the period conditions of ``_event_conditions``).
_EVENT_COLUMNS = {"reported": "created_at", "confirmed": "confirmed_at", "closed": "closed_at",
                  "closed_on_time": "closed_at", "voided": "updated_at", "confirmed_closed": "confirmed_at"}
WEEK_COUNTS = (*AGGREGATE_COUNTS, "confirmed_closed", "close_days_total")
# A hazard committed while the previous refresh ran may carry an earlier updated_at than its stamp.
_TOUCH_MARGIN = timedelta(minutes=10)


def refresh_aggregates(*, full: bool = False, on: date | None = None) -> dict:
    """Recount the aggregates. Weekly events: the last two weeks of every enterprise, and the older weeks
    a hazard changed since the last count counts in (a hazard confirmed months ago and closed or voided
    now changes its old week); ``full`` (the first run) recounts everything. Open hazards (by
    state and grade): recounted whole each time (overdue moves with the date, grades with the risks)."""

    on = on or today()
    stamp = utcnow()
    full = full or db.session.scalar(select(func.count()).select_from(HazardWeekStat)) == 0
    last = db.session.scalar(select(HazardNowStat.computed_at).limit(1))
    if not full and last is not None and (last + CHINA_UTC_OFFSET).date() == on:
        # Nothing changed since the last count the same day (overdue moves with the date): nothing to do.
        changed = db.session.scalar(select(func.max(Hazard.updated_at)))
        if changed is None or changed <= last:
            return {"weeks": 0, "enterprises": 0, "full": 0}
    since = None if full else on - timedelta(days=on.weekday() + 7)
    since_utc = local_day_start_utc(since) if since else None
    touched = keys = None
    if not full:
        # The old weeks a changed hazard counts in (a hazard confirmed months ago and closed or voided now
        # changes that week): recounted with the last two weeks, nothing else is rewritten.
        mark = last - _TOUCH_MARGIN if last is not None else since_utc
        changed = select(Hazard.enterprise_id, *(getattr(Hazard, a) for a in set(_EVENT_COLUMNS.values()))) \
            .where(Hazard.updated_at >= mark)
        keys = {(row[0], week_bucket((ts + CHINA_UTC_OFFSET).date()))
                for row in db.session.execute(changed) for ts in row[1:] if ts is not None}
        keys = {k for k in keys if k[1] < since}
        # Only the enterprises with such an old week are read beyond the last two weeks, from its start on.
        touched = sorted({e for e, _w in keys})
        oldest = local_day_start_utc(min(w for _e, w in keys)) if keys else since_utc
    far = datetime(9999, 1, 1)
    per: dict = {}
    everything = _event_conditions(datetime(1900, 1, 1), far)
    everything["confirmed_closed"] = confirmed_closed_condition(datetime(1900, 1, 1), far)
    for name, attr in _EVENT_COLUMNS.items():
        column = getattr(Hazard, attr)
        week = _WeekBucket(column)
        cols = [Hazard.enterprise_id, week.label("week"), func.count()]
        if name == "closed":
            cols.append(func.sum(_close_days()))
        stmt = select(*cols).where(everything[name])
        if touched is not None:
            stmt = stmt.where(or_(column >= since_utc, and_(Hazard.enterprise_id.in_(touched), column >= oldest)))
        for row in db.session.execute(stmt.group_by(Hazard.enterprise_id, week)).all():
            wk = row[1] if isinstance(row[1], date) else date.fromisoformat(str(row[1]))
            if keys is not None and wk < since and (row[0], wk) not in keys:
                continue  # an old week of a touched enterprise that no change counts in: kept as it is
            item = per.setdefault((row[0], wk), dict.fromkeys(WEEK_COUNTS, 0))
            item[name] = int(row[2])
            if name == "closed":
                item["close_days_total"] = float(row[3] or 0)
    if keys is None:
        db.session.execute(delete(HazardWeekStat))
    else:
        db.session.execute(delete(HazardWeekStat).where(HazardWeekStat.week_start >= since))
        old = sorted(keys)
        for i in range(0, len(old), 1000):
            db.session.execute(delete(HazardWeekStat).where(
                tuple_(HazardWeekStat.enterprise_id, HazardWeekStat.week_start).in_(old[i:i + 1000])))
    rows = [{"enterprise_id": e, "week_start": w, **v} for (e, w), v in per.items()]
    for i in range(0, len(rows), 5000):
        db.session.execute(insert(HazardWeekStat), rows[i:i + 5000])
    now_rows = _refresh_now(on, stamp)
    _refresh_region_rollups()
    if full and on_postgres():
        # After a rebuild the planner must know the new tables' sizes (autovacuum would, a minute later).
        for table in ("hazard_week_stats", "hazard_now_stats", "hazard_open_stats", "hazard_week_region_stats",
                      "hazard_now_region_stats", "hazard_open_region_stats"):
            db.session.execute(text(f"ANALYZE {table}"))
    return {"weeks": len(rows), "enterprises": now_rows, "full": int(full)}


def _refresh_now(on: date, stamp: datetime) -> int:
    """Every enterprise's open, overdue and major open hazards, and its open ones by state and grade."""

    now = _now_conditions(on)
    current = db.session.execute(select(Hazard.enterprise_id, func.count(), func.count().filter(now["overdue"]),
                                        func.count().filter(now["major_open"]))
                                 .where(now["open"]).group_by(Hazard.enterprise_id)).all()
    db.session.execute(delete(HazardNowStat))
    now_rows = [{"enterprise_id": e, "open": o, "overdue": d, "major_open": m, "computed_at": stamp}
                for e, o, d, m in current]
    # Enterprises without open hazards still get a row: its time says when they were counted.
    have = {r["enterprise_id"] for r in now_rows}
    now_rows += [{"enterprise_id": e, "open": 0, "overdue": 0, "major_open": 0, "computed_at": stamp}
                 for e in db.session.scalars(select(Enterprise.id)) if e not in have]
    for i in range(0, len(now_rows), 5000):
        db.session.execute(insert(HazardNowStat), now_rows[i:i + 5000])
    grade = Hazard.effective_grade  # the one definition (workflows.effective_grade)
    by_grade = db.session.execute(select(Hazard.enterprise_id, Hazard.state, grade, func.count())
                                  .where(now["open"]).group_by(Hazard.enterprise_id, Hazard.state, grade)).all()
    db.session.execute(delete(HazardOpenStat))
    open_rows = [{"enterprise_id": e, "state": HazardState(st).value, "grade": g or "", "n": n}
                 for e, st, g, n in by_grade]
    for i in range(0, len(open_rows), 5000):
        db.session.execute(insert(HazardOpenStat), open_rows[i:i + 5000])
    return len(now_rows)


def rows_for(scope: Scope, per_enterprise, per_region):
    """(model, condition) to sum a figure over ``scope``: the region rollup when it can answer, else the
    enterprise rows (the same counts either way; tests/dashboard/test_aggregates.py compares them)."""
    condition = scope.region_condition(per_region.region_id)
    if condition is not None:
        return per_region, condition
    return per_enterprise, scope.enterprise_condition(per_enterprise.enterprise_id)


def _refresh_region_rollups() -> None:
    """The enterprise rows summed per region of the enterprises, rebuilt whole (set-based: a few hundred
    thousand rows read once, in the scan)."""

    for src, dst, keys, names in (
            (m.HazardWeekStat, m.HazardWeekRegionStat, ("week_start",), WEEK_COUNTS),
            (m.HazardNowStat, m.HazardNowRegionStat, (), ("open", "overdue", "major_open")),
            (m.HazardOpenStat, m.HazardOpenRegionStat, ("state", "grade"), ("n",))):
        group = [Enterprise.region_id, *(getattr(src, k) for k in keys)]
        rows = (select(*group, *(func.sum(getattr(src, n)) for n in names))
                .join(Enterprise, Enterprise.id == src.enterprise_id).group_by(*group))
        db.session.execute(delete(dst))
        db.session.execute(insert(dst).from_select(["region_id", *keys, *names], rows))


def _listed_rows(scope: Scope, group_by: str | None):
    key = {"enterprise": Listing.enterprise_id, "industry": Enterprise.industry_id,
           "region": Enterprise.region_id}.get(group_by or "")
    stmt = select(*([key.label("key")] if key is not None else []), func.count().label("n")).select_from(Listing)
    if group_by in ("industry", "region"):
        stmt = stmt.join(Enterprise, Enterprise.id == Listing.enterprise_id)
    stmt = stmt.where(Listing.state == ListingState.listed, access.condition(Listing, scope.user),
                      scope.enterprise_condition(Listing.enterprise_id))
    if key is not None:
        stmt = stmt.group_by(key)
    return db.session.execute(stmt).all()


def _blank() -> dict:
    return dict.fromkeys((*HAZARD_PERIOD_COUNTS, "close_days_total"), 0)


def _add(into: dict, row: dict) -> None:
    for k, v in row.items():
        into[k] = into.get(k, 0) + (v or 0)


@dataclass
class Stats:
    totals: dict
    items: list[dict] = field(default_factory=list)
    group_by: str | None = None
    from_: date | None = None
    to: date | None = None
    as_of: datetime | None = None  # pre-aggregated: when the scan counted them (None: counted now)


def _finish(counts: dict) -> dict:
    counts = dict(counts)
    counts["close_days_total"] = round(float(counts.get("close_days_total") or 0), 2)
    out = period_values(counts)
    if out.get("avg_days_to_close") is not None:
        out["avg_days_to_close"] = round(out["avg_days_to_close"], 1)
    return out


def _child_of(scope_region: Region | None, path: str) -> int | None:
    """The id of the child of ``scope_region`` (None: a top region) whose subtree holds ``path``."""
    ids = [int(i) for i in path.strip("/").split("/") if i]
    if scope_region is None:
        return ids[0] if ids else None
    mine = [int(i) for i in scope_region.path.strip("/").split("/") if i]
    if len(ids) <= len(mine) or ids[:len(mine)] != mine:
        return scope_region.id if ids == mine else None
    return ids[len(mine)]


def _months(from_: date, to: date) -> list[tuple[date, date]]:
    out, start = [], from_
    while start <= to:
        nxt = (start.replace(day=1) + timedelta(days=32)).replace(day=1)
        out.append((start, min(to, nxt - timedelta(days=1))))
        start = nxt
    return out


def hazard_stats(scope: Scope, from_: date | None = None, to: date | None = None, group_by: str | None = None,
                 on: date | None = None, *, live: bool = False) -> Stats:
    """The hazard figures of ``scope`` over ``[from_, to]``, in total and per group (``live``: counted from
    the hazards even where the aggregates could answer; a test compares both)."""
    from_, to = check_period(from_, to)
    if group_by is not None and group_by not in GROUPS:
        raise Invalid(fields={"group_by": "分组方式只能是 region、industry、enterprise 或 month。"})
    on = on or today()
    start, end = local_day_start_utc(from_), local_day_start_utc(to + timedelta(days=1))
    if group_by == "month":
        items = []
        for a, b in _months(from_, to):
            month = hazard_stats(scope, a, b, None, on, live=live)
            items.append({"key": a.strftime("%Y-%m"), "name": a.strftime("%Y-%m"), **month.totals})
        total = hazard_stats(scope, from_, to, None, on, live=live)
        return Stats(totals=total.totals, items=items, group_by=group_by, from_=from_, to=to)
    as_of = None
    if not live and uses_aggregates(scope, from_, to, group_by, on):
        rows, as_of = _aggregated_rows(scope, from_, to, group_by), aggregates_as_of()
    else:
        rows = _hazard_rows(scope, start, end, on, group_by)
    listed = _listed_rows(scope, group_by)
    if group_by is None:
        counts = _blank()
        _add(counts, rows[0] if rows else {})
        counts["listed_now"] = int(listed[0][0]) if listed else 0
        return Stats(totals=_finish(counts), from_=from_, to=to, as_of=as_of)
    groups: dict = {}
    blank = _blank()
    for row in rows:
        data = dict(row)
        key = data.pop("key")
        if key in groups:
            _add(groups[key], data)
        else:
            groups[key] = blank | data
    for key, n in listed:
        _add(groups.setdefault(key, _blank()), {"listed_now": n})
    if group_by == "region":
        groups = _roll_up(scope, groups)
    names = _names(scope, group_by, list(groups))
    items = [{"key": k, "name": names.get(k, str(k)), **_finish(v)} for k, v in groups.items()]
    items.sort(key=lambda i: (-(i["overdue"] or 0), str(i["name"])))
    totals = _blank()
    for name in totals:
        totals[name] = sum(v.get(name) or 0 for v in groups.values())
    return Stats(totals=_finish(totals), items=items, group_by=group_by, from_=from_, to=to, as_of=as_of)


def _roll_up(scope: Scope, groups: dict) -> dict:
    paths = dict(db.session.execute(select(Region.id, Region.path).where(Region.id.in_(list(groups)))).all())
    out: dict = {}
    for region_id, counts in groups.items():
        child = _child_of(scope.region, paths.get(region_id, ""))
        if child is not None:
            _add(out.setdefault(child, _blank()), counts)
    return out


def _names(scope: Scope, group_by: str, keys: list) -> dict:
    if not keys:
        return {}
    if group_by == "enterprise":  # the scope's enterprises (thousands: no literal list of ids)
        return dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                       .where(scope.enterprise_condition(Enterprise.id))).all())
    model = {"region": Region, "industry": Industry}[group_by]
    return dict(db.session.execute(select(model.id, model.name).where(model.id.in_(keys))).all())


def children(scope: Scope) -> list[Region]:
    """The regions one level below the scope's (the drill-down's next step)."""
    if scope.enterprise is not None:
        return []
    parent = scope.region.id if scope.region is not None else None
    return list(db.session.scalars(select(Region).where(Region.parent_id == parent).order_by(Region.code)))


# --- risk points and enterprises ------------------------------------------------------------------

def risk_points_by_grade(scope: Scope, assessed: bool = True) -> dict[str, dict[str, int]]:
    """Active risk points per grade: ``{"current": {...}, "assessed": {...}}`` (+ "none": not graded).
    The current grades are summed from the risk summaries (one row per enterprise, kept in step with the
    points by app.risks.summary); the assessed ones counted from the points (only when asked)."""

    sums = db.session.execute(select(*[func.coalesce(func.sum(getattr(RiskSummary, g)), 0) for g in GRADES],
                                     func.coalesce(func.sum(RiskSummary.unassessed), 0))
                              .where(scope.enterprise_condition(RiskSummary.enterprise_id))).one()
    out = {"current": dict(zip((*GRADES, "none"), (int(v) for v in sums), strict=True))}
    for name, column in ((("assessed", RiskPoint.assessed_grade),) if assessed else ()):
        rows = db.session.execute(select(column, func.count()).where(
            RiskPoint.status == RiskPointStatus.active, scope.enterprise_condition(RiskPoint.enterprise_id))
            .group_by(column)).all()
        counts = dict.fromkeys((*GRADES, "none"), 0)
        for grade, n in rows:
            counts[grade.value if grade is not None else "none"] += n
        out[name] = counts
    return out


def risk_events_by_grade(scope: Scope) -> dict[str, dict[str, int]]:
    """Risk events (风险事件) per grade: ``{"initial": {...}, "current": {...}}`` (+ "none": not graded)."""

    out = {}
    for name, column in (("initial", RiskEvent.initial_grade), ("current", RiskEvent.current_grade)):
        counts = dict.fromkeys((*GRADES, "none"), 0)
        for grade, n in db.session.execute(select(column, func.count()).where(
                scope.enterprise_condition(RiskEvent.enterprise_id)).group_by(column)).all():
            counts[grade.value if grade is not None else "none"] += n
        out[name] = counts
    return out


def enterprise_classes(scope: Scope) -> dict[str, int]:
    """Enterprises by risk class: the highest current grade of their active points; "none" without."""

    klass = case(*[(getattr(RiskSummary, g) > 0, g) for g in GRADES], else_="none")
    rows = db.session.execute(select(klass, func.count()).select_from(Enterprise)
                              .outerjoin(RiskSummary, RiskSummary.enterprise_id == Enterprise.id)
                              .where(scope.enterprise_condition(Enterprise.id)).group_by(klass)).all()
    counts = dict.fromkeys((*GRADES, "none"), 0)
    for k, n in rows:
        counts[k or "none"] += n
    return counts


def worst_overdue(scope: Scope, limit: int = 10, on: date | None = None):
    """The open hazards longest past their deadline (major first on a tie). One query per open state, each
    read in deadline order from the (state, deadline) index, merged here: no sort of every overdue row."""

    on = on or today()
    found = []
    for state in sorted(OPEN_STATES):
        found += db.session.scalars(
            select(Hazard).where(Hazard.state == state, Hazard.deadline < on,
                                 scope.enterprise_condition(Hazard.enterprise_id))
            .options(selectinload(Hazard.enterprise)).order_by(Hazard.deadline, Hazard.id).limit(limit)).all()
    found.sort(key=lambda h: (h.deadline, h.level != HazardLevel.major, h.id))
    return found[:limit]
