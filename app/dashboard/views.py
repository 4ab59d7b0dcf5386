"""Pages: the 工作台 by role (the home page), the regional drill-down, rankings, the weekly score, and
their Excel exports. Every number comes from ``app.dashboard.stats`` / ``scores`` (one definition) and is
shown with its definition (workflows.figures)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user, login_required
from sqlalchemy import DateTime, Float, cast, func, literal, nulls_last, select

from app import access, labels, ui
from app.auth.models import Role
from app.clock import today
from app.dashboard import checks, excel, scores, stats, vetoes
from app.dashboard.api import scores_of, week_arg
from app.dashboard.models import (
    HazardNowStat,
    HazardWeekStat,
    PeriodicReport,
    ReportState,
    ScoreRegionStat,
    WeeklyScoreRecord,
)
from app.dashboard.reports import due_date, previous_period
from app.errors import Invalid
from app.extensions import db
from app.frontend import charts
from app.hazards.models import Hazard
from app.organisations.models import Enterprise, Industry, Region
from workflows.figures import PERIOD_FIGURES, display
from workflows.grades import Grade
from workflows.hazard_states import HazardState
from workflows.isoweek import week_of

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

CARDS = ("reported", "closed", "open", "overdue", "major_open", "listed_now", "on_time_rate", "avg_days_to_close")
TABLE_COLUMNS = ("reported", "confirmed", "closed", "closed_on_time", "voided", "open", "overdue", "major_open",
                 "listed_now", "on_time_rate", "avg_days_to_close")
PAGE_ROWS = 100  # rows of a statistics table on the page (worst first); the Excel export has all
CHECK_CARDS = ("checks_planned", "checks_done", "checks_late", "checks_missed", "completion_rate", "duties_done")


def fig(identifier: str):
    return PERIOD_FIGURES[identifier]


def fig_name(identifier: str) -> str:
    """A figure's name in the user's language (the Chinese catalog holds ``Figure.name``)."""
    return _(fig(identifier).name_en)


def fig_definition(identifier: str) -> str:
    return _(fig(identifier).definition_en)


fmt = display  # a figure's value as shown (workflows.figures.display)


def _int_arg(name: str) -> int | None:
    try:
        value = int(request.args.get(name) or 0)
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _check_values(scope: stats.Scope, from_: date, to: date) -> dict:
    """The check figures of a page. An enterprise: counted now for the period. A region: summed from the
    scores the scan froze for the week just ended (``checks_week``), when it has scored it: counting the
    windows of thousands of enterprises live costs more than the page may."""
    if scope.enterprise is None:
        from app.dashboard.models import ScoreRegionStat

        week = scores.latest_week()
        cols = ("planned", "expected", "done", "late", "duties_planned", "duties_done")
        model, where = _score_rows(scope)
        scored = func.sum(ScoreRegionStat.scored) if model is ScoreRegionStat else func.count()
        sums = db.session.execute(select(*[func.sum(getattr(model, c)) for c in cols], scored)
                                  .where(model.week == str(week), where)).one()
        if sums[-1]:
            v = dict(zip(cols, (int(x or 0) for x in sums[:-1]), strict=True))
            return {"checks_planned": v["planned"], "checks_done": v["done"], "checks_late": v["late"],
                    "checks_missed": v["expected"] - v["done"] - v["late"], "checks_expected": v["expected"],
                    "checks_due": None, "completion_rate": v["done"] / v["expected"] if v["expected"] else None,
                    "duties_planned": v["duties_planned"], "duties_done": v["duties_done"], "checks_week": str(week)}
    kwargs = {"enterprise_id": scope.enterprise.id if scope.enterprise else None,
              "region_id": scope.region.id if scope.region and not scope.enterprise else None,
              "from_": from_, "to": to}
    figures, duties = checks.total_and_duties(current_user, **kwargs)
    return {"checks_planned": figures.planned, "checks_done": figures.done, "checks_late": figures.late,
            "checks_missed": figures.missed, "checks_expected": figures.expected,
            "checks_due": figures.due, "completion_rate": figures.completion_rate,
            "duties_planned": duties.expected, "duties_done": duties.done, "checks_week": None}


def _score_rows(scope: stats.Scope):
    """(model, condition) of the frozen scores over a scope: the region sums when they can answer."""

    condition = scope.region_condition(ScoreRegionStat.region_id)
    if condition is not None:
        return ScoreRegionStat, condition
    return WeeklyScoreRecord, scope.enterprise_condition(WeeklyScoreRecord.enterprise_id)


def register_link(scope: stats.Scope, **filters) -> str:
    """The hazard register filtered to what a number counts."""
    if scope.enterprise is not None:
        filters["enterprise"] = scope.enterprise.id
    elif scope.region is not None:
        filters["region"] = scope.region.id
    return url_for("hazards.index", **{k: v for k, v in filters.items() if v is not None})


def _weekly_trend(scope: stats.Scope, weeks: int = 12) -> dict:
    """Hazards reported and closed per ISO week over the last ``weeks`` weeks, and the average stored score."""

    first = _week_start(today()) - timedelta(weeks=weeks - 1)
    start = stats.local_day_start_utc(first)
    labels_ = [str(week_of(first + timedelta(weeks=i))) for i in range(weeks)]
    series = {}
    if scope.enterprise is None and stats.aggregates_as_of() is not None:  # a region: the scan's weekly rows
        from app.dashboard.models import HazardWeekRegionStat, HazardWeekStat

        got: dict = {}
        model, where = stats.rows_for(scope, HazardWeekStat, HazardWeekRegionStat)
        for w, r, c in db.session.execute(
                select(model.week_start, func.sum(model.reported), func.sum(model.closed))
                .where(model.week_start >= first, where).group_by(model.week_start)).all():
            w = w if isinstance(w, date) else date.fromisoformat(str(w))
            monday = _week_start(w)  # a week split at the new year has two buckets: summed back
            old = got.get(monday, (0, 0))
            got[monday] = (old[0] + int(r or 0), old[1] + int(c or 0))
        mondays = [first + timedelta(weeks=i) for i in range(weeks)]
        series = {"reported": [got.get(m, (0, 0))[0] for m in mondays],
                  "closed": [got.get(m, (0, 0))[1] for m in mondays]}
    for name, column, extra in ([] if series else (("reported", Hazard.created_at, None),
                                ("closed", Hazard.closed_at, Hazard.state == HazardState.closed))):
        bucket = func.floor(stats._DaysBetween(literal(start, DateTime()), column) / 7)
        stmt = select(bucket, func.count()).where(scope.enterprise_condition(Hazard.enterprise_id), column >= start)
        if extra is not None:
            stmt = stmt.where(extra)
        counts = dict.fromkeys(range(weeks), 0)
        for b, n in db.session.execute(stmt.group_by(bucket)).all():
            if b is not None and 0 <= int(b) < weeks:
                counts[int(b)] = n
        series[name] = [counts[i] for i in range(weeks)]

    model, where = _score_rows(scope)
    mean = (func.sum(ScoreRegionStat.score_total) / func.nullif(func.sum(ScoreRegionStat.scored), 0)
            if model is ScoreRegionStat else func.avg(WeeklyScoreRecord.score))
    avg = {w: v for w, v in db.session.execute(select(model.week, mean).where(model.week.in_(labels_), where)
                                                .group_by(model.week)).all() if v is not None}
    return {"weeks": labels_, "reported": series["reported"], "closed": series["closed"],
            "score": [round(float(avg[w]), 1) if w in avg else None for w in labels_]}


# --- the home page: what waits for me, this week's figures, the trend, the risk colours ------------

def _waiting(scope: stats.Scope, check_values: dict, overdue: int) -> list[dict]:
    """What waits for the user, with a count and the list it counts (the per-user to-do list is /todos)."""

    user = current_user
    items = []

    def count_hazards(*conds):
        return db.session.scalar(select(func.count()).select_from(Hazard).where(
            scope.enterprise_condition(Hazard.enterprise_id), *conds)) or 0

    # What waits for this user by name (to confirm, review, approve, decide...): the to-do list's own
    # sources (app/todos.py), so the count here is the count of /todos.
    from app import todos

    for source, n in todos.counts(user):
        items.append({"label": source.label, "n": n if n <= todos.CAP else f"{todos.CAP}+",
                      "link": url_for("handoffs.todos") + f"#{source.kind}"})
    items.append({"label": _("Overdue hazards"), "n": overdue, "link": register_link(scope, overdue=1)})
    if checks.available() and check_values.get("checks_due") is not None:
        items.append({"label": _("Checks due"), "n": check_values["checks_due"], "link": "/todos"})
        items.append({"label": _("Checks missed this week"), "n": check_values["checks_missed"], "link": "/todos"})
    if user.role.is_enterprise:  # to review / sign / submit: the to-do sources above (app/dashboard/todos.py)
        reports = db.session.scalars(access.visible(PeriodicReport, user).where(
            PeriodicReport.state != ReportState.submitted)).all()
        due = report_due(today())
        if due is not None and user.role != Role.enterprise_staff:
            period, due_on = due
            done = any(r.period == period for r in reports) or db.session.scalar(
                select(func.count()).select_from(PeriodicReport).where(
                    PeriodicReport.enterprise_id == user.enterprise_id, PeriodicReport.period == period,
                    PeriodicReport.state == ReportState.submitted))
            if not done:
                items.append({"label": _("Periodic report %(period)s due by %(date)s", period=period, date=due_on),
                              "n": 1, "link": url_for("dashboard.reports")})
    return items


def report_due(on: date) -> tuple[str, date] | None:
    """The statutory report whose submission window is open on ``on`` (the period just ended)."""

    period = previous_period(on)
    return period, due_date(period)


def home():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login"))
    scope = stats.resolve_scope(current_user)
    monday = _week_start(today())
    week_stats = stats.hazard_stats(scope, monday, today())
    check_values = _check_values(scope, monday, today())
    grades = stats.risk_points_by_grade(scope, assessed=False)
    trend = _weekly_trend(scope)
    score = None
    if scope.enterprise is not None:
        score = db.session.scalar(select(WeeklyScoreRecord).where(
            WeeklyScoreRecord.enterprise_id == scope.enterprise.id).order_by(WeeklyScoreRecord.week.desc()).limit(1))
    trend_chart = charts.spec("line", _("Last 12 weeks"), trend["weeks"], [
        {"name": fig_name("reported"), "data": trend["reported"]},
        {"name": fig_name("closed"), "data": trend["closed"]}], unit=_("hazards"))
    scored = [(w, v) for w, v in zip(trend["weeks"], trend["score"], strict=True) if v is not None]
    # Only the weeks scored (a missing week is not a score of 0); for a region, the average of its enterprises.
    score_chart = charts.spec("line", _("Weekly score, last 12 weeks"), [w for w, _v in scored],
                              [{"name": fig_name("weekly_score"), "data": [v for _w, v in scored]}]) if scored else None
    grade_chart = charts.grade_distribution(grades["current"], pgettext("dashboard", "Risk points by current grade"), _("Risk points"),
                                            unit=_("points"))
    return render_template(
        "dashboard/home.html", scope=scope, waiting=_waiting(scope, check_values, week_stats.totals["overdue"]), week=week_stats, monday=monday,
        cards=CARDS, check_cards=CHECK_CARDS, check_values=check_values, checks_available=checks.available(),
        trend_chart=trend_chart, score_chart=score_chart, grade_chart=grade_chart, grades=grades,
        worst=stats.worst_overdue(scope, 10), score=score,
        improvements=scores.explain_record(score) if score is not None else [],
        register_link=register_link)


# --- regional drill-down ----------------------------------------------------------------------------

def _scope_from_args() -> stats.Scope:
    return stats.resolve_scope(current_user, region_id=_int_arg("region_id"), enterprise_id=_int_arg("enterprise_id"),
                               industry_id=_int_arg("industry_id"), risk_class=request.args.get("risk_class"))


def _period_from_args() -> tuple[date, date]:
    """The period of a regional page: this week (Monday to today) unless chosen; whole weeks read the
    scan's aggregates."""
    return stats.check_period(_date_arg("from") or _week_start(today()), _date_arg("to"))


