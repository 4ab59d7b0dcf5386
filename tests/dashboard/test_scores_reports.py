"""The weekly score stored per closed ISO week (idempotent, frozen with its rule set) and the periodic
report's path: generated, reviewed, signed by the principal only, submitted once, seen by the authority."""

from __future__ import annotations

from datetime import UTC, timedelta

from app.clock import today, utcnow
from app.dashboard import scores
from app.dashboard.models import WeeklyScoreRecord
from app.extensions import db
from tests.supervision.conftest import as_user, login_as, stored_hazard
from workflows.isoweek import last_complete_week


def test_scan_freezes_last_week_once(world, db_session):
    week = last_complete_week(utcnow().replace(tzinfo=UTC))
    # A major hazard overdue since before the week: veto → 0; its due count 1, none accepted.
    h = stored_hazard(world.enterprises.a, level="major", overdue_by=20)
    h.created_at = utcnow() - timedelta(days=30)
    db_session.commit()
    first = scores.scan_step()
    assert first["week"] == str(week) and first["scored"] == 2
    assert scores.scan_step()["scored"] == 0  # idempotent
    rows = {r.enterprise_id: r for r in db.session.scalars(
        db.select(WeeklyScoreRecord).where(WeeklyScoreRecord.week == str(week)))}
    a, b = rows[world.enterprises.a.id], rows[world.enterprises.b.id]
    assert (a.due_hazards, a.accepted_hazards, a.alpha, a.score) == (1, 0, 0, 0.0)
    assert a.vetoes == ["major_hazard_overdue"] and a.rule_set == "default@2026.1"
    # Enterprise b: nothing planned, nothing due (A = B = 50), no hazard found (隐患过少 −10) → 90.
    assert (b.a, b.b, b.score) == (50.0, 40.0, 90.0)


def test_scores_api(client, world, db_session):
    scores.scan_step()
    db_session.commit()
    week = str(last_complete_week(utcnow().replace(tzinfo=UTC)))
    headers = as_user(client, world.users.city_supervisor)
    got = client.get(f"/api/v1/scores?week={week}", headers=headers)
    assert got.status_code == 200, got.get_json()
    items = got.get_json()["items"]
    assert {i["enterprise_id"] for i in items} == {world.enterprises.a.id, world.enterprises.b.id}
    assert set(items[0]) >= {"enterprise_id", "week", "planned", "done", "due_hazards", "accepted_hazards", "a", "b",
                             "alpha", "score", "run_level", "rule_set"}
    assert client.get("/api/v1/scores?week=2025-W53", headers=headers).status_code == 422
    future = (today() + timedelta(days=14)).isocalendar()
    assert client.get(f"/api/v1/scores?week={future[0]}-W{future[1]:02d}", headers=headers).status_code == 422
    county = as_user(client, world.users.supervisor)
    assert client.get(f"/api/v1/scores?region_id={world.regions.county_b.id}", headers=county).status_code == 404
    own = client.get("/api/v1/scores", headers=as_user(client, world.users.manager)).get_json()["items"]
    assert [i["enterprise_id"] for i in own] == [world.enterprises.a.id]


def test_score_pages(client, world, db_session):
    scores.scan_step()
    db_session.commit()
    login_as(client, world.users.manager)
    page = client.get("/dashboard/scores").get_data(as_text=True)
    assert 'id="figure-weekly_score"' in page and "隐患过少" in page  # how to improve
    login_as(client, world.users.city_supervisor)
    ranking = client.get("/dashboard/scores")
    assert ranking.status_code == 200 and "甲化工有限公司" in ranking.get_data(as_text=True)
    assert client.get("/dashboard/scores?format=xlsx").status_code == 200
    assert client.get("/dashboard/ranking?by=score").status_code == 200
    assert client.get("/dashboard/ranking?level=region&format=xlsx").status_code == 200


def _quarter_before(day):
    q = (day.month - 1) // 3 + 1
    return f"{day.year}-Q{q - 1}" if q > 1 else f"{day.year - 1}-Q4"


