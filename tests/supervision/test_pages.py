"""Pages: queue, supervision list (filters, order, Excel), overview, a listing's page; access per role."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from app.clock import today, utcnow
from app.extensions import db
from app.supervision import queries, service
from app.supervision.models import Listing, ListingState, ProposalSource
from tests.supervision.conftest import login_as, stored_hazard


def listed(world, enterprise, *, grade, level="general", overdue_by=None, title="隐患", days_left=None):
    hazard = stored_hazard(enterprise, level=level, grade=grade, overdue_by=overdue_by, title=title)
    (listing,) = service.propose(hazard, ProposalSource.scan)
    deciders = {world.authorities.city.id: world.users.city_supervisor,
                world.authorities.county_a.id: world.users.supervisor,
                world.authorities.county_b.id: world.users.supervisor_b}
    service.decide(listing.id, deciders[listing.authority_id], "list",
                   deadline=today() + timedelta(days=days_left) if days_left else None)
    if overdue_by is not None:
        # A later listing deadline extends the hazard's own (issue 17 item 7); these rows stand for
        # hazards still past their own deadline, as the figures below count them.
        hazard.deadline = today() - timedelta(days=overdue_by)
    return listing


@pytest.fixture
def board(world, db_session):
    a, b = world.enterprises.a, world.enterprises.b
    rows = {
        "major_a": listed(world, a, grade="red", level="major", title="液氯储罐区未设置紧急切断", days_left=40),
        "orange_a": listed(world, a, grade="orange", overdue_by=20, title="厂房安全出口锁闭", days_left=5),
        "yellow_b": listed(world, b, grade="yellow", overdue_by=35, title="冲压机防护罩缺失", days_left=90),
    }
    # An overdue listing: its listing deadline has passed.
    rows["orange_a"].deadline = today() - timedelta(days=2)
    pending = stored_hazard(a, grade="orange", overdue_by=17, title="待决定的隐患")
    (rows["proposed"],) = service.propose(pending, ProposalSource.scan)
    db_session.commit()
    return rows


def titles(rows):
    return [r.hazard.title for r in rows]


def test_the_list_puts_overdue_first_then_grade_then_deadline(world, board, db_session):
    rows = list(db.session.scalars(queries.supervision_list(world.users.admin, queries.ListFilters())).unique())
    assert titles(rows) == ["厂房安全出口锁闭", "液氯储罐区未设置紧急切断", "冲压机防护罩缺失"]
    assert rows[0].overdue and not rows[1].overdue


def test_filters_and_scope(world, board, db_session):
    def run(user, **kw):
        return titles(db.session.scalars(queries.supervision_list(user, queries.ListFilters(**kw))).unique())

    assert run(world.users.city_supervisor, region_id=world.regions.county_b.id) == ["冲压机防护罩缺失"]
    industry = world.enterprises.b.industry_id
    assert run(world.users.city_supervisor, industry_id=industry) == ["冲压机防护罩缺失"]
    assert run(world.users.city_supervisor, grade="red") == ["液氯储罐区未设置紧急切断"]
    assert run(world.users.supervisor_b) == ["冲压机防护罩缺失"]
    assert run(world.users.supervisor) == ["厂房安全出口锁闭", "液氯储罐区未设置紧急切断"]
    assert run(world.users.city_supervisor, state="proposed") == ["待决定的隐患"]


def test_queue_page_shows_the_rule_that_fired(client, world, board):
    login_as(client, world.users.supervisor)
    body = client.get("/supervision/queue").get_data(as_text=True)
    assert "待决定的隐患" in body
    assert "orange" in body or "较大" in body
    assert "液氯储罐区未设置紧急切断" not in body  # already listed


def test_list_page_and_excel_export(client, world, board):
    login_as(client, world.users.city_supervisor)
    page = client.get("/supervision/listings")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert body.index("厂房安全出口锁闭") < body.index("液氯储罐区未设置紧急切断") < body.index("冲压机防护罩缺失")
    # Grades read as people say them, not as identifiers.
    assert 'class="grade grade-red">重大风险' in body and ">red<" not in body
    resp = client.get(f"/supervision/listings?format=xlsx&region_id={world.regions.county_a.id}")
    assert resp.status_code == 200
    assert resp.mimetype.endswith("spreadsheetml.sheet")
    ws = load_workbook(io.BytesIO(resp.data)).active
    values = [[c.value for c in row] for row in ws.iter_rows()]
    assert values[0][:4] == ["督办编号", "隐患编号", "隐患名称", "企业"]
    assert [v[2] for v in values[1:]] == ["厂房安全出口锁闭", "液氯储罐区未设置紧急切断"]
    assert values[1][8] == "是" and values[2][8] == "否"
    assert values[2][4] == "重大风险" and values[2][5] == "市级"


def test_overview_counts(world, board, db_session):
    data = queries.overview(world.users.city_supervisor).figures
    assert data["listed"] == 3 and data["proposals_waiting"] == 1
    assert data["open_hazards"] == 4
    assert data["overdue_open"] == 3  # the three hazards past their own deadline
    county_b = queries.overview(world.users.supervisor_b).figures
    assert (county_b["listed"], county_b["open_hazards"]) == (1, 1)


def test_overview_rates(world, db_session):
    a = world.enterprises.a
    year_start = datetime(today().year, 1, 1, 12)  # confirmed this (local) year
    on_time = stored_hazard(a, grade="blue", state="closed")
    late = stored_hazard(a, grade="blue", state="closed", overdue_by=5)
    still_open = stored_hazard(a, grade="blue")
    for hazard in (on_time, late, still_open):
        hazard.confirmed_at = year_start
    on_time.closed_at = year_start + timedelta(days=1)  # before its deadline (today + 30)
    late.closed_at = utcnow()  # its deadline was 5 days ago
    db_session.flush()
    data = queries.overview(world.users.supervisor).figures
    assert data["confirmed_this_year"] == 3 and data["closed_this_year"] == 2
    assert data["rectification_rate"] == pytest.approx(2 / 3)
    assert data["on_time_rate"] == pytest.approx(1 / 2)  # 1 ÷ (2 closed + 0 overdue open)


ROLE_ACCESS = {
    # user: (queue, list, overview, inspections list)
    "admin": (200, 200, 200, 200),
    "supervisor": (200, 200, 200, 200),
    "city_supervisor": (200, 200, 200, 200),
    "inspector": (403, 200, 200, 200),
    # The enterprise sees its own listings (issue 10 item 14), nothing else of supervision.
    "manager": (403, 200, 403, 403),
    "principal": (403, 200, 403, 403),
    "staff": (403, 200, 403, 403),
}


@pytest.mark.parametrize("who", list(ROLE_ACCESS))
def test_access_per_role(client, world, board, who):
    login_as(client, getattr(world.users, who))
    urls = ["/supervision/queue", "/supervision/listings", "/supervision/overview", "/supervision/inspections"]
    assert [client.get(url).status_code for url in urls] == list(ROLE_ACCESS[who])


def test_anonymous_is_sent_to_login(client, board):
    resp = client.get("/supervision/queue")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]


def test_listing_page_per_role(client, world, board):
    major = board["major_a"]
    proposal = board["proposed"]
    cases = [
        ("manager", major, 200), ("manager", proposal, 404), ("manager_b", major, 404),
        ("staff", major, 200), ("inspector", proposal, 200), ("inspector_b", major, 404),
        ("supervisor_b", proposal, 404), ("admin", proposal, 200),
    ]
    for who, item, status in cases:
        login_as(client, getattr(world.users, who))
        assert client.get(f"/supervision/listings/{item.id}").status_code == status, (who, item.rule)


def test_deciding_on_the_page(client, world, board, db_session):
    proposal = board["proposed"]
    login_as(client, world.users.supervisor)
    page = client.get(f"/supervision/listings/{proposal.id}").get_data(as_text=True)
    assert 'name="decision-action"' in page
    resp = client.post(f"/supervision/listings/{proposal.id}",
                       data={"decision-action": "dismiss", "decision-reason": ""})
    assert resp.status_code == 422
    db.session.expire_all()
    assert db.session.get(Listing, proposal.id).state == ListingState.proposed
    resp = client.post(f"/supervision/listings/{proposal.id}",
                       data={"decision-action": "dismiss", "decision-reason": "企业已主动停产整改"})
    assert resp.status_code == 302
    db.session.expire_all()
    assert db.session.get(Listing, proposal.id).state == ListingState.dismissed
    # The enterprise files progress against its listed item.
    login_as(client, world.users.manager)
    orange = board["orange_a"]
    resp = client.post(f"/supervision/listings/{orange.id}", data={"progress-text": "已拆除锁具"})
    assert resp.status_code == 302
    assert "已拆除锁具" in client.get(f"/supervision/listings/{orange.id}").get_data(as_text=True)
    assert client.post(f"/supervision/listings/{orange.id}", data={"progress-text": ""}).status_code == 422


def test_csrf_is_checked_on_the_decision_form(app, client, world, board, db_session):
    proposal = board["proposed"]
    login_as(client, world.users.supervisor)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        resp = client.post(f"/supervision/listings/{proposal.id}",
                           data={"decision-action": "dismiss", "decision-reason": "无令牌"})
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(Listing, proposal.id).state == ListingState.proposed


def test_the_listing_page_leads_to_its_notice(client, world, board):
    major = board["major_a"]
    login_as(client, world.users.city_supervisor)
    body = client.get(f"/supervision/listings/{major.id}").get_data(as_text=True)
    assert f"/documents/{major.notice_document_id}.pdf" in body
    pdf = client.get(f"/documents/{major.notice_document_id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_excel_export_has_every_row_beyond_twenty_thousand(client, world, board, db_session):
    """Issue 18 item 3: the export stopped at 20 000 rows without a word; now every listed row is in it,
    built in the background (more than EXPORT_SYNC_MAX_ROWS) and downloaded from "My exports"."""
    from sqlalchemy import func, insert, select

    from app.exports.models import Export
    from app.hazards.models import Hazard

    extra = 20_010
    ent, auth = world.enterprises.a, world.authorities.county_a
    ids = db_session.scalars(insert(Hazard).returning(Hazard.id), [
        {"enterprise_id": ent.id, "code": f"YH-X-{i:05d}", "title": f"批量隐患{i}", "state": "rectifying",
         "level": "general"} for i in range(extra)]).all()
    db_session.execute(insert(Listing), [
        {"hazard_id": hazard_id, "enterprise_id": ent.id, "rule": "bulk", "source": "scan", "authority_id": auth.id,
         "level": "county", "grade": "yellow", "state": "listed"} for hazard_id in ids])
    db_session.commit()
    login_as(client, world.users.city_supervisor)
    listed = db_session.scalar(select(func.count()).select_from(Listing).where(Listing.state == "listed"))
    assert listed > 20_000
    resp = client.get("/supervision/listings?format=xlsx", buffered=True)  # the job runs once it is sent
    export = db_session.scalars(select(Export)).one()
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/exports/{export.id}")
    assert export.rows == export.expected_rows == listed
    resp = client.get(f"/exports/{export.id}/download")
    assert resp.status_code == 200
    ws = load_workbook(io.BytesIO(resp.data), read_only=True).worksheets[0]
    assert sum(1 for _ in ws.iter_rows(values_only=True)) - 1 == listed  # the header, then every listed row