def stats_rows(result: stats.Stats) -> list[list]:
    return [[i["name"], *[i.get(c) if not c.endswith("_rate") else fmt(c, i.get(c)) for c in TABLE_COLUMNS]]
            for i in result.items]


@bp.route("/region")
@login_required
def region():
    access.require(current_user, "dashboard.region")
    scope = _scope_from_args()
    try:
        from_, to = _period_from_args()
    except Invalid as exc:
        from flask import flash

        flash("；".join(m for ms in exc.fields.values() for m in (ms if isinstance(ms, list) else [ms])), "error")
        from_, to = stats.check_period(None, None)
    kids = stats.children(scope)
    group_by = "region" if kids else "enterprise"
    result = stats.hazard_stats(scope, from_, to, group_by)
    if request.args.get("format") == "xlsx":
        return excel.send("隐患统计", "hazard-statistics.xlsx", ["名称", *[fig(c).name for c in TABLE_COLUMNS]],
                          [*stats_rows(result), ["合计", *[fmt(c, result.totals.get(c)) if c.endswith("_rate")
                                                             else result.totals.get(c) for c in TABLE_COLUMNS]]],
                          notes=[f"统计期间：{from_} 至 {to}（北京时间）"] +
                          [f"{fig(c).name}：{fig(c).definition}" for c in TABLE_COLUMNS])
    classes = stats.enterprise_classes(scope)
    grades = stats.risk_points_by_grade(scope)
    args = {k: v for k, v in request.args.items() if v and k not in ("format", "region_id")}
    shown = result.items[:PAGE_ROWS]  # worst first; the export has every row
    # Hundreds of links: each endpoint's URL built once, then filled per row (url_for per link was a
    # fifth of a district's page).
    if group_by == "region":
        row_link = _filled(url_for("dashboard.region", region_id=_SLOT, **args))
    else:
        row_link = _filled(url_for("dashboard.enterprise", enterprise_id=_SLOT,
                                   **{k: v for k, v in args.items() if k in ("from", "to")}))
    links = [row_link(item["key"]) for item in shown]
    key = "region" if group_by == "region" else "enterprise"
    cells = {"overdue": {"overdue": 1}, "open": {}, "major_open": {"level": "major"}, "closed": {"state": "closed"},
             "reported": {"date_from": from_, "date_to": to}}
    cells = {name: _filled(url_for("hazards.index", **{key: _SLOT}, **q)) for name, q in cells.items()}
    cell_links = [{name: fill(item["key"]) for name, fill in cells.items()} for item in shown]
    overdue_chart = charts.spec("hbar", _("Overdue hazards, worst first"), [i["name"] for i in result.items[:15]],
                                [{"name": fig_name("overdue"), "data": [i["overdue"] for i in result.items[:15]]}],
                                links=links[:15], colors=["#e60012"])
    class_chart = charts.grade_distribution(classes, pgettext("dashboard", "Enterprises by risk class"), _("Enterprises"),
                                            unit=_("enterprises"), endpoint="dashboard.region", arg="risk_class",
                                            **({"region_id": scope.region.id} if scope.region else {}))
    industries = db.session.scalars(select(Industry).order_by(Industry.name)).all()
    breadcrumbs = _breadcrumbs(scope)
    return render_template("dashboard/region.html", scope=scope, result=result, shown=shown, group_by=group_by,
                           links=links, cell_links=cell_links,
                           columns=TABLE_COLUMNS, from_=from_, to=to, overdue_chart=overdue_chart,
                           class_chart=class_chart, classes=classes, grades=grades, industries=industries,
                           breadcrumbs=breadcrumbs, args=args, register_link=register_link,
                           checks_available=checks.available(), check_values=_check_values(scope, from_, to),
                           check_cards=CHECK_CARDS, grade_names={g.value: labels.label(g) for g in Grade})


