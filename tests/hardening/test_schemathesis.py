"""Schemathesis over the OpenAPI document: generated requests, valid and invalid, never answer 500, and
every answer matches its documented schema (errors: the ``{"error": {...}}`` envelope). Bounded (fixed
seed, a few examples per operation, two callers) so it runs in the default suite: a new 500 fails CI."""

from __future__ import annotations

from collections import Counter

import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from tests.conftest import api_token

EXAMPLES = 15
SEED = 20261129


def _exercise(app, headers: dict) -> list[str]:
    """Every operation of the document with generated input; the failures found."""
    api = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    statuses: Counter = Counter()
    for result in api.get_all_operations():
        operation = result.ok()
        if operation.method.upper() == "DELETE" and operation.path.endswith("/auth/token"):
            continue  # it revokes the very token the run calls with (tests/auth/test_sessions.py covers it)

        @seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            statuses[response.status_code // 100] += 1
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as exc:  # report every operation, not only the first that fails
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert statuses[2] > 50 and statuses[4] > 50, statuses  # it did reach the endpoints, both ways
    return failures


def test_as_enterprise_manager(app, client, world):
    assert _exercise(app, api_token(client, world.users.manager)) == []


def test_as_administrator(app, client, world):
    assert _exercise(app, api_token(client, world.users.admin)) == []


def test_the_documented_error_schema_is_the_envelope(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    ref = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/json"]["schema"]["$ref"]
    envelope = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert envelope["required"] == ["error"]
    detail = spec["components"]["schemas"][envelope["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert set(detail["properties"]) == {"code", "message", "fields"}
    assert detail["properties"]["code"]["type"] == "string"
