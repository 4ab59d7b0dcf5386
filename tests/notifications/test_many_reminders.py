"""A user with many reminders (a city's supervisor after a year of escalations: issue 18): the badge
says "99+", the list pages newest first past its capped count, and on PostgreSQL both are read from
their own indexes, not by gathering every reminder of the user."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import insert, text

from app.clock import utcnow
from app.extensions import db
from app.notifications import service
from app.notifications.models import Notification
from tests.conftest import IS_POSTGRES, api_token, login
from tests.plans import explain, statements


def _reminders(user, n: int, *, read: bool = False, start: int = 0) -> None:
    now = utcnow()
    db.session.execute(insert(Notification), [
        {"user_id": user.id, "kind": "hazard_escalation", "text": f"提醒{start + i}", "dedupe_key": f"t:{start + i}",
         "created_at": now, "read_at": now if read else None} for i in range(n)])
    db.session.commit()


def _badge(page: str) -> str | None:
    found = re.search(r'href="/notifications/"[^>]*>[^<]*<span class="badge">([^<]+)</span>', page)
    return found.group(1) if found else None


def test_the_badge_counts_to_99_then_says_99_plus(client, world):
    supervisor = world.users.city_supervisor
    login(client, supervisor)
    _reminders(supervisor, 5, read=True)
    assert _badge(client.get("/hazards/").get_data(as_text=True)) is None
    _reminders(supervisor, 99, start=5)
    assert _badge(client.get("/hazards/").get_data(as_text=True)) == "99"
    _reminders(supervisor, 1, start=104)
    assert _badge(client.get("/hazards/").get_data(as_text=True)) == "99+"
    client.post("/notifications/read")
    assert _badge(client.get("/hazards/").get_data(as_text=True)) is None
    assert _badge(client.get("/hazards/").get_data(as_text=True)) is None


def test_the_list_pages_newest_first_past_its_capped_count(client, world, monkeypatch):
    from app.notifications import views

    supervisor = world.users.city_supervisor
    _reminders(supervisor, 7)
    _reminders(world.users.inspector, 3, start=100)  # someone else's: never listed
    monkeypatch.setattr(service, "LIST_COUNT_CAP", 4)
    headers = api_token(client, supervisor)
    seen = []
    for number in (1, 2, 3):
        body = client.get(f"/api/v1/notifications?per_page=3&page={number}", headers=headers).get_json()
        seen += [item["text"] for item in body["items"]]
        assert body["total"] == 4 and body["total_capped"] is True
        assert body["has_next"] is (number < 3), number
    assert seen == [f"提醒{i}" for i in range(6, -1, -1)]
    monkeypatch.setattr(views, "PER_PAGE", 3)
    login(client, supervisor)
    page = client.get("/notifications/?page=2").get_data(as_text=True)
    assert "提醒3" in page and 'href="/notifications/?page=3"' in page
    page = client.get("/notifications/?page=3").get_data(as_text=True)
    assert "提醒0" in page and "?page=4" not in page
    page = client.get("/notifications/?page=4").get_data(as_text=True)  # past the end: the way back
    assert "暂无提醒" in page and 'href="/notifications/?page=3"' in page


@pytest.mark.skipif(not IS_POSTGRES, reason="plans are PostgreSQL's")
def test_badge_and_lists_stop_after_what_they_show(world):
    """On 30 000 reminders of one user among 150 000: the statements of the badge and of the lists
    (unread or not) stop after what they show, never gather and sort every reminder of the user."""
    supervisor = world.users.city_supervisor
    others = [world.users.supervisor, world.users.inspector, world.users.manager, world.users.staff]
    for user, n in [(supervisor, 30_000), *((other, 30_000) for other in others)]:
        db.session.execute(text(
            "INSERT INTO notifications (user_id, kind, text, dedupe_key, created_at, read_at) "
            "SELECT :user, 'hazard_escalation', '提醒' || g, 't:' || g, now(), "
            "CASE WHEN g % 3 = 0 THEN now() END FROM generate_series(1, :n) AS g"), {"user": user.id, "n": n})
    db.session.execute(text("ANALYZE notifications"))
    with statements("notifications") as run:
        assert service.unread_count(supervisor) == service.BADGE_CAP + 1
        assert len(service.page_of(supervisor, 3, 50).items) == 50
        assert len(service.page_of(supervisor, 1, 50, unread=True).items) == 50
    plans = explain(run)
    assert len(plans) == 5  # the badge; a count and a page for each list
    for plan in plans:
        # Each stops after the rows it shows (a Limit over an index or a scan that stops early); none
        # reads and sorts every reminder of the user, as the window count and the full count did.
        assert plan.startswith(("Limit", "Aggregate")) and "Limit" in plan.splitlines()[0 if plan.startswith(
            "Limit") else 1], plan
        assert "Sort" not in plan and "WindowAgg" not in plan, plan
    unread_page = plans[-1]  # newest first: the index read backwards, no sort
    assert "Index Scan Backward" in unread_page and "notifications" in unread_page, unread_page
