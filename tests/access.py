"""Table-driven access checks: one row per endpoint, one expected status per role.

Use it from any feature's tests (with the ``world`` fixture of tests/conftest.py)::

    from tests.access import Row, check_row, rows_as_params

    ROWS = [
        Row("GET", "/hazards/{hazard}", admin=200, enterprise_manager=200, inspector=200, supervisor=200,
            enterprise_principal=200, enterprise_staff=200),
        Row("GET", "/hazards/{foreign_hazard}", default=404, admin=200),
        Row("POST", "/api/v1/hazards/{hazard}/accept", json={"note": "ok"}, default=403, inspector=200),
    ]

    @pytest.mark.parametrize("row", rows_as_params(ROWS))
    def test_hazard_access(app, world, row):
        hazard = ...  # build what the rows need
        check_row(app, world, row, hazard=hazard.id, foreign_hazard=other.id)

* Roles are docs/design.md's identifiers; each maps to a user of ``world`` (enterprise roles belong to
  enterprise ``a`` in county ``a``; inspector, supervisor and authority_admin to county ``a``'s authority).
* ``default`` is the status of every role not named; ``anonymous`` defaults to 302 (to the login
  page) for web pages and 401 for ``/api/`` paths. A role whose status is None is skipped.
* URL placeholders and body values written ``"{key}"`` come from ``world_targets(world)`` plus the
  keyword arguments of ``check_row``. Requests run with roles in ROLES order (admin last), so a
  write that only admin may do changes nothing before the refused roles have been tried.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import api_token, login

ROLES = ("anonymous", "enterprise_staff", "enterprise_principal", "enterprise_manager", "inspector",
         "supervisor", "authority_admin", "admin")
ROLE_USERS = {  # role -> attribute of world.users
    "enterprise_staff": "staff", "enterprise_principal": "principal", "enterprise_manager": "manager",
    "inspector": "inspector", "supervisor": "supervisor", "authority_admin": "authority_admin", "admin": "admin",
}
_PLACEHOLDER = re.compile(r"^\{(\w+)\}$")


class Row:
    method: str
    url: str
    default: int | None = None
    data: dict | None = None  # form body (web pages)
    json: dict | None = None  # JSON body (API)
    expect: dict

    def __init__(self, method: str, url: str, *, default: int | None = None, data: dict | None = None,
                 json: dict | None = None, **expect: int | None):
        unknown = set(expect) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles in access row {url}: {sorted(unknown)}")
        self.method, self.url, self.default, self.data, self.json = method, url, default, data, json
        self.expect = expect

    @property
    def is_api(self) -> bool:
        return self.url.startswith("/api/")

    def expected(self, role: str) -> int | None:
        if role in self.expect:
            return self.expect[role]
        if role == "anonymous":
            return 401 if self.is_api else 302
        return self.default


def rows_as_params(rows: list[Row]) -> list:
    return [pytest.param(r, id=f"{r.method} {r.url}") for r in rows]


def world_targets(world) -> dict:
    """Ids of the ``world`` fixture, for URL placeholders."""
    t = {
        "ent_a": world.enterprises.a.id, "ent_b": world.enterprises.b.id,
        "province": world.regions.province.id, "city": world.regions.city.id,
        "county_a": world.regions.county_a.id, "county_a_code": world.regions.county_a.code,
        "county_b": world.regions.county_b.id,
        "auth_city": world.authorities.city.id, "auth_a": world.authorities.county_a.id,
        "auth_b": world.authorities.county_b.id, "dept_a": world.departments.a.id,
    }
    for name, user in vars(world.users).items():
        t[f"user_{name}"] = user.id
    return t


def _fill(value, targets: dict):
    if isinstance(value, str):
        m = _PLACEHOLDER.match(value)
        return targets[m.group(1)] if m else value.format(**targets)
    if isinstance(value, dict):
        return {k: _fill(v, targets) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, targets) for v in value]
    return value


def request_as(app, world, role: str, row: Row, targets: dict):
    client = app.test_client()
    url = row.url.format(**targets)
    headers = {}
    if role != "anonymous":
        user = getattr(world.users, ROLE_USERS[role])
        if row.is_api:
            headers = api_token(client, user)
        else:
            login(client, user)
    kwargs = {"headers": headers}
    if row.json is not None:
        kwargs["json"] = _fill(row.json, targets)
    if row.data is not None:
        kwargs["data"] = _fill(row.data, targets)
    return client.open(url, method=row.method, **kwargs)


def check_row(app, world, row: Row, **extra_targets) -> None:
    """Request ``row`` as every role; fail listing every role whose status differs."""
    targets = world_targets(world) | extra_targets
    failures = []
    for role in ROLES:
        expected = row.expected(role)
        if expected is None:
            continue
        resp = request_as(app, world, role, row, targets)
        if resp.status_code != expected:
            failures.append(f"{role}: expected {expected}, got {resp.status_code}")
        elif role == "anonymous" and expected == 302 and "/login" not in resp.headers.get("Location", ""):
            failures.append(f"anonymous: redirected to {resp.headers.get('Location')}, not to the login page")
    assert not failures, f"{row.method} {row.url}: " + "; ".join(failures)
