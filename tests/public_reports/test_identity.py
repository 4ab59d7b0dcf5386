"""The reporter's identity: encrypted at rest with a key outside the database, in clear only for the
handling authority's designated users, masked or absent everywhere else (lists, exports, logs,
notifications, the API)."""

from __future__ import annotations

import logging

from sqlalchemy import select, text

from app.extensions import db
from app.notifications.models import Notification
from app.public_reports import identity, service
from app.public_reports.models import PublicReport
from tests.conftest import api_token, login
from tests.public_reports.conftest import NAME, PHONE, file_report

MASKED_NAME, MASKED_PHONE = "欧阳**", "139****5678"


def _filed(world, client) -> PublicReport:
    resp = file_report(client, enterprise_name=world.enterprises.a.name, name=NAME, phone=PHONE)
    return db.session.scalar(select(PublicReport).where(PublicReport.ticket == resp.get_json()["ticket"]))


def _leaks(text_: str) -> bool:
    return NAME in text_ or PHONE in text_ or "12345678" in text_


def test_the_identity_is_encrypted_at_rest(app, world, client):
    report = _filed(world, client)
    raw = db.session.execute(text("SELECT reporter_name_enc, reporter_phone_enc FROM public_reports WHERE id = :i"),
                             {"i": report.id}).one()
    assert not _leaks(" ".join(raw)) and raw[0].split(":")[0] == identity.keys().current_id
    assert identity.decrypt(raw[0], "name") == NAME
    # A ciphertext moved into the other column does not decrypt (the field is bound to it).
    import pytest

    with pytest.raises(identity.Undecryptable):
        identity.decrypt(raw[0], "phone")


def test_only_designated_users_read_it_and_nothing_else_shows_it(app, world, client, caplog):
    caplog.set_level(logging.DEBUG)
    report = _filed(world, client)
    inspector, supervisor = world.users.inspector, world.users.supervisor
    login(client, inspector)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert not _leaks(page) and MASKED_NAME in page and MASKED_PHONE in page

    login(client, supervisor)
    assert client.post("/reports/designees", data={"user_id": str(inspector.id)}).status_code == 302
    login(client, inspector)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert NAME in page and PHONE in page  # the designated user of the handling authority
    # ...and nowhere else, not even for him: the list, the export, the API, the to-do list.
    for url in ("/reports/", "/reports/export.csv", "/reports/statistics", "/todos"):
        resp = client.get(url)
        assert resp.status_code == 200 and not _leaks(resp.get_data(as_text=True)), url
    token = api_token(client, inspector)
    for url in ("/api/v1/reports", f"/api/v1/reports/{report.id}", "/api/v1/todos", "/api/v1/reports/statistics"):
        resp = client.get(url, headers=token)
        assert resp.status_code == 200 and not _leaks(resp.get_data(as_text=True)), url
    # A designee of another authority, or the city above, sees it masked.
    login(client, world.users.city_supervisor)
    page = client.get(f"/reports/{report.id}").get_data(as_text=True)
    assert not _leaks(page) and MASKED_NAME in page
    # Handled, rewarded: still absent from logs and reminders.
    service.decide(inspector, report.id, "accept")
    service.verify(inspector, report.id, substantiated=True, findings="属实")
    proposal = service.compute(inspector, report.id, fine=100000)
    assert proposal.amount == 15000 and not _leaks(proposal.basis)
    service.propose_reward(inspector, report.id, amount=proposal.amount, basis=proposal.basis)
    db.session.commit()
    texts = " ".join(db.session.scalars(select(Notification.text)))
    assert texts and not _leaks(texts)
    from app.admin_log import AuditEntry

    entries = db.session.scalars(select(AuditEntry)).all()
    assert any(e.action == "read_identity" and e.actor_id == inspector.id and e.object_id == report.id
               for e in entries)  # who read the identity is kept...
    assert not _leaks(" ".join(f"{e.summary} {e.before} {e.after}" for e in entries))  # ...not the identity
    login(client, world.users.admin)
    for url in ("/audit-log", "/api/v1/audit-log"):
        resp = client.get(url, headers=api_token(client, world.users.admin) if url.startswith("/api") else {})
        assert resp.status_code == 200 and not _leaks(resp.get_data(as_text=True)), url
    assert not _leaks(caplog.text)


def test_enterprises_never_see_reports(app, world, client):
    report = _filed(world, client)
    for user in (world.users.manager, world.users.principal):
        login(client, user)
        assert client.get(f"/reports/{report.id}").status_code == 404
        assert client.get("/reports/").status_code == 403


def test_report_substantiated_is_signalled(app, world, client):
    from app import signals

    seen = []
    report = _filed(world, client)
    def heard(r, actor=None, enterprise=None, category=None, **_kw):
        seen.append((r.id, category, enterprise))

    with signals.report_substantiated.added("test", heard):
        service.decide(world.users.inspector, report.id, "accept")
        service.verify(world.users.inspector, report.id, substantiated=True, findings="属实")
    assert seen == [(report.id, "major_hazard", report.enterprise)]


def test_deadlines_remind_and_fill_the_todo_list(app, world, client, monkeypatch):
    from datetime import timedelta

    from app.clock import moved_to, utcnow

    monkeypatch.setitem(app.config, "PUBLIC_REPORT_STEP_DAYS", {"screen": 3, "verify": 20, "close": 5})
    report = _filed(world, client)
    assert report.step_due is not None
    token = api_token(client, world.users.inspector)
    todos = client.get("/api/v1/todos?kind=public_report_handle", headers=token).get_json()
    assert [t["object_id"] for t in todos["items"]] == [report.id]
    assert todos["items"][0]["due"] == report.step_due.isoformat()
    with moved_to(utcnow() + timedelta(days=5)):
        assert service.remind()["reminded"] == 3  # county a's two inspectors and its supervisor
        assert service.remind()["reminded"] == 0  # once
    texts = list(db.session.scalars(select(Notification.text).where(Notification.user_id == world.users.inspector.id)))
    assert any(f"#{report.id}" in t and "逾期" in t for t in texts), texts
