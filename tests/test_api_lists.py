"""Every API list answers one envelope, ``{items, page, per_page, total, has_next}`` (app/paging.py),
documented as such in the OpenAPI document; every collection that can be created can be listed."""

from __future__ import annotations

from app.checks import service as checks
from app.documents import service as documents
from app.extensions import db
from app.risks import events, objects
from app.risks import service as risks
from tests.conftest import api_token
from tests.hazards.helpers import make_hazard

ENVELOPE = {"items", "page", "per_page", "total", "has_next"}
# Actions answering 201 that create rows of other collections (listed at their own paths).
# The public filing of a report (no login) is listed where the authorities read reports: /api/v1/reports.
ACTIONS = {"/api/v1/imports/enterprises", "/api/v1/imports/users", "/api/v1/public/reports"}
# Statistics whose contract (issue 14) is {totals, items}: one row per group, not a paged collection.
STATISTICS = {"/api/v1/stats/hazards"}


def _schema(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _answer_schema(spec: dict, operation: dict, status: str) -> dict | None:
    content = operation.get("responses", {}).get(status, {}).get("content", {}).get("application/json")
    return _schema(spec, content["schema"]) if content else None


def _lists(spec: dict) -> dict[str, dict]:
    """The GET operations of the document that answer a collection (an array or an ``items`` key)."""
    found = {}
    for path, operations in spec["paths"].items():
        answer = _answer_schema(spec, operations.get("get", {}), "200")
        if path in STATISTICS:
            continue
        if answer and (answer.get("type") == "array" or "items" in answer.get("properties", {})):
            found[path] = operations["get"]
    return found


def test_the_openapi_document_gives_every_list_the_envelope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    lists = _lists(spec)
    assert len(lists) >= 14
    for path, operation in lists.items():
        answer = _answer_schema(spec, operation, "200")
        assert answer.get("type") != "array", f"{path} answers a bare array"
        assert set(answer["properties"]) >= ENVELOPE and set(answer["required"]) >= ENVELOPE, path
        assert answer["properties"]["items"]["type"] == "array", path
        assert {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"} >= {"page", "per_page"}, path
    created = [path for path, operations in spec["paths"].items()
               if "201" in operations.get("post", {}).get("responses", {}) and path not in ACTIONS]
    assert created and not [path for path in created if path not in lists], "a collection that cannot be listed"


def test_every_list_answers_the_envelope(client, world):
    """Walk every list of the document as the administrator, one item a page."""
    hazard = make_hazard(world)
    point = risks.create_point(world.users.manager, world.enterprises.a.id, name="储罐区")
    obj = objects.create_object(world.users.manager, world.enterprises.a.id, name="液氯储罐区")
    event = events.events_of(point)[0]
    measure = events.create_measure(world.users.manager, event, description="安全阀定期校验", classify1=1,
                                    classify2="1-3", data_source="manual", check_content="铅封完好")
    db.session.flush()
    task = checks.create_task(world.users.manager, measure.id, cycle=1, cycle_unit="day",
                              starts_at="2026-01-05T08:00:00+08:00", assignee_user_id=world.users.staff.id)
    archive = documents.issue("hazard_archive", actor=world.users.admin, context={}, hazards=[hazard])
    from app.supervision import service as supervision
    from app.supervision.models import ProposalSource
    from tests.supervision.conftest import stored_hazard

    (listing,) = supervision.propose(stored_hazard(world.enterprises.a, level="major", grade="red"),
                                     ProposalSource.confirm)
    db.session.commit()
    ids = {"hazard_id": hazard.id, "point_id": point.id, "enterprise_id": world.enterprises.a.id,
           "object_id": obj.id, "event_id": event.id, "measure_id": measure.id, "task_id": task.id,
           "document_id": archive.id, "listing_id": listing.id}
    spec = client.get("/api/v1/openapi.json").get_json()
    headers = api_token(client, world.users.admin)
    for path in _lists(spec):
        url = path.format(**ids)
        resp = client.get(url + "?per_page=1", headers=headers)
        assert resp.status_code == 200, (url, resp.get_json())
        body = resp.get_json()
        assert set(body) >= ENVELOPE, url
        assert body["page"] == 1 and body["per_page"] == 1 and isinstance(body["total"], int), url
        assert len(body["items"]) == min(1, body["total"]), url
        assert body["has_next"] is (body["total"] > 1), url
        if body["has_next"]:
            second = client.get(url + "?per_page=1&page=2", headers=headers).get_json()
            assert second["page"] == 2 and second["items"] != body["items"], url
