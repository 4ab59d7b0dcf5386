"""The access matrix.

(a) Every rule of ``app.url_map`` (features added later are swept automatically) refuses an
    anonymous visitor: web pages redirect to the login page, the API answers 401 in JSON; only the
    allow-listed public endpoints answer without a login.
(b) Role × endpoint for the organisation pages and API, with foreign objects (another county's
    enterprise, region and authority, another enterprise's user) answering 404.
"""

from __future__ import annotations

import re

import pytest

from tests.access import Row, check_row, rows_as_params

# Endpoints anyone may call without logging in, and path prefixes that are public by design.
PUBLIC_ENDPOINTS = {
    "auth.login", "auth.set_language", "static", "ui.healthz", "ui.favicon",
    "auth_api.issue_token", "api-docs.openapi_json",
    # the installable app: what a browser fetches without cookies (nothing about a user in them)
    "frontend.manifest", "frontend.service_worker", "frontend.offline",
    # the national data exchange's receiving endpoints: machine to machine, each enterprise authenticated by
    # its own key (401 in the receipt format without it), never by a user's session (docs/exchange.md)
    "exchange_receive.receive",
    # public reports (举报): the form, the ticket page and their API, for people without an account
    "public_reports_public.form", "public_reports_public.track", "public_reports_api.file_report",
    "public_reports_api.follow_report", "public_reports_api.new_challenge",
}
PUBLIC_PREFIXES = ("/verify/", "/public/")
_ARG = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
SAMPLES = {"int": "1", "float": "1.0", "uuid": "00000000-0000-0000-0000-000000000001", "path": "x/y"}


def sample_url(rule) -> str:
    return _ARG.sub(lambda m: SAMPLES.get(m.group(1) or "default", "x"), rule.rule)


def swept_rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def is_public(rule) -> bool:
    return rule.endpoint in PUBLIC_ENDPOINTS or rule.rule.startswith(PUBLIC_PREFIXES)


def test_every_endpoint_refuses_anonymous_visitors(app, client):
    failures, swept = [], 0
    for rule, method in swept_rules(app):
        url = sample_url(rule)
        resp = app.test_client().open(url, method=method)
        swept += 1
        if is_public(rule):
            if resp.status_code >= 500:
                failures.append(f"{method} {url} (public): {resp.status_code}")
            continue
        if url.startswith("/api/"):
            body = resp.get_json(silent=True) or {}
            if resp.status_code != 401 or body.get("error", {}).get("code") != "unauthorized":
                failures.append(f"{method} {url}: expected 401 JSON, got {resp.status_code} {body}")
        elif resp.status_code != 302 or "/login" not in resp.headers.get("Location", ""):
            failures.append(f"{method} {url}: expected redirect to login, got {resp.status_code} "
                            f"{resp.headers.get('Location')}")
    assert swept > 30  # the organisation pages and API at least
    assert not failures, "\n".join(failures)


def test_the_sweep_sees_the_organisation_endpoints(app):
    endpoints = {rule.endpoint for rule, _ in swept_rules(app)}
    assert {"organisations.enterprises", "organisations.user_edit", "organisations_api.EnterpriseList"} <= endpoints


