"""/api/v1/stats/hazards and /api/v1/scores: the same figures as the pages and exports (issue 14)."""

from __future__ import annotations

from flask_login import current_user
from marshmallow import Schema, fields, validate, validates_schema
from sqlalchemy import select

from app import access, storage
from app import api as api_base
from app.dashboard import reports, stats
from app.dashboard import scores as scores_mod
from app.dashboard import vetoes as vetoes_mod
from app.dashboard.models import PeriodicReport, WeeklyScoreRecord
from app.errors import Invalid
from app.extensions import db
from app.idempotency import idempotent
from app.organisations.models import Enterprise
from app.paging import page_of_list, paginate
from workflows.isoweek import parse_week
from workflows.rulesets import RuleSetError

blp = api_base.api_blueprint("stats_api", __name__, "/stats", "Figures (统计指标), defined in docs/figures.md")
scores_blp = api_base.api_blueprint("scores_api", __name__, "/scores", "Weekly effectiveness scores (周运行效果得分)")

ITEM_FIELDS = ("reported", "confirmed", "closed", "closed_on_time", "voided", "open", "overdue", "major_open",
               "listed", "on_time_rate", "avg_days_to_close")


class HazardStatsArgs(Schema):
    region_id = fields.Integer(validate=validate.Range(min=1))
    enterprise_id = fields.Integer(validate=validate.Range(min=1))
    industry_id = fields.Integer(validate=validate.Range(min=1))
    from_ = fields.Date(data_key="from")
    to = fields.Date()
    group_by = fields.String(validate=validate.OneOf(stats.GROUPS))

    @validates_schema
    def _one_scope(self, data, **_kw):
        if data.get("region_id") and data.get("enterprise_id"):
            raise Invalid(fields={"enterprise_id": "region_id 与 enterprise_id 只能给一个。"})
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise Invalid(fields={"to": "结束日期不能早于开始日期。"})


class StatsCounts(Schema):
    reported = fields.Integer()
    confirmed = fields.Integer()
    closed = fields.Integer()
    closed_on_time = fields.Integer()
    voided = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    major_open = fields.Integer()
    listed = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    avg_days_to_close = fields.Float(allow_none=True)


class StatsItem(StatsCounts):
    key = fields.Raw()
    name = fields.String(allow_none=True)


class StatsResponse(Schema):
    from_ = fields.String(data_key="from")
    to = fields.String()
    group_by = fields.String(allow_none=True)
    totals = fields.Nested(StatsCounts)
    items = fields.List(fields.Nested(StatsItem))


class ScoreItem(Schema):
    enterprise_id = fields.Integer()
    name = fields.String(allow_none=True)
    week = fields.String()
    planned = fields.Integer()
    done = fields.Integer()
    due_hazards = fields.Integer()
    accepted_hazards = fields.Integer()
    a = fields.Float()
    b = fields.Float()
    alpha = fields.Integer()
    score = fields.Float()
    run_level = fields.String()
    rule_set = fields.String()
    frozen = fields.Boolean()


def api_counts(values: dict) -> dict:
    """A stats row as the API names it (``listed`` is the figure ``listed_now``)."""
    out = {k: values.get(k) for k in ITEM_FIELDS if k != "listed"}
    out["listed"] = values.get("listed_now", 0)
    return out


@blp.route("/hazards", methods=["GET"])
@blp.arguments(HazardStatsArgs, location="query")
@blp.response(200, StatsResponse)
def hazard_stats(args):
    """Hazard figures of a period, in total and per group (definitions: docs/figures.md)."""
    scope = stats.resolve_scope(current_user, region_id=args.get("region_id"),
                                enterprise_id=args.get("enterprise_id"), industry_id=args.get("industry_id"))
    result = stats.hazard_stats(scope, args.get("from_"), args.get("to"), args.get("group_by"))
    return {"from_": result.from_.isoformat(), "to": result.to.isoformat(), "group_by": result.group_by,
            "totals": api_counts(result.totals),
            "items": [{"key": i["key"], "name": i["name"], **api_counts(i)} for i in result.items]}


class ScoreArgs(api_base.PageArgs):
    week = fields.String(load_default=None)
    region_id = fields.Integer(validate=validate.Range(min=1))
    enterprise_id = fields.Integer(validate=validate.Range(min=1))


def record_item(r) -> dict:
    return {"enterprise_id": r.enterprise_id, "week": r.week, "planned": r.planned, "done": r.done,
            "due_hazards": r.due_hazards, "accepted_hazards": r.accepted_hazards, "a": r.a, "b": r.b,
            "alpha": r.alpha, "score": r.score, "run_level": r.run_level, "rule_set": r.rule_set,
            "frozen": True}


