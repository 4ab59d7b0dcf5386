"""Check windows in the figures, through the one adapter (app/dashboard/checks.py) to app.checks: the
hand-counted week of tests/checks/test_figures.py scored and shown (issue 14 items 1, 4)."""

from __future__ import annotations

import pytest
from flask import g

from app import clock
from app.dashboard import checks, scores
from app.dashboard.models import WeeklyScoreRecord
from app.extensions import db
from tests.checks.conftest import local
from tests.checks.test_figures import week  # noqa: F401  (the fixture: 2–8 March 2026, enterprise a)
from tests.supervision.conftest import as_user
from workflows.isoweek import IsoWeek

NOW = local(2026, 3, 9, 10)


@pytest.fixture(autouse=True)
def request_ctx(app, db_session):
    with app.test_request_context():
        yield


def test_week_scored_from_the_check_windows(world, week):  # noqa: F811
    """By hand (tests/checks/test_figures.py): planned 18, done 5, late 2, suspended 1 → expected 17;
    A = 5/17 × 50 = 14.71; no hazard due → B = 50 − 10 (隐患过少) = 40; E = 54.71."""
    with clock.moved_to(NOW):
        assert scores.scan_step()["week"] == "2026-W10"
    db.session.flush()
    row = db.session.scalar(db.select(WeeklyScoreRecord).where(
        WeeklyScoreRecord.enterprise_id == world.enterprises.a.id, WeeklyScoreRecord.week == "2026-W10"))
    assert (row.planned, row.expected, row.done, row.late) == (18, 17, 5, 2)
    assert (row.a, row.b, row.score, row.run_level) == (14.71, 40.0, 54.71, "poor")
    # Frozen: a record made later does not change the stored week.
    with clock.moved_to(NOW):
        assert scores.freeze_week(IsoWeek(2026, 10)) == 0


def test_check_figures_on_the_enterprise_and_by_api(client, world, week):  # noqa: F811
    with clock.moved_to(NOW):
        total = checks.total(world.users.manager, enterprise_id=world.enterprises.a.id,
                             from_=local(2026, 3, 2).date(), to=local(2026, 3, 8).date())
        assert (total.planned, total.done, total.missed, total.completion_rate) == (18, 5, 10, 5 / 17)
        assert checks.total(world.users.staff, from_=local(2026, 3, 2).date(),
                            to=local(2026, 3, 8).date()).planned == 0  # staff: not the enterprise's figures
        g.pop("_login_user", None)
        headers = as_user(client, world.users.city_supervisor)
        got = client.get("/api/v1/scores?week=2026-W10", headers=headers).get_json()["items"]
    a = next(i for i in got if i["enterprise_id"] == world.enterprises.a.id)
    assert (a["planned"], a["done"], a["score"]) == (18, 5, 54.71)


def test_region_check_figures_come_from_the_frozen_week(client, world, week):  # noqa: F811
    from tests.supervision.conftest import login_as

    with clock.moved_to(NOW):
        scores.scan_step()
        db.session.commit()
        login_as(client, world.users.city_supervisor)
        page = client.get("/dashboard/region").get_data(as_text=True)
        enterprise_page = client.get(f"/dashboard/enterprise/{world.enterprises.a.id}?from=2026-03-02&to=2026-03-08")
    # 5 done ÷ 17 expected, the same number live for the enterprise and frozen for the region.
    assert "2026-W10" in page and "29.4%" in page
    assert "29.4%" in enterprise_page.get_data(as_text=True)
