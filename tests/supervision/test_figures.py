"""Supervisors' figures, each defined once (workflows/figures.py) and counted once (app/figures.py),
against hand-counted data, as the overview page shows them (issue 10 item 17)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask_babel import force_locale, gettext

from app.clock import today, utcnow
from tests.supervision.conftest import login_as, stored_hazard
from workflows.figures import FIGURES


def test_each_figure_has_its_chinese_words_in_the_catalog(app):
    with app.test_request_context(), force_locale("zh_CN"):
        for fig in FIGURES.values():
            assert gettext(fig.name_en) == fig.name, fig.id
            assert gettext(fig.definition_en) == fig.definition, fig.id


def test_on_time_rate_counts_the_overdue_open_hazards(client, world, db_session):
    a = world.enterprises.a
    this_year = datetime(today().year, 1, 1, 12)
    # Closed this year: 2 on time, 1 late.
    for n in range(2):
        h = stored_hazard(a, grade="blue", state="closed", title=f"按期销号{n}")
        h.closed_at = this_year
    late = stored_hazard(a, grade="blue", state="closed", overdue_by=5, title="逾期后销号")
    late.closed_at = utcnow()
    # Open: 3 overdue, 2 within their deadline; 1 voided (counts nowhere).
    for n in range(3):
        stored_hazard(a, grade="yellow", overdue_by=3 + n, title=f"逾期未销号{n}")
    for n in range(2):
        stored_hazard(a, grade="yellow", title=f"整改中{n}")
    stored_hazard(a, grade="blue", state="voided", title="已撤销")
    db_session.commit()

    login_as(client, world.users.supervisor)
    page = client.get("/supervision/overview").get_data(as_text=True)
    # By hand: on time 2 ÷ (closed 3 + overdue open 3) = 33.3 % (the old figure said 66.7 %).
    assert "33.3%" in page and "66.7%" not in page
    assert "按期整改率 = 本年按期销号 ÷ (本年已销号 + 逾期未销号)" in page
    assert "= 2 ÷ (3 + 3)" in page
    assert _card(page, "open_hazards").startswith("5") and _card(page, "overdue_open").startswith("3")


def test_rate_without_any_closed_or_overdue_is_a_dash(client, world, db_session):
    stored_hazard(world.enterprises.a, grade="blue", title="刚确认")
    db_session.commit()
    login_as(client, world.users.supervisor)
    page = client.get("/supervision/overview").get_data(as_text=True)
    assert _card(page, "on_time_rate").startswith("—")


def test_region_page_counts_enterprises_having_the_grade(client, world, db_session):
    """较大风险 56 (0 家企业): the enterprises of a grade are those with a point of it, not those
    whose highest grade it is."""
    from app.extensions import db
    from app.risks.models import RiskPoint
    from workflows.grades import Grade

    for name, grade in (("储罐", Grade.red), ("泵房", Grade.orange), ("装卸", Grade.orange)):
        db.session.add(RiskPoint(enterprise_id=world.enterprises.a.id, name=name, area="厂区",
                                 assessed_grade=grade, effective_grade=grade))
    db.session.add(RiskPoint(enterprise_id=world.enterprises.b.id, name="冲压", area="车间",
                             assessed_grade=Grade.orange, effective_grade=Grade.orange))
    db_session.commit()
    login_as(client, world.users.city_supervisor)
    page = client.get("/risks/region").get_data(as_text=True)
    assert "较大风险: 3 个风险点" in page and "分布于 2 家企业" in page
    assert "至少有一个有效等级为该等级的在用风险点的企业数" in page
    filtered = client.get("/risks/region?grade=orange").get_data(as_text=True)
    assert "甲化工有限公司" in filtered and "乙机械有限公司" in filtered


def _card(page: str, figure_id: str) -> str:
    start = page.index(f'id="figure-{figure_id}"')
    strong = page.index("<strong>", start) + len("<strong>")
    return page[strong:page.index("</strong>", strong)].strip()


def test_on_time_is_decided_by_the_local_date(world, db_session):
    """Closed at 23:59 Beijing time on the deadline day is on time; at 00:00 the day after it is not."""
    from app.supervision import queries

    deadline = today()
    midnight_utc = datetime(deadline.year, deadline.month, deadline.day) - timedelta(hours=8)  # local 00:00
    in_time = stored_hazard(world.enterprises.a, grade="blue", state="closed", title="当日23点59分销号")
    late = stored_hazard(world.enterprises.a, grade="blue", state="closed", title="次日0点销号")
    for hazard, closed_at in ((in_time, midnight_utc + timedelta(hours=23, minutes=59)),
                              (late, midnight_utc + timedelta(days=1))):
        hazard.deadline = deadline
        hazard.closed_at = closed_at
    db_session.commit()
    data = queries.overview(world.users.supervisor).figures
    assert (data["closed_this_year"], data["closed_on_time_this_year"]) == (2, 1)