_SLOT = 987654321  # a placeholder id, replaced by each row's


def _filled(url: str):
    """``url`` with the placeholder id replaced by a row's (ids are digits: nothing to escape)."""
    head, tail = url.split(str(_SLOT), 1)
    return lambda key: f"{head}{key}{tail}"


def _breadcrumbs(scope: stats.Scope) -> list:
    if scope.region is None:
        return []
    ids = [int(i) for i in scope.region.path.strip("/").split("/") if i]
    mine = access.authority_region_path(current_user)
    regions = {r.id: r for r in db.session.scalars(select(Region).where(Region.id.in_(ids)))}
    return [regions[i] for i in ids if i in regions and (mine is None or regions[i].path.startswith(mine))]


@bp.route("/enterprise/<int:enterprise_id>")
@login_required
def enterprise(enterprise_id: int):
    scope = stats.resolve_scope(current_user, enterprise_id=enterprise_id)
    from_, to = stats.check_period(_date_arg("from"), _date_arg("to"))
    result = stats.hazard_stats(scope, from_, to, "month")
    if request.args.get("format") == "xlsx":
        return excel.send("隐患统计", "enterprise-statistics.xlsx", ["月份", *[fig(c).name for c in TABLE_COLUMNS]],
                          stats_rows(result), notes=[f"{fig(c).name}：{fig(c).definition}" for c in TABLE_COLUMNS])
    grades = stats.risk_points_by_grade(scope)
    events = stats.risk_events_by_grade(scope)
    recent = db.session.scalars(select(WeeklyScoreRecord).where(WeeklyScoreRecord.enterprise_id == enterprise_id)
                                .order_by(WeeklyScoreRecord.week.desc()).limit(12)).all()
    return render_template("dashboard/enterprise.html", scope=scope, result=result, columns=TABLE_COLUMNS, events=events,
                           from_=from_, to=to, grades=grades, recent=recent, register_link=register_link,
                           check_values=_check_values(scope, from_, to), check_cards=CHECK_CARDS,
                           checks_available=checks.available(),
                           grade_chart=charts.grade_distribution(grades["current"], pgettext("dashboard", "Risk points by current grade"),
                                                                 _("Risk points"), unit=_("points")))