def test_public_endpoints_answer_without_login(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/static/css/app.css").status_code == 200


# (b) role × endpoint. Enterprise roles belong to enterprise a (county a); inspector, supervisor and
# authority_admin to county a's authority; "b" objects are in county b (foreign to all but admin).
ENTERPRISE_ROLES = dict(enterprise_staff=200, enterprise_principal=200, enterprise_manager=200)
GOVERNMENT = dict(inspector=200, supervisor=200, authority_admin=200)
EVERYONE = dict(ENTERPRISE_ROLES, **GOVERNMENT, admin=200)
NEW_REGION = {"code": "{county_a_code}001", "name": "新镇", "level": "town", "parent_id": "{county_a}"}
NEW_AUTHORITY = {"region_id": "{county_a}", "name": "甲县第二应急管理局", "abbreviation": "甲二",
                 "review_body": "甲县人民政府", "court": "甲县人民法院"}


def new_user(username, role="enterprise_staff", **anchor):
    return {"username": username, "display_name": "新用户", "role": role, "password": "long-enough-1",
            **(anchor or {"enterprise_id": "{ent_a}"})}


# Each account-making role once (the others skipped: the same username would be taken).
ONLY = dict(enterprise_manager=None, authority_admin=None, admin=None)

ORGANISATION_ROWS = [
    # the shell
    Row("GET", "/", **EVERYONE),
    Row("GET", "/account/password", **EVERYONE),
    Row("GET", "/setup", default=403, admin=200),
    # enterprises: pages (an authority's administrator keeps those of its region)
    Row("GET", "/enterprises", **EVERYONE),
    Row("GET", "/enterprises/{ent_a}", **EVERYONE),
    Row("GET", "/enterprises/{ent_b}", default=404, admin=200),
    Row("GET", "/enterprises/new", default=403, authority_admin=200, admin=200),
    Row("GET", "/enterprises/{ent_a}/edit", default=403, enterprise_manager=200, authority_admin=200, admin=200),
    Row("GET", "/enterprises/{ent_b}/edit", default=404, admin=200),
    Row("POST", "/enterprises/{ent_a}/edit", data={"address": "新地址1号", "standardisation_level": "level_2",
                                                  "scale": "medium"},
        default=403, enterprise_manager=302, authority_admin=None, admin=None),
    Row("GET", "/enterprises/{ent_a}/transfer", default=403, admin=200),
    Row("GET", "/enterprises/{ent_a}/departments/new", default=403, enterprise_manager=200, authority_admin=200,
        admin=200),
    Row("POST", "/enterprises/{ent_b}/departments/new", data={"name": "外部门", "level": "department"},
        default=404, admin=302),
    Row("GET", "/departments/{dept_a}/edit", default=403, enterprise_manager=200, authority_admin=200, admin=200),
    # retiring a unit whose people have not moved: refused with a message, nothing changed
    Row("POST", "/departments/{dept_a}/retire", default=403, enterprise_manager=302, authority_admin=302,
        admin=302),
    # regions and authorities: pages
    Row("GET", "/regions", default=403, **GOVERNMENT, admin=200),
    Row("GET", "/regions/{county_a}", **EVERYONE),
    Row("GET", "/regions/{county_b}", default=404, admin=200),
    Row("GET", "/regions/new", default=403, admin=200),
    Row("GET", "/regions/{county_a}/edit", default=403, admin=200),
    Row("GET", "/regions/{county_b}/edit", default=404, admin=200),
    Row("GET", "/authorities", default=403, **GOVERNMENT, admin=200),
    Row("GET", "/authorities/{auth_a}", **EVERYONE),
    Row("GET", "/authorities/{auth_b}", default=404, admin=200),
    Row("GET", "/authorities/new", default=403, admin=200),
    Row("GET", "/authorities/{auth_a}/edit", default=403, admin=200),
    # users: pages (a manager keeps his staff; an authority's administrator its region's accounts)
    Row("GET", "/users", default=200, enterprise_staff=403),
    Row("GET", "/users/{user_staff}", **EVERYONE),
    Row("GET", "/users/{user_manager}", default=200, enterprise_staff=403),
    Row("GET", "/users/{user_manager_b}", default=404, admin=200),
    Row("GET", "/users/{user_inspector_b}", default=404, admin=200),
    Row("GET", "/users/new", default=403, enterprise_manager=200, authority_admin=200, admin=200),
    Row("GET", "/users/{user_staff}/edit", default=403, enterprise_manager=200, authority_admin=200, admin=200),
    Row("GET", "/users/{user_staff}/password", default=403, enterprise_manager=200, authority_admin=200,
        admin=200),
    Row("GET", "/users/{user_principal}/edit", default=403, authority_admin=200, admin=200),
    Row("GET", "/users/{user_inspector}/edit", default=403, enterprise_staff=404, enterprise_principal=404,
        enterprise_manager=404, authority_admin=200, admin=200),
    Row("GET", "/users/{user_city_inspector}/edit", default=404, admin=200),
    Row("POST", "/users/{user_staff_b}/retire", default=404, admin=302),
    # audit log
    Row("GET", "/audit-log", default=403, authority_admin=200, admin=200),
    Row("GET", "/api/v1/audit-log", default=403, authority_admin=200, admin=200),
    # API: reads
    Row("GET", "/api/v1/enterprises", **EVERYONE),
    Row("GET", "/api/v1/enterprises/{ent_a}", **EVERYONE),
    Row("GET", "/api/v1/enterprises/{ent_b}", default=404, admin=200),
    Row("GET", "/api/v1/enterprises/{ent_a}/departments", **EVERYONE),
    Row("GET", "/api/v1/enterprises/{ent_b}/departments", default=404, admin=200),
    Row("GET", "/api/v1/industries", **EVERYONE),
    Row("GET", "/api/v1/regions", default=403, **GOVERNMENT, admin=200),
    Row("GET", "/api/v1/regions/{county_a}", **EVERYONE),
    Row("GET", "/api/v1/regions/{county_b}", default=404, admin=200),
    Row("GET", "/api/v1/authorities", default=403, **GOVERNMENT, admin=200),
    Row("GET", "/api/v1/authorities/{auth_a}", **EVERYONE),
    Row("GET", "/api/v1/authorities/{auth_b}", default=404, admin=200),
    Row("GET", "/api/v1/users", default=200, enterprise_staff=403),
    Row("GET", "/api/v1/users/{user_manager}", default=200, enterprise_staff=403),
    Row("GET", "/api/v1/users/{user_manager_b}", default=404, admin=200),
    # API: writes
    Row("POST", "/api/v1/enterprises", json={"name": "x"}, default=403, authority_admin=422, admin=422),
    Row("PATCH", "/api/v1/enterprises/{ent_a}", json={"address": "新地址2号"}, default=403, authority_admin=200,
        admin=200),
    Row("PATCH", "/api/v1/enterprises/{ent_b}", json={"address": "新地址3号"}, default=404, admin=200),
    Row("POST", "/api/v1/regions", json=NEW_REGION, default=403, admin=201),
    Row("PATCH", "/api/v1/regions/{county_a}", json={"name": "甲县新名"}, default=403, admin=200),
    Row("PATCH", "/api/v1/regions/{county_b}", json={"name": "乙县新名"}, default=404, admin=200),
    Row("POST", "/api/v1/authorities", json=NEW_AUTHORITY, default=403, admin=201),
    Row("PATCH", "/api/v1/authorities/{auth_a}", json={"phone": "0793-1"}, default=403, admin=200),
    Row("PATCH", "/api/v1/authorities/{auth_b}", json={"phone": "0793-2"}, default=404, admin=200),
    Row("POST", "/api/v1/users", json=new_user("matrix_m"), default=403, **dict(ONLY, enterprise_manager=201)),
    Row("POST", "/api/v1/users", json=new_user("matrix_aa"), default=403, **dict(ONLY, authority_admin=201)),
    Row("POST", "/api/v1/users", json=new_user("matrix_admin"), default=403, **dict(ONLY, admin=201)),
    Row("POST", "/api/v1/users", json=new_user("matrix_insp", "inspector", authority_id="{auth_a}",
                                               certificate_no="36009999"),
        default=403, **dict(ONLY, authority_admin=201)),
    Row("POST", "/api/v1/users", json=new_user("matrix_root", "admin", enterprise_id=None), default=403,
        admin=None),
    Row("POST", "/api/v1/users", json=new_user("matrix_b", enterprise_id="{ent_b}"), default=403, admin=None),
    Row("POST", "/api/v1/users", json=new_user("matrix_ib", "inspector", authority_id="{auth_b}",
                                               certificate_no="36009998"), default=403, admin=None),
    Row("PATCH", "/api/v1/users/{user_staff}", json={"phone": "13912345678"}, default=403, enterprise_manager=200,
        authority_admin=200, admin=200),
    Row("PATCH", "/api/v1/users/{user_staff}", json={"role": "enterprise_principal"}, default=403,
        authority_admin=200, admin=None),
    Row("PATCH", "/api/v1/users/{user_staff_b}", json={"phone": "13912345678"}, default=404, admin=200),
    Row("POST", "/api/v1/auth/password", json={"current": "not-mine-1", "password": "whatever-2"},
        default=422, anonymous=401),
    # the other object types: an authority's administrator reads its region like its officers, but
    # reports, inspects, decides and issues nothing (it is not an officer)
    Row("GET", "/hazards/", inspector=200, supervisor=200, authority_admin=200),
    Row("GET", "/hazards/new", inspector=200, supervisor=403, authority_admin=403),
    Row("GET", "/risks/", inspector=200, supervisor=200, authority_admin=200),
    Row("GET", "/risks/new", inspector=403, supervisor=403, authority_admin=403),
    Row("GET", "/documents/", inspector=200, supervisor=200, authority_admin=200),
    Row("GET", "/supervision/listings", inspector=200, supervisor=200, authority_admin=200),
    Row("GET", "/supervision/queue", inspector=403, supervisor=200, authority_admin=403),
    Row("GET", "/supervision/inspections", inspector=200, supervisor=200, authority_admin=200),
    Row("GET", "/supervision/inspections/new", inspector=200, supervisor=403, authority_admin=403),
    # veto items of the weekly score: entered by an authority's officers over their region's enterprises
    Row("GET", "/api/v1/scores/vetoes", **EVERYONE),
    Row("POST", "/api/v1/scores/vetoes", json={"enterprise_id": "{ent_b}", "week": "2026-W01",
                                               "code": "fatal_accident", "reason": "x"},
        default=403, inspector=404, supervisor=404),
    Row("POST", "/api/v1/scores/vetoes", json={"enterprise_id": "{ent_a}", "week": "2026-W01",
                                               "code": "major_hazard_overdue", "reason": "x"},
        default=403, inspector=422, supervisor=422),
]


@pytest.mark.parametrize("row", rows_as_params(ORGANISATION_ROWS))
def test_organisation_access(app, world, row):
    check_row(app, world, row)


# Exports (app/exports): "My exports" is everyone's own page; a kept file is its owner's alone.
EXPORT_ROWS = [
    Row("GET", "/exports/", **EVERYONE),
    Row("GET", "/exports/{export_manager}", default=404, enterprise_manager=200),
    Row("GET", "/exports/{export_manager}/download", default=404, enterprise_manager=200),
    Row("GET", "/exports/{export_admin}/download", default=404, admin=200),
]


@pytest.mark.parametrize("row", rows_as_params(EXPORT_ROWS))
def test_export_access(app, world, row):
    from datetime import timedelta

    from app import xlsx
    from app.clock import utcnow
    from app.exports import service
    from app.exports.models import Export, ExportState
    from app.extensions import db

    ids = {}
    for key, user in (("export_manager", world.users.manager), ("export_admin", world.users.admin)):
        name = f"matrix-{key}.xlsx"
        xlsx.write(xlsx.Sheet("t", ["a"], [[1]]), str(service.folder() / name))
        export = Export(user_id=user.id, kind="hazards.register", params={}, title="隐患台账",
                        filename="hazard-register.xlsx", state=ExportState.ready, expected_rows=1, rows=1,
                        path=name, finished_at=utcnow(), expires_at=utcnow() + timedelta(hours=1))
        db.session.add(export)
        db.session.flush()
        ids[key] = export.id
    db.session.commit()
    check_row(app, world, row, **ids)


# The data exchange (issue 21): push status per enterprise. Enterprise a's users and county a's authorities
# see a's status, nobody but admin b's; managers and principals ask for a push (it is configured for a only).
EXCHANGE_ROWS = [
    Row("GET", "/exchange/", **EVERYONE),
    Row("GET", "/exchange/{ent_a}", **EVERYONE),
    Row("GET", "/exchange/{ent_b}", default=404, admin=200),
    Row("GET", "/api/v1/exchange/status", **EVERYONE),
    Row("GET", "/api/v1/exchange/status/{ent_a}", **EVERYONE),
    Row("GET", "/api/v1/exchange/status/{ent_b}", default=404, admin=200),
    Row("POST", "/api/v1/exchange/status/{ent_a}/push", default=403, enterprise_manager=202,
        enterprise_principal=202, admin=202),
    Row("POST", "/api/v1/exchange/status/{ent_b}/push", default=404, admin=422),
    Row("GET", "/api/v1/exchange/received", default=403, **GOVERNMENT, admin=200),
    Row("GET", "/exchange/received", default=403, **GOVERNMENT, admin=200),
]


@pytest.fixture
def exchange_world(app, world):
    from app.exchange.models import ExchangeStatus
    from app.extensions import db

    for enterprise in (world.enterprises.a, world.enterprises.b):
        db.session.add(ExchangeStatus(enterprise_id=enterprise.id, profile="p", failures=0, pending_rows=0,
                                      refused_rows=0, acknowledged_rows=0))
    db.session.commit()
    saved = dict(app.config["EXCHANGE_ENTERPRISES"])
    # Configured without a reachable profile: an asked-for push records its error, it reaches no one.
    app.config["EXCHANGE_ENTERPRISES"] = {world.enterprises.a.credit_code: {"profile": "none",
                                                                            "company_code": "123456789"}}
    yield world
    app.config["EXCHANGE_ENTERPRISES"] = saved


@pytest.mark.parametrize("row", rows_as_params(EXCHANGE_ROWS))
def test_exchange_access(app, exchange_world, row):
    check_row(app, exchange_world, row)
# Public reports: the region's authorities read them (county a's report; county b's is foreign); the
# handling authority's inspectors and supervisors handle them; only its supervisor approves a reward;
# enterprises never see them.
REPORT_ROWS = [
    Row("GET", "/reports/", default=403, inspector=200, supervisor=200, authority_admin=200, admin=200),
    Row("GET", "/reports/{report_a}", default=404, inspector=200, supervisor=200, authority_admin=200, admin=200),
    Row("GET", "/reports/{report_b}", default=404, admin=200),
    Row("GET", "/reports/statistics", default=403, inspector=200, supervisor=200, authority_admin=200, admin=200),
    Row("GET", "/reports/designees", default=403, supervisor=200, authority_admin=200),
    Row("GET", "/reports/qr", default=403, inspector=200, supervisor=200, authority_admin=200),
    Row("GET", "/api/v1/reports/{report_a}", default=404, inspector=200, supervisor=200, authority_admin=200,
        admin=200),
    Row("GET", "/api/v1/reports/{report_b}", default=404, admin=200),
    Row("POST", "/api/v1/reports/{report_a}/decision", json={"action": "reject", "reason": "不属于安全生产"},
        default=404, authority_admin=403, admin=403, inspector=200, supervisor=None),
    Row("POST", "/api/v1/reports/{report_b}/decision", json={"action": "accept"}, default=404, admin=403),
    Row("POST", "/api/v1/reports/{report_a}/reward/approval", json={}, default=404, inspector=403,
        authority_admin=403, admin=403, supervisor=409),
]


@pytest.mark.parametrize("row", rows_as_params(REPORT_ROWS))
def test_public_report_access(app, world, row):
    from app.extensions import db
    from app.public_reports import service

    report_a, _secret = service.submit(category="other", location="甲县某处", description="x",
                                       authority_id=world.authorities.county_a.id)
    report_b, _secret = service.submit(category="other", location="乙县某处", description="x",
                                       authority_id=world.authorities.county_b.id)
    db.session.commit()
    check_row(app, world, row, report_a=report_a.id, report_b=report_b.id)
# Credit records and the serious-dishonesty list (app/credit): records of enterprise a (county a), a
# record of enterprise b (foreign), an entry proposed by county a's inspector (enterprises do not see
# proposals); the public page of an authority answers everyone.
CREDIT_ROWS = [
    Row("GET", "/credit/", **EVERYONE),
    Row("GET", "/credit/enterprises/{ent_a}", **EVERYONE),
    Row("GET", "/credit/enterprises/{ent_b}", default=404, admin=200),
    Row("GET", "/api/v1/enterprises/{ent_a}/credit-records", **EVERYONE),
    Row("GET", "/api/v1/enterprises/{ent_b}/credit-records", default=404, admin=200),
    Row("POST", "/api/v1/enterprises/{ent_b}/credit-records", json={"kind": "manual", "source": "外区记录"},
        default=404, admin=403),
    Row("POST", "/api/v1/enterprises/{ent_a}/credit-records", json={"kind": "manual", "source": "检查记录"},
        default=403, inspector=201, supervisor=201),
    Row("POST", "/api/v1/credit-records/{foreign_record}/objection", json={"reason": "异议"}, default=404,
        admin=403),
    Row("POST", "/api/v1/credit-records/{record}/decision", json={"action": "uphold", "reason": "维持"},
        default=403, supervisor=409),  # nothing objected: nothing to uphold
    Row("GET", "/credit/entries/{entry}", default=200, enterprise_staff=404, enterprise_principal=404,
        enterprise_manager=404),
    Row("GET", "/api/v1/dishonesty-list/{entry}", default=200, enterprise_staff=404, enterprise_principal=404,
        enterprise_manager=404),
    Row("GET", "/api/v1/dishonesty-list", **EVERYONE),
    Row("POST", "/api/v1/dishonesty-list/{entry}/decision", json={"action": "refuse"}, default=403,
        enterprise_staff=404, enterprise_principal=404, enterprise_manager=404, supervisor=422),
    Row("GET", "/public/credit/{auth_a}", default=200, anonymous=200),
]


@pytest.mark.parametrize("row", rows_as_params(CREDIT_ROWS))
def test_credit_access(app, world, db_session, row):
    from app.credit import dishonesty, service
    from app.credit.models import CreditFactKind

    (record,) = service.record_fact(world.enterprises.a, CreditFactKind.review_failed, source="隐患复查不合格",
                                    fact_key="matrix:a")
    (foreign,) = service.record_fact(world.enterprises.b, CreditFactKind.review_failed, source="隐患复查不合格",
                                     fact_key="matrix:b")
    entry = dishonesty.propose(world.users.inspector, enterprise_id=world.enterprises.a.id, condition="unlicensed",
                               penalty_decision="（甲）应急罚〔2026〕1号", evidence={"unlicensed": "暂扣期间生产"})
    db_session.commit()
    check_row(app, world, row, record=record.id, foreign_record=foreign.id, entry=entry.id)