def week_arg(text):
    """The week asked for (default: the week just ended); one not ended yet or not existing: 422."""
    if not text:
        return scores_mod.latest_week()
    try:
        week = parse_week(text)
    except RuleSetError as exc:
        raise Invalid(fields={"week": "没有这一周（格式如 2026-W48）。" if exc.reason == "no_such_week"
                              else "周的格式应如 2026-W48。"}) from None
    if week > scores_mod.latest_week():
        raise Invalid(fields={"week": "这一周尚未结束，还没有得分。"})
    return week


SCORE_COLUMNS = ("enterprise_id", "week", "planned", "done", "due_hazards", "accepted_hazards", "a", "b", "alpha",
                 "score", "run_level", "rule_set")


def scores_of(user, week, *, region_id=None, enterprise_id=None) -> list[dict]:
    """Every visible enterprise's score for ``week``, lowest first: the frozen row, or (not scanned yet)
    computed now (``frozen`` False). Items carry the enterprise's ``name``."""

    scope = stats.resolve_scope(user, region_id=region_id, enterprise_id=enterprise_id)
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name)
                                    .where(scope.enterprise_condition(Enterprise.id))).all())
    stored = db.session.execute(
        select(*[getattr(WeeklyScoreRecord, c) for c in SCORE_COLUMNS]).where(
            WeeklyScoreRecord.week == str(week), scope.enterprise_condition(WeeklyScoreRecord.enterprise_id)))
    items = [dict(zip(SCORE_COLUMNS, row, strict=True), frozen=True) for row in stored]
    missing = sorted(set(names) - {i["enterprise_id"] for i in items})
    if missing:
        for eid, (result, _facts, _rs) in scores_mod.compute_week(week, missing).items():
            items.append({"enterprise_id": eid, **{k: v for k, v in result.as_dict().items() if k != "expected"},
                          "frozen": False})
    for item in items:
        item["name"] = names.get(item["enterprise_id"])
    items.sort(key=lambda i: (i["score"], i["enterprise_id"]))
    return items


@scores_blp.route("", methods=["GET"])
@scores_blp.arguments(ScoreArgs, location="query")
@scores_blp.response(200, api_base.page_schema(ScoreItem, "ScorePage", week=fields.String()))
def list_scores(args):
    """Scores of a closed ISO week, lowest first (``frozen``: stored by the scan with its rule set)."""
    week = week_arg(args.get("week"))
    items = scores_of(current_user, week, region_id=args.get("region_id"), enterprise_id=args.get("enterprise_id"))
    page = page_of_list(items, args["page"], args["per_page"])
    return {**vars(page), "has_next": page.has_next, "week": str(week)}


class VetoSchema(Schema):
    """A veto item (否决项) entered by an authority for an enterprise and a closed week, with its reason."""

    id = fields.Integer(dump_only=True)
    enterprise_id = fields.Integer(required=True, validate=validate.Range(min=1))
    week = fields.String(required=True, validate=validate.Length(max=8))
    code = fields.String(required=True, validate=validate.Length(max=64))
    reason = fields.String(required=True, validate=validate.Length(max=vetoes_mod.REASON_MAX))
    entered_by_id = fields.Integer(dump_only=True)
    entered_at = api_base.Timestamp(dump_only=True)


class VetoListArgs(api_base.PageArgs):
    week = fields.String(validate=validate.Length(max=8))
    enterprise_id = fields.Integer(validate=validate.Range(min=1))


@scores_blp.route("/vetoes", methods=["GET"])
@scores_blp.arguments(VetoListArgs, location="query")
@scores_blp.response(200, api_base.page_schema(VetoSchema))
def list_vetoes(args):
    """The veto items entered by authorities (the ones the system decides are on each score's page)."""
    return paginate(vetoes_mod.listed(current_user, week=args.get("week"), enterprise_id=args.get("enterprise_id")),
                    args["page"], args["per_page"])


@scores_blp.route("/vetoes", methods=["POST"])
@idempotent
@scores_blp.arguments(VetoSchema)
@scores_blp.response(201, VetoSchema)
def create_veto(args):
    """An authority enters a veto item the system cannot decide; the week's score becomes 0 (α = 0).
    An item the system decides, or one not in the rule set: 422; the same item twice: 409."""
    return vetoes_mod.enter(current_user, args["enterprise_id"], week=args["week"], code=args["code"],
                            reason=args["reason"])


# --- periodic reports (16号令 第十四条) -----------------------------------------------------------------

reports_blp = api_base.api_blueprint("periodic_reports_api", __name__, "/periodic-reports",
                                     "Periodic reports (隐患排查治理情况统计分析表)")