# --- rankings ----------------------------------------------------------------------------------------

RANK_KEYS = ("overdue", "completion_rate", "score")


def ranking_rows(scope: stats.Scope, level: str, week, from_: date, to: date) -> list[dict]:
    """Enterprises (or the regions one level down) with overdue hazards, completion rate and weekly score."""
    group_by = "enterprise" if level == "enterprise" else "region"
    result = stats.hazard_stats(scope, from_, to, group_by)
    rows = {i["key"]: {"key": i["key"], "name": i["name"], "overdue": i["overdue"], "open": i["open"],
                       "on_time_rate": i["on_time_rate"], "completion_rate": None, "score": None}
            for i in result.items}
    score_items = scores_of(current_user, week, region_id=scope.region.id if scope.region else None,
                            enterprise_id=scope.enterprise.id if scope.enterprise else None)
    if level == "enterprise":
        for s in score_items:
            row = rows.setdefault(s["enterprise_id"], {"key": s["enterprise_id"], "name": s["name"],
                                                       "overdue": 0, "open": 0, "on_time_rate": None,
                                                       "completion_rate": None, "score": None})
            row["score"] = s["score"]
            row["completion_rate"] = s["done"] / s["planned"] if s["planned"] else None
    else:
        from app.organisations.models import Region

        regions = {r.id: r for r in stats.children(scope)}
        paths = dict(db.session.execute(select(Enterprise.id, Region.path).join(Region, Region.id == Enterprise.region_id)
                                        .where(scope.enterprise_condition(Enterprise.id))).all())
        sums: dict = {}
        for s in score_items:
            child = stats._child_of(scope.region, paths.get(s["enterprise_id"], ""))
            if child in regions:
                acc = sums.setdefault(child, [0.0, 0, 0, 0])
                acc[0] += s["score"]
                acc[1] += 1
                acc[2] += s["done"]
                acc[3] += s["planned"]
        for rid, region_ in regions.items():
            row = rows.setdefault(rid, {"key": rid, "name": region_.name, "overdue": 0, "open": 0, "on_time_rate": None,
                                        "completion_rate": None, "score": None})
            if rid in sums:
                total, n, done, planned = sums[rid]
                row["score"] = round(total / n, 2)
                row["completion_rate"] = done / planned if planned else None
    return list(rows.values())


