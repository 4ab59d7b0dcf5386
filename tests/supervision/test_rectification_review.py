"""整改复查 period (issue 17 items 3/6): configured working days (the statutory number is not verified),
from the application for review or the deadline's end; shown on the hazard page, a to-do of the
ordering authority's inspectors."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app import workdays
from app.clock import today
from app.supervision import review
from tests.conftest import login
from tests.hazards.helpers import make_hazard
from tests.supervision.conftest import as_user

GOV = "government_inspection"


def _todos(client, user) -> dict[int, str]:
    items = client.get("/api/v1/todos?kind=rectification_review", headers=as_user(client, user)).get_json()["items"]
    return {item["object_id"]: item["due"] for item in items}


def test_without_a_configured_period_nothing_is_invented(app, client, world, db_session):
    hazard = make_hazard(world, "rectifying", source=GOV, deadline=today() - timedelta(days=3))
    assert app.config["RECTIFICATION_REVIEW_WORKING_DAYS"] is None
    assert _todos(client, world.users.inspector) == {}
    login(client, world.users.inspector)
    assert "复查期限" not in client.get(f"/hazards/{hazard.id}").get_data(as_text=True)


def test_review_due_from_the_deadline_or_the_application_in_working_days(app, client, world, db_session,
                                                                         monkeypatch):
    monkeypatch.setitem(app.config, "RECTIFICATION_REVIEW_WORKING_DAYS", 10)
    deadline = today() - timedelta(days=3)
    overdue = make_hazard(world, "rectifying", source=GOV, deadline=deadline)
    submitted = make_hazard(world, "pending_review", source=GOV)  # deadline in 30 days, submitted today
    waiting = make_hazard(world, "rectifying", source=GOV)  # deadline not reached, nothing submitted
    own = make_hazard(world, "pending_review")  # the enterprise's own: reviewed by its manager
    from_deadline = workdays.add_working_days(deadline, 10)
    from_application = workdays.add_working_days(today(), 10)
    assert from_deadline.weekday() < 5 and (from_deadline - deadline).days >= 14  # ten working days
    todo = _todos(client, world.users.inspector)
    assert todo == {overdue.id: from_deadline.isoformat(), submitted.id: from_application.isoformat()}
    assert waiting.id not in todo and own.id not in todo
    assert _todos(client, world.users.inspector_b) == {}  # another authority's inspectors
    assert _todos(client, world.users.manager) == {}
    login(client, world.users.inspector)
    page = client.get(f"/hazards/{submitted.id}").get_data(as_text=True)
    assert "复查期限" in page and from_application.isoformat() in page
    page = client.get(f"/hazards/{waiting.id}").get_data(as_text=True)  # shown ahead: deadline + 10
    assert workdays.add_working_days(waiting.deadline, 10).isoformat() in page
    page = client.get(f"/hazards/{own.id}").get_data(as_text=True)
    assert "复查期限" not in page


@pytest.mark.parametrize("value", [0, -3, "ten", True])
def test_a_bad_configured_period_stops_the_start(value):
    with pytest.raises(RuntimeError):
        review.check_config(value)