class ReportSchema(Schema):
    id = fields.Integer()
    enterprise_id = fields.Integer()
    period = fields.String()
    period_start = fields.Date()
    period_end = fields.Date()
    due_on = fields.Date()
    state = fields.Function(lambda o: o.state.value)
    late = fields.Boolean()
    number = fields.String(allow_none=True)
    figures = fields.Dict()
    reviewed_by_id = fields.Integer(allow_none=True)
    approved_by_id = fields.Integer(allow_none=True)
    submitted_by_id = fields.Integer(allow_none=True)
    reviewed_at = api_base.Timestamp(allow_none=True)
    approved_at = api_base.Timestamp(allow_none=True)
    submitted_at = api_base.Timestamp(allow_none=True)
    pdf_sha256 = fields.String(allow_none=True, metadata={"description": "SHA-256 of the signed PDF (null before)"})
    pdf_size = fields.Integer(allow_none=True)


class ReportListItem(ReportSchema):
    """An enterprise's own report, or (for an authority) an enterprise of the region with its report."""

    state = fields.Raw()
    enterprise_name = fields.String()
    report = fields.Nested(ReportSchema, allow_none=True)


class ReportCreate(Schema):
    enterprise_id = fields.Integer(load_default=None, validate=validate.Range(min=1))
    period = fields.String(required=True, validate=validate.Length(max=16))


class ReportListArgs(api_base.PageArgs):
    region_id = fields.Integer(validate=validate.Range(min=1))
    enterprise_id = fields.Integer(validate=validate.Range(min=1))
    period = fields.String(validate=validate.Length(max=16))
    state = fields.String(validate=validate.OneOf(["submitted", "missing", "late"]))


@reports_blp.route("", methods=["GET"])
@reports_blp.arguments(ReportListArgs, location="query")
@reports_blp.response(200, api_base.page_schema(ReportListItem))
def list_reports(args):
    """An enterprise's own reports; for an authority, every enterprise of the region with its report of
    the period (``state`` submitted / missing / late)."""

    if current_user.role.is_enterprise:
        stmt = access.visible(PeriodicReport, current_user).order_by(PeriodicReport.period_end.desc())
        if args.get("period"):
            stmt = stmt.where(PeriodicReport.period == reports.parse_period(args["period"])[0])
        items = list(db.session.scalars(stmt))
    else:
        period, due_on, rows = reports.oversight(current_user, region_id=args.get("region_id"),
                                                 period=args.get("period"), state=args.get("state"))
        items = [{"enterprise_id": r["enterprise"].id, "enterprise_name": r["enterprise"].name, "period": period,
                  "due_on": due_on, "state": r["state"], "late": r["late"], "report": r["report"]} for r in rows]
    return page_of_list(items, args["page"], args["per_page"])


@reports_blp.route("", methods=["POST"])
@idempotent
@reports_blp.arguments(ReportCreate)
@reports_blp.response(201, ReportSchema)
def create_report(args):
    """Generate the report of an ended period from the enterprise's data (a draft until reviewed)."""

    return reports.generate(current_user, args.get("enterprise_id"), args["period"])


@reports_blp.route("/<int:report_id>", methods=["GET"])
@reports_blp.response(200, ReportSchema)
def get_report(report_id):
    return access.get_visible(PeriodicReport, report_id, current_user)


@reports_blp.route("/<int:report_id>.pdf")
@reports_blp.response(200, description="The signed PDF as stored (application/pdf), checked against "
                                        "``pdf_sha256``; before signing, a draft rendered now")
def report_pdf(report_id):
    item = access.get_visible(PeriodicReport, report_id, current_user)
    data = reports.signed_pdf(item) if item.pdf_sha256 else reports.render(item)
    return storage.send(data, mime="application/pdf", filename=f"periodic-report-{item.period}.pdf", inline=False)


def _action(name):
    def view(report_id):
        return getattr(reports, name)(current_user, report_id)
    view.__name__ = f"report_{name}"
    view.__doc__ = {"review": "The safety manager reviews the draft.",
                    "approve": "The principal signs (approves) the reviewed report; anyone else: 403.",
                    "submit": "Submit the signed report to the authority; a second time: 409."}[name]
    return view


for _path, _name in (("review", "review"), ("approval", "approve"), ("submission", "submit")):
    reports_blp.route(f"/<int:report_id>/{_path}", methods=["POST"])(
        idempotent(reports_blp.response(200, ReportSchema)(_action(_name))))


def register() -> None:
    api_base.register(blp)
    api_base.register(scores_blp)
    api_base.register(reports_blp)