def ranking_sql(scope: stats.Scope, week, from_: date, to: date, by: str, limit: int | None) -> tuple[list, int]:
    """The enterprise ranking in one query over the aggregates and the stored scores, worst first: no
    row per enterprise through Python (a city has 10 000). Returns (rows, total)."""

    week_sums = (select(HazardWeekStat.enterprise_id.label("eid"), func.sum(HazardWeekStat.closed).label("closed"),
                        func.sum(HazardWeekStat.closed_on_time).label("on_time"))
                 .where(HazardWeekStat.week_start >= from_, HazardWeekStat.week_start <= to)
                 .group_by(HazardWeekStat.enterprise_id).subquery())
    overdue = func.coalesce(HazardNowStat.overdue, 0)
    closed = func.coalesce(week_sums.c.closed, 0)
    on_time_rate = cast(week_sums.c.on_time, Float) / func.nullif(closed + overdue, 0)
    completion = cast(WeeklyScoreRecord.done, Float) / func.nullif(WeeklyScoreRecord.expected, 0)
    order = {"overdue": (overdue.desc(),), "completion_rate": (nulls_last(completion.asc()),),
             "score": (nulls_last(WeeklyScoreRecord.score.asc()),)}[by]
    stmt = (select(Enterprise.id, Enterprise.name, overdue, func.coalesce(HazardNowStat.open, 0), on_time_rate,
                   completion, WeeklyScoreRecord.score, func.count().over())
            .select_from(Enterprise)
            .outerjoin(HazardNowStat, HazardNowStat.enterprise_id == Enterprise.id)
            .outerjoin(week_sums, week_sums.c.eid == Enterprise.id)
            .outerjoin(WeeklyScoreRecord, (WeeklyScoreRecord.enterprise_id == Enterprise.id)
                       & (WeeklyScoreRecord.week == str(week)))
            .where(scope.enterprise_condition(Enterprise.id))
            .order_by(*order, Enterprise.name, Enterprise.id))
    if limit:
        stmt = stmt.limit(limit)
    rows, total = [], 0
    for eid, name, od, op, rate, comp, score, n in db.session.execute(stmt):
        total = n
        rows.append({"key": eid, "name": name, "overdue": od, "open": op, "on_time_rate": rate,
                     "completion_rate": comp, "score": score})
    return rows, total


