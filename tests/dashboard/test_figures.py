"""The figures of issue 14 against hand-counted data: the same numbers in the stats API, the pages and
the exports (definitions: workflows/figures.py, docs/figures.md)."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta

from flask_babel import force_locale, gettext
from openpyxl import load_workbook

from app.clock import today
from tests.supervision.conftest import as_user, login_as, stored_hazard
from workflows.figures import PERIOD_FIGURES

D = timedelta(days=1)


def _utc(day: date, hour: int = 12) -> datetime:
    """Local ``day`` at ``hour`` as the naive UTC timestamps are stored."""
    return datetime(day.year, day.month, day.day, hour) - timedelta(hours=8)


def seed(world, db_session):
    """Enterprise a (county a), period = this month so far; by hand:
    reported in the period 4 (r1..r4), closed 3 (2 on time, 1 late), voided 1, open 4 of which overdue 2,
    major open 1; enterprise b (county b): 1 open overdue hazard."""
    a, b = world.enterprises.a, world.enterprises.b
    first = today().replace(day=1)
    hazards = []
    # Closed in the period: on time x2, late x1 (closed 3 days after its deadline).
    for n, late in enumerate((False, False, True)):
        h = stored_hazard(a, state="closed", title=f"销号{n}")
        h.created_at = _utc(first - 20 * D)
        h.deadline = first - (3 * D if late else -5 * D)
        h.closed_at = _utc(first)  # 20 days after it was reported
        h.updated_at = h.closed_at
        hazards.append(h)
    # Voided in the period.
    v = stored_hazard(a, state="voided", title="撤销")
    v.created_at, v.updated_at = _utc(first - 30 * D), _utc(first)
    # Open: 2 overdue (one major), 2 within the deadline; reported in the period: 4.
    for n, (overdue, level) in enumerate(((3, "major"), (1, "general"), (None, "general"), (None, "general"))):
        h = stored_hazard(a, level=level, overdue_by=overdue, title=f"未销号{n}")
        h.created_at = h.updated_at = _utc(first)
    other = stored_hazard(b, overdue_by=2, title="乙县逾期")
    other.created_at = other.updated_at = _utc(first)
    db_session.commit()
    return first


EXPECTED_A = {"reported": 4, "closed": 3, "closed_on_time": 2, "voided": 1, "open": 4, "overdue": 2,
              "major_open": 1, "listed": 0}


def test_each_period_figure_has_its_chinese_words_in_the_catalog(app):
    with app.test_request_context(), force_locale("zh_CN"):
        for fig in PERIOD_FIGURES.values():
            assert gettext(fig.name_en) == fig.name, fig.id
            assert gettext(fig.definition_en) == fig.definition, fig.id


def test_stats_api_counts_by_hand(client, world, db_session):
    first = seed(world, db_session)
    headers = as_user(client, world.users.manager)
    got = client.get(f"/api/v1/stats/hazards?from={first}&to={today()}", headers=headers)
    assert got.status_code == 200, got.get_json()
    totals = got.get_json()["totals"]
    assert {k: totals[k] for k in EXPECTED_A} == EXPECTED_A
    # 按期整改率 = 2 ÷ (3 closed + 2 overdue)
    assert totals["on_time_rate"] == 2 / 5
    assert totals["avg_days_to_close"] == 20.0  # 3 × 20 days ÷ 3


def test_stats_by_region_for_the_city(client, world, db_session):
    first = seed(world, db_session)
    headers = as_user(client, world.users.city_supervisor)
    got = client.get(f"/api/v1/stats/hazards?from={first}&to={today()}&group_by=region", headers=headers).get_json()
    items = {i["name"]: i for i in got["items"]}
    assert items["甲县"]["overdue"] == 2 and items["乙县"]["overdue"] == 1
    assert got["totals"]["overdue"] == 3 and got["totals"]["open"] == 5
    assert got["items"][0]["name"] == "甲县"  # worst first
    by_ent = client.get(f"/api/v1/stats/hazards?from={first}&to={today()}&group_by=enterprise",
                        headers=headers).get_json()
    assert {i["name"]: i["open"] for i in by_ent["items"]} == {"甲化工有限公司": 4, "乙机械有限公司": 1}
    by_month = client.get(f"/api/v1/stats/hazards?from={first}&to={today()}&group_by=month", headers=headers).get_json()
    assert sum(i["reported"] for i in by_month["items"]) == by_month["totals"]["reported"] == 5


def test_stats_bad_input(client, world, db_session):
    headers = as_user(client, world.users.supervisor)  # county a
    bad = client.get("/api/v1/stats/hazards?from=2026-03-01&to=2026-02-01", headers=headers)
    assert bad.status_code == 422 and "to" in str(bad.get_json())
    foreign = client.get(f"/api/v1/stats/hazards?region_id={world.regions.county_b.id}", headers=headers)
    assert foreign.status_code == 404
    other_ent = client.get(f"/api/v1/stats/hazards?enterprise_id={world.enterprises.b.id}", headers=headers)
    assert other_ent.status_code == 404
    assert client.get("/api/v1/stats/hazards?group_by=colour", headers=headers).status_code == 422


def test_region_page_and_its_export_show_the_same_numbers(client, world, db_session):
    first = seed(world, db_session)
    login_as(client, world.users.city_supervisor)
    page = client.get(f"/dashboard/region?from={first}&to={today()}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "甲县" in text and "乙县" in text
    assert 'id="figure-overdue"' in text and PERIOD_FIGURES["on_time_rate"].definition in text
    xlsx = client.get(f"/dashboard/region?from={first}&to={today()}&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    header = rows[0]
    col = header.index(PERIOD_FIGURES["overdue"].name)
    by_name = {r[0]: r for r in rows[1:] if r and r[0]}
    assert by_name["甲县"][col] == 2 and by_name["乙县"][col] == 1 and by_name["合计"][col] == 3
    # Drill down: the county lists its enterprises; a foreign region is 404 for a county user.
    county = client.get(f"/dashboard/region?region_id={world.regions.county_a.id}")
    assert "甲化工有限公司" in county.get_data(as_text=True)
    login_as(client, world.users.supervisor)
    assert client.get(f"/dashboard/region?region_id={world.regions.county_b.id}").status_code == 404


def test_register_filters_by_district_and_exports_what_it_shows(client, world, db_session):
    seed(world, db_session)
    login_as(client, world.users.city_inspector)
    page = client.get(f"/hazards/?region={world.regions.county_b.id}").get_data(as_text=True)
    assert "乙县逾期" in page and "未销号0" not in page
    assert 'name="region"' in page and 'name="enterprise"' in page
    xlsx = client.get(f"/hazards/?region={world.regions.county_a.id}&overdue=1&format=xlsx")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).active.iter_rows(values_only=True))
    titles = sorted(r[1] for r in rows[1:] if r and r[0] and str(r[0]).startswith("YH-"))
    assert titles == ["未销号0", "未销号1"]


def test_home_pages_by_role(client, world, db_session):
    seed(world, db_session)
    for user in (world.users.staff, world.users.manager, world.users.principal, world.users.inspector,
                 world.users.city_supervisor, world.users.admin):
        login_as(client, user)
        got = client.get("/")
        assert got.status_code == 200, user.username
        text = got.get_data(as_text=True)
        assert 'id="figure-overdue"' in text and "/todos" in text and "待我处理" in text
    login_as(client, world.users.manager)
    text = client.get("/").get_data(as_text=True)
    assert "未销号0" in text  # the longest overdue listed


def test_aggregates_give_the_live_numbers(client, world, db_session):
    """Whole weeks of a region read the scan's aggregates: the same numbers as counted live, and the
    page says as of when."""
    from app.dashboard import stats

    seed(world, db_session)
    monday = today() - timedelta(days=today().weekday())
    headers = as_user(client, world.users.city_supervisor)
    url = f"/api/v1/stats/hazards?from={monday - 7 * D * 8}&to={today()}&group_by=region"
    live = client.get(url, headers=headers).get_json()
    stats.refresh_aggregates()
    db_session.commit()
    aggregated = client.get(url, headers=headers).get_json()
    assert aggregated == live
    assert aggregated["totals"]["open"] == 5 and aggregated["totals"]["overdue"] == 3
    # The region page of this week reads them and says so.
    login_as(client, world.users.city_supervisor)
    page = client.get("/dashboard/region").get_data(as_text=True)
    assert "截至" in page
    # Run again: only the last two weeks are recounted; the same numbers.
    assert stats.refresh_aggregates()["full"] == 0
    db_session.commit()
    assert client.get(url, headers=as_user(client, world.users.city_supervisor)).get_json() == live


def test_ranking_from_the_aggregates_equals_the_live_ranking(client, world, db_session):
    import re

    from app.dashboard import scores, stats

    seed(world, db_session)
    scores.scan_step()
    db_session.commit()
    login_as(client, world.users.city_supervisor)

    def ranked(url):
        page = client.get(url).get_data(as_text=True)
        body = page[page.index("<tbody>"):page.index("</tbody>")]
        return re.findall(r"enterprise/\d+\">([^<]+)</a></td>\s*<td class=\"num\"><a [^>]+>(\d+)<", body)

    live = ranked("/dashboard/ranking?by=overdue")
    assert live == [("甲化工有限公司", "2"), ("乙机械有限公司", "1")]
    stats.refresh_aggregates()
    db_session.commit()
    assert ranked("/dashboard/ranking?by=overdue") == live
    page = client.get("/dashboard/ranking?by=score").get_data(as_text=True)
    assert "截至" in page
    assert client.get("/dashboard/ranking?format=xlsx").status_code == 200


def test_risk_events_by_initial_and_current_grade(client, world, db_session):
    """By hand: 3 events of enterprise a — initial blue/blue/yellow, current red/blue/yellow (an open
    major hazard raised one); enterprise b's event is not counted."""
    from app.extensions import db
    from app.risks.models import RiskEvent
    from tests.supervision.conftest import risk_point
    from workflows.grades import Grade

    a, b = world.enterprises.a, world.enterprises.b
    point = risk_point(a, "blue")
    for n, (initial, current) in enumerate((("blue", "red"), ("blue", "blue"), ("yellow", "yellow"))):
        db.session.add(RiskEvent(enterprise_id=a.id, risk_point_id=point.id, name=f"事件{n}",
                                 initial_grade=Grade(initial), current_grade=Grade(current)))
    other = risk_point(b, "red")
    db.session.add(RiskEvent(enterprise_id=b.id, risk_point_id=other.id, name="乙事件",
                             initial_grade=Grade.red, current_grade=Grade.red))
    db_session.commit()
    login_as(client, world.users.manager)
    page = client.get(f"/dashboard/enterprise/{a.id}").get_data(as_text=True)
    table = page[page.index('id="risk-events"'):]
    table = table[:table.index("</table>")]
    import re

    cells = re.findall(r'<td class="num">(\d+)</td>', table)
    assert cells == ["0", "0", "1", "2", "0", "1", "0", "1", "1", "0"]  # initial row, then current row