def test_periodic_report_path(client, world, db_session):
    period = _quarter_before(today())
    manager = as_user(client, world.users.manager)
    this_q = f"{today().year}-Q{(today().month - 1) // 3 + 1}"
    not_ended = client.post("/api/v1/periodic-reports", json={"period": this_q}, headers=manager)
    assert not_ended.status_code == 422 and "period" in str(not_ended.get_json())
    created = client.post("/api/v1/periodic-reports", json={"period": period}, headers=manager)
    assert created.status_code == 201, created.get_json()
    report = created.get_json()
    assert report["state"] == "draft" and "totals" in report["figures"]
    rid = report["id"]
    todo = client.get("/api/v1/todos", headers=manager).get_json()["items"]
    assert ("report_review", rid) in [(i["kind"], i["object_id"]) for i in todo]
    assert client.post(f"/api/v1/periodic-reports/{rid}/review", headers=manager).status_code == 200
    assert client.post(f"/api/v1/periodic-reports/{rid}/approval", headers=manager).status_code == 403
    # The authority sees nothing before submission.
    authority = as_user(client, world.users.supervisor)
    listed = client.get(f"/api/v1/periodic-reports?period={period}", headers=authority).get_json()["items"]
    assert [i["state"] for i in listed] == ["missing"]
    principal = as_user(client, world.users.principal)

    def waiting(headers):  # the to-do list's periodic-report items: (kind, id)
        items = client.get("/api/v1/todos", headers=headers).get_json()["items"]
        return [(i["kind"], i["object_id"]) for i in items if i["object_type"] == "periodic_report"]

    assert waiting(principal) == [("report_sign", rid)] and waiting(manager) == []
    signed = client.post(f"/api/v1/periodic-reports/{rid}/approval", headers=principal)
    assert signed.status_code == 200 and signed.get_json()["number"].startswith("隐统〔")
    assert waiting(principal) == [("report_submit", rid)] == waiting(manager)
    assert client.post(f"/api/v1/periodic-reports/{rid}/submission", headers=principal).status_code == 200
    assert waiting(principal) == [] == waiting(manager)
    assert client.post(f"/api/v1/periodic-reports/{rid}/submission", headers=principal).status_code == 409
    authority = as_user(client, world.users.supervisor)
    listed = client.get(f"/api/v1/periodic-reports?period={period}", headers=authority).get_json()["items"]
    assert listed[0]["state"] == "submitted" and listed[0]["report"]["id"] == rid
    login_as(client, world.users.supervisor)
    page = client.get(f"/dashboard/reports?period={period}").get_data(as_text=True)
    assert "甲化工有限公司" in page
    pdf = client.get(f"/dashboard/reports/{rid}.pdf")
    assert pdf.status_code == 200 and pdf.data[:4] == b"%PDF"
    # Foreign authority: not found.
    other = as_user(client, world.users.supervisor_b)
    assert client.get(f"/api/v1/periodic-reports/{rid}", headers=other).status_code == 404


def test_signed_report_pdf_is_stored_with_its_digest(client, world, db_session):
    """What the principal signed is stored once: re-downloaded byte-identical, its SHA-256 on the report and
    the verify page; an altered stored file is never served nor submitted."""
    import hashlib
    import io

    from pypdf import PdfReader

    from app import storage

    period = _quarter_before(today())
    manager = as_user(client, world.users.manager)
    rid = client.post("/api/v1/periodic-reports", json={"period": period}, headers=manager).get_json()["id"]
    assert client.get(f"/api/v1/periodic-reports/{rid}", headers=manager).get_json()["pdf_sha256"] is None
    client.post(f"/api/v1/periodic-reports/{rid}/review", headers=manager)
    principal = as_user(client, world.users.principal)
    signed = client.post(f"/api/v1/periodic-reports/{rid}/approval", headers=principal).get_json()
    digest = signed["pdf_sha256"]
    first = client.get(f"/api/v1/periodic-reports/{rid}.pdf", headers=principal)
    assert first.status_code == 200 and hashlib.sha256(first.data).hexdigest() == digest
    assert signed["pdf_size"] == len(first.data)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(first.data)).pages)
    assert signed["number"] in text and world.users.principal.display_name in text
    assert client.post(f"/api/v1/periodic-reports/{rid}/submission", headers=principal).status_code == 200
    # The authority downloads the very bytes that were signed, and the public verify page names the digest.
    login_as(client, world.users.supervisor)
    again = client.get(f"/dashboard/reports/{rid}.pdf")
    assert again.data == first.data
    from app.dashboard.models import PeriodicReport

    token = db.session.get(PeriodicReport, rid).verify_token
    assert digest in client.get(f"/verify/periodic-reports/{token}").get_data(as_text=True)
    # Tampered on disk: refused (404), never served.
    storage.path_for(digest).write_bytes(first.data + b"%tampered")
    assert client.get(f"/dashboard/reports/{rid}.pdf").status_code == 404