def sort_worst_first(rows: list[dict], by: str) -> list[dict]:
    if by == "overdue":
        return sorted(rows, key=lambda r: (-(r["overdue"] or 0), str(r["name"])))
    # Rates and scores: lowest first; no value (nothing expected) last.
    return sorted(rows, key=lambda r: (r[by] is None, r[by] if r[by] is not None else 0, str(r["name"])))


@bp.route("/ranking")
@login_required
def ranking():
    access.require(current_user, "dashboard.region")
    scope = _scope_from_args()
    level = request.args.get("level") if request.args.get("level") in ("enterprise", "region") else "enterprise"
    by = request.args.get("by") if request.args.get("by") in RANK_KEYS else "overdue"
    week = week_arg(request.args.get("week") or None)
    from_, to = _period_from_args()
    exporting = request.args.get("format") == "xlsx"
    as_of = None
    if level == "enterprise" and stats.uses_aggregates(scope, from_, to, "enterprise", today()):
        rows, total = ranking_sql(scope, week, from_, to, by, None if exporting else 200)
        as_of = stats.aggregates_as_of()
    else:
        rows = sort_worst_first(ranking_rows(scope, level, week, from_, to), by)
        total = len(rows)
    if exporting:
        return excel.send("排名", "ranking.xlsx", ["名次", "名称", fig("overdue").name, fig("open").name,
                                                  fig("on_time_rate").name, fig("completion_rate").name,
                                                  f"{fig('weekly_score').name}（{week}）"],
                          ([n, r["name"], r["overdue"], r["open"], fmt("on_time_rate", r["on_time_rate"]),
                            fmt("completion_rate", r["completion_rate"]), r["score"]]
                           for n, r in enumerate(rows, 1)),
                          notes=[f"{fig(c).name}：{fig(c).definition}" for c in
                                 ("overdue", "on_time_rate", "completion_rate", "weekly_score")])
    args = {k: v for k, v in request.args.items() if v and k != "format"}
    return render_template("dashboard/ranking.html", scope=scope, rows=rows[:200], total=total, level=level, as_of=as_of,
                           by=by, week=week, args=args, from_=from_, to=to, register_link=register_link,
                           industries=db.session.scalars(select(Industry).order_by(Industry.name)).all())


# --- weekly score ---------------------------------------------------------------------------------------

@bp.route("/scores")
@login_required
def scores_page():
    week = week_arg(request.args.get("week") or None)
    scope = _scope_from_args()
    if scope.enterprise is not None:
        return _enterprise_score(scope, week)
    items = scores_of(current_user, week, region_id=scope.region.id if scope.region else None)
    names = {i["enterprise_id"]: i["name"] for i in items}
    if request.args.get("format") == "xlsx":
        return excel.send("周得分排名", f"scores-{week}.xlsx",
                          ["名次", "企业", "周", "应排查", "按时排查", "应整改隐患", "按期验收", "A", "B", "α", "得分",
                           "运行等级", "规则集", "已冻结"],
                          ([n, names.get(i["enterprise_id"]), i["week"], i["planned"], i["done"], i["due_hazards"],
                            i["accepted_hazards"], i["a"], i["b"], i["alpha"], i["score"], i["run_level"],
                            i["rule_set"], "是" if i["frozen"] else "否"] for n, i in enumerate(items, 1)),
                          notes=[f"{fig('weekly_score').name}：{fig('weekly_score').definition}"])
    bands: dict = {}
    for i in items:
        bands[i["run_level"]] = bands.get(i["run_level"], 0) + 1
    return render_template("dashboard/scores.html", scope=scope, week=week, items=items[:200], total=len(items),
                           names=names, bands=bands, checks_available=checks.available(),
                           as_of=db.session.scalar(select(func.max(WeeklyScoreRecord.computed_at)).where(
                               WeeklyScoreRecord.week == str(week))))


def _enterprise_score(scope: stats.Scope, week, typed: dict | None = None, status: int = 200):
    """One enterprise's score of ``week``: the figure, how to improve it, and each veto item of its rule set
    with how it is decided and, when it applies, its basis; an authority enters the ones the system cannot
    decide (``typed``: what he typed, kept after a refusal)."""

    history = db.session.scalars(access.visible(WeeklyScoreRecord, current_user).where(
        WeeklyScoreRecord.enterprise_id == scope.enterprise.id).order_by(WeeklyScoreRecord.week.desc())
        .limit(12)).all()
    current = scores_of(current_user, week, enterprise_id=scope.enterprise.id)
    record = next((h for h in history if h.week == str(week)), None)
    if record is None:
        record = db.session.scalar(access.visible(WeeklyScoreRecord, current_user).where(
            WeeklyScoreRecord.enterprise_id == scope.enterprise.id, WeeklyScoreRecord.week == str(week)))
    if record is not None:
        improvements, basis = scores.explain_record(record), dict(record.veto_basis or {})
        for code in record.vetoes or ():  # frozen before bases were kept: the code alone
            basis.setdefault(code, _("Applied when the week was frozen."))
    else:
        from workflows.weekly_score import explain

        result, facts, rs = scores.compute_week(week, [scope.enterprise.id])[scope.enterprise.id]
        improvements, basis = explain(result, facts, rs), dict(facts.veto_basis)
    rule_set = vetoes.rule_set_of(scope.enterprise, week)
    if record is not None:
        from workflows.weekly_score import REGISTRY

        rule_set = REGISTRY.by_label(record.rule_set)
    veto_rows = [{"code": c, "text": t, "automatic": c in vetoes.AUTOMATIC, "basis": basis.get(c)}
                 for c, t in rule_set.vetoes.items()]
    chart = charts.spec("line", _("Weekly score, last 12 weeks"), [h.week for h in reversed(history)],
                        [{"name": fig_name("weekly_score"), "data": [h.score for h in reversed(history)]}]) \
        if history else None
    can_enter = access.can(current_user, "score.veto")
    return render_template("dashboard/score_enterprise.html", scope=scope, week=week, history=history,
                           current=current[0] if current else None, improvements=improvements,
                           history_chart=chart, checks_available=checks.available(), veto_rows=veto_rows,
                           can_enter=can_enter, enterable=[r for r in veto_rows if not r["automatic"]],
                           typed=typed or {}), status


@bp.route("/scores/vetoes", methods=["POST"])
@login_required
def enter_veto():
    """An authority enters a veto item for an enterprise and week, with the reason."""

    typed = {k: request.form.get(k, "") for k in ("week", "code", "reason")}
    enterprise_id = _int_arg_form("enterprise_id")
    done = ui.attempt(lambda: vetoes.enter(current_user, enterprise_id or 0, week=typed["week"], code=typed["code"],
                                           reason=typed["reason"]))
    if done.ok:
        from flask import flash

        flash(_("The veto item was recorded with its reason; the week's score is 0."), "success")
        return redirect(url_for("dashboard.scores_page", enterprise_id=enterprise_id, week=typed["week"]))
    scope = stats.resolve_scope(current_user, enterprise_id=enterprise_id)
    try:
        week = week_arg(typed["week"] or None)
    except Invalid:
        week = scores.latest_week()
    return _enterprise_score(scope, week, typed, done.status)


def _int_arg_form(name: str) -> int | None:
    try:
        value = int(request.form.get(name) or 0)
    except ValueError:
        return None
    return value if 0 < value < 2**31 else None


from app.dashboard import reports_views  # noqa: E402,F401  (the periodic reports' pages on this blueprint)
