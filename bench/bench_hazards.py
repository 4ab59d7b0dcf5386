"""Benchmarks of the hazard lifecycle and register (prints figures; not a test).

1. Full lifecycles (confirm → submit → accept) through the service layer, per second, on SQLite and
   PostgreSQL: in one transaction per lifecycle, with a commit per user action (each action a
   "request": its user loaded by id, the service, the commit), and the whole story with the report
   and the "after" photo upload. Median of 10 batches of 20, the variants taking turns; the bare
   machine (no database) is the in-process baseline.
2. The register (GET /hazards/ through the whole Flask stack, and the query alone) with 10 000 and
   100 000 hazards across 1 000 enterprises: first page and the state + overdue filter, p50 / p95,
   and the p95 ratio 100 000 / 10 000.

Each run creates its own data: temporary SQLite files, and the PostgreSQL databases ``bench_hazards``
and ``bench_hazards_large``, created and dropped here. The two sizes live in two databases and are
measured alternately, request by request, so that load from elsewhere on the machine hits both alike. Usage:

    .venv/bin/python bench/bench_hazards.py [--quick] [--no-postgres] [--lifecycles-only]
        [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_DB = "bench_hazards"


def make_app(url: str, files: str, engine_options: dict | None = None):
    from app import create_app

    return create_app({
        "SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SECRET_KEY": "bench", "UPLOAD_FOLDER": files,
        "TESTING": True, "SQLALCHEMY_ENGINE_OPTIONS": engine_options or {},
    })


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


# --- set-up --------------------------------------------------------------------------------

def seed_organisations(n_enterprises: int):
    """A province, a city, 10 counties, a city authority with a supervisor, n enterprises."""
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.organisations import service
    from app.organisations.accounts import create_user
    from app.organisations.models import Enterprise
    from app.organisations.seed import ensure_industries

    industry = ensure_industries()["hazardous_chemicals"]
    province = service.create_region(None, code="810000", name="基准省", level="province", parent=None)
    city = service.create_region(None, code="810100", name="基准市", level="city", parent=province)
    counties = [service.create_region(None, code=f"8101{i + 1:02d}", name=f"基准{i}县", level="county", parent=city)
                for i in range(10)]
    authority = service.create_authority(None, region=city, name="基准市应急管理局", abbreviation="基",
                                         review_body="基准市人民政府", court="基准市人民法院")
    db.session.execute(insert(Enterprise), [
        {"name": f"基准企业{i}", "credit_code": f"B{i:017d}", "region_id": counties[i % 10].id,
         "industry_id": industry.id} for i in range(n_enterprises)])
    enterprises = db.session.scalars(select(Enterprise).order_by(Enterprise.id)).all()
    first = enterprises[0]
    users = {
        "supervisor": create_user(None, username="b_supervisor", display_name="监管", role="supervisor",
                                  password="bench-pass-1", authority=authority),
        "inspector": create_user(None, username="b_inspector", display_name="执法", role="inspector",
                                 password="bench-pass-1", authority=authority, certificate_no="36990001"),
        "manager": create_user(None, username="b_manager", display_name="安全员", role="enterprise_manager",
                               password="bench-pass-1", enterprise=first),
        "principal": create_user(None, username="b_principal", display_name="负责人", role="enterprise_principal",
                                 password="bench-pass-1", enterprise=first),
        "staff": create_user(None, username="b_staff", display_name="员工", role="enterprise_staff",
                             password="bench-pass-1", enterprise=first),
    }
    db.session.commit()
    return [e.id for e in enterprises], {k: u.id for k, u in users.items()}


def bulk_hazards(enterprise_ids: list[int], per_enterprise: int, start_number: int, rnd: random.Random):
    """Register rows inserted directly (the listing does not depend on how they were made)."""
    from sqlalchemy import insert

    from app.clock import today, utcnow
    from app.extensions import db
    from app.hazards.models import Hazard

    states = ["reported", "rectifying", "rectifying", "pending_review", "closed", "closed", "closed", "voided"]
    now, day = utcnow(), today()
    rows = []
    for eid in enterprise_ids:
        for k in range(per_enterprise):
            n = start_number + k
            state = rnd.choice(states)
            confirmed = state not in ("reported", "voided")
            rows.append({
                "enterprise_id": eid, "code": f"YH-2026-{n:05d}", "title": f"隐患{n}", "description": "",
                "location": "", "source": rnd.choice(["self_inspection", "self_inspection", "government_inspection"]),
                "level": rnd.choice(["general"] * 9 + ["major"]) if confirmed else None,
                "deadline": day + timedelta(days=rnd.randint(-60, 60)) if confirmed else None,
                "state": state, "version": 1, "measures": "", "rectification": "",
                "production_suspension": "none",
                "created_at": now - timedelta(minutes=rnd.randint(0, 525_600)), "updated_at": now,
            })
            if len(rows) >= 5000:
                db.session.execute(insert(Hazard), rows)
                rows = []
    if rows:
        db.session.execute(insert(Hazard), rows)
    db.session.commit()


# --- measurements ------------------------------------------------------------------------------

def bench_machine(n: int) -> float:
    from datetime import date
    from types import SimpleNamespace

    from workflows import hazard as m

    day = date(2026, 1, 1)
    t0 = time.perf_counter()
    for _ in range(n):
        obj = SimpleNamespace(state=m.S.reported, level=None, deadline=None, submitted_by_id=None)
        m.fire(obj, "confirm", today=day, level="general", deadline=day + timedelta(days=9), responsible_user_id=1,
               measures="x")
        m.fire(obj, "submit", rectification="y", after_evidence=1)
        obj.submitted_by_id = 1
        m.fire(obj, "accept", actor_id=2)
    return n / (time.perf_counter() - t0)


def count_statements(engine, lifecycle, hazard_ids: list[int]) -> float:
    """Statements sent per lifecycle (BEGIN and COMMIT not included): deterministic, unlike the clock."""
    from sqlalchemy import event

    sent = [0]

    def count(*_args):
        sent[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        for hazard_id in hazard_ids:
            lifecycle(hazard_id)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return sent[0] / len(hazard_ids)


def bench_lifecycles(app, users: dict, enterprise_id: int, batches: int, batch: int = 20, label: str = "") -> dict:
    """Lifecycles per second: confirm → submit → accept (the hazards are reported beforehand with
    their "after" photo), committed after each user action and in one transaction per lifecycle; and
    the whole story including the report and the photo upload. {variant: (median, min, max)} over
    ``batches`` batches of ``batch`` lifecycles.

    "Commit per action" models requests: each action loads its user by id (as the login manager
    does), runs the service, commits and ends the session. Ids are what forms and API calls post.
    """
    from app.auth.models import User
    from app.clock import today
    from app.extensions import db
    from app.hazards import service
    from app.organisations.models import Enterprise
    from tests.hazards.helpers import jpeg_bytes

    photo = jpeg_bytes()
    deadline = (today() + timedelta(days=10)).isoformat()
    staff_id, manager_id = users["staff"], users["manager"]

    def request(user_id, action):
        result = action(db.session.get(User, user_id))
        db.session.commit()
        db.session.remove()
        return result

    def confirm(hazard_id, actor):
        service.fire(hazard_id, "confirm", actor, level="general", deadline=deadline,
                     responsible_user_id=staff_id, measures="整改")

    def submit(hazard_id, actor):
        service.fire(hazard_id, "submit", actor, rectification="已整改")

    def accept(hazard_id, actor):
        service.fire(hazard_id, "accept", actor, comment="合格")

    def report(i, actor):
        return service.create_hazard(actor, enterprise=db.session.get(Enterprise, enterprise_id),
                                     title=f"全流程{i}").id

    def attach(hazard_id, actor):
        service.add_attachment(hazard_id, actor, kind="after", filename="a.jpg", data=photo)

    def prepared(count):
        ids = [request(staff_id, lambda actor, i=i: report(i, actor)) for i in range(count)]
        for hazard_id in ids:
            request(staff_id, lambda actor, h=hazard_id: attach(h, actor))
        return ids

    def per_action(hazard_id):
        request(manager_id, lambda actor: confirm(hazard_id, actor))
        request(staff_id, lambda actor: submit(hazard_id, actor))
        request(manager_id, lambda actor: accept(hazard_id, actor))

    def one_transaction(hazard_id):
        manager, staff = db.session.get(User, manager_id), db.session.get(User, staff_id)
        confirm(hazard_id, manager)
        submit(hazard_id, staff)
        accept(hazard_id, manager)
        db.session.commit()
        db.session.remove()

    def timed(lifecycle, size):
        ids = prepared(size)  # outside the clock
        t0 = time.perf_counter()
        for hazard_id in ids:
            lifecycle(hazard_id)
        return time.perf_counter() - t0

    def whole_story(size):
        t0 = time.perf_counter()
        for i in range(size):
            hazard_id = request(staff_id, lambda actor, i=i: report(i, actor))
            request(staff_id, lambda actor, h=hazard_id: attach(h, actor))
            per_action(hazard_id)
        return time.perf_counter() - t0

    variants = {
        "confirm→submit→accept, commit per action": lambda size: timed(per_action, size),
        "confirm→submit→accept, one transaction": lambda size: timed(one_transaction, size),
        "report+photo+confirm→submit→accept, commit per action": whole_story,
    }
    samples: dict[str, list[float]] = {name: [] for name in variants}
    with app.app_context():
        timed(per_action, 5)  # warm-up: compiled statements, prepared statements, connections
        for name, lifecycle in (("commit per action", per_action), ("one transaction", one_transaction)):
            print(f"[{label}] SQL statements per lifecycle ({name}): "
                  f"{count_statements(db.engine, lifecycle, prepared(5)):.0f}")
        # Batches, the variants taking turns, so that load from elsewhere on the machine (shared, and
        # noisy) falls on each alike; the median batch is reported, with the spread.
        # Each batch is paired with the bare machine measured just before it: their ratio follows the
        # code, not the machine's mood of the moment.
        ratios: dict[str, list[float]] = {name: [] for name in variants}
        for _ in range(batches):
            for name, run_batch in variants.items():
                machine = bench_machine(400)
                samples[name].append(batch / run_batch(batch))
                ratios[name].append(samples[name][-1] / machine)
        db.session.remove()
    return {name: (statistics.median(r), min(r), max(r), statistics.median(ratios[name]))
            for name, r in samples.items()}


def _client_for(app, user_id: int):
    from app.auth.models import User
    from app.extensions import db
    from tests.conftest import login  # the same session-cookie helper the tests use

    client = app.test_client()
    with app.app_context():
        login(client, db.session.get(User, user_id))
        db.session.remove()
    return client


def time_listing_pair(apps: list, user_ids: list[int], query: str, rounds: int) -> list[list[float]]:
    """GET /hazards/ on each app in turn, round after round, so that the machine's load (shared with
    other work) falls on every size alike; the first 3 rounds warm up and are not counted."""
    clients = [_client_for(app, uid) for app, uid in zip(apps, user_ids, strict=True)]
    times: list[list[float]] = [[] for _ in apps]
    for i in range(rounds + 3):
        for k, client in enumerate(clients):
            t0 = time.perf_counter()
            resp = client.get("/hazards/" + query)
            elapsed = (time.perf_counter() - t0) * 1000
            assert resp.status_code == 200, resp.status_code
            if i >= 3:
                times[k].append(elapsed)
    return times


def time_query_pair(apps: list, user_ids: list[int], filters: dict, rounds: int) -> list[list[float]]:
    """The register's query alone (count + page), alternating between the apps like above."""
    from app.auth.models import User
    from app.extensions import db
    from app.hazards.register import register_page

    times: list[list[float]] = [[] for _ in apps]
    for i in range(rounds + 3):
        for k, (app, uid) in enumerate(zip(apps, user_ids, strict=True)):
            with app.app_context():
                user = db.session.get(User, uid)
                t0 = time.perf_counter()
                page = register_page(user, page=1, per_page=50, **filters)
                elapsed = (time.perf_counter() - t0) * 1000
                assert page.items
                db.session.remove()
            if i >= 3:
                times[k].append(elapsed)
    return times


def measure_commit(db, n: int = 50) -> float:
    from sqlalchemy import insert, update

    from app.hazards.models import HazardCodeCounter

    db.session.execute(insert(HazardCodeCounter).values(enterprise_id=1, year=1, last=0))
    db.session.commit()
    t0 = time.perf_counter()
    for _ in range(n):
        db.session.execute(update(HazardCodeCounter).where(HazardCodeCounter.year == 1)
                           .values(last=HazardCodeCounter.last + 1))
        db.session.commit()
    return (time.perf_counter() - t0) / n * 1000


def run(label: str, url_small: str, url_large: str, args) -> dict:
    """Lifecycles on the first database; then the register with ``args.small`` hazards in the first
    and ``args.large`` in the second, measured alternately."""
    from app.extensions import db

    files = tempfile.mkdtemp(prefix="bench_hazards_files_")
    app = make_app(url_small, files)
    big = make_app(url_large, files)
    results = {}
    orgs = {}
    for key, each in (("small", app), ("large", big)):
        with each.app_context():
            db.drop_all()
            db.create_all()
            orgs[key] = seed_organisations(args.enterprises)
    enterprise_ids, users = orgs["small"]
    with app.app_context():
        commit_ms = measure_commit(db)
    print(f"[{label}] one small INSERT + COMMIT: {commit_ms:.2f} ms (the disk's fsync sets the floor)")
    rates = bench_lifecycles(app, users, enterprise_ids[0], args.batches, label=label)
    for name, (median, lo, hi, ratio) in rates.items():
        print(f"[{label}] lifecycles/s ({name}): median {median:.0f} (batches {lo:.0f}–{hi:.0f}); "
              f"per bare-machine lifecycle {ratio:.4f}")
    results["lifecycles_per_s"] = rates["confirm→submit→accept, one transaction"][0]
    results["ratio"] = rates["confirm→submit→accept, one transaction"][3]
    if url_small.startswith("postgresql"):
        # The same code with PostgreSQL not waiting for the WAL flush at each commit: separates what
        # the service costs from what this machine's disk costs (a deployment choice, not a default).
        async_app = make_app(url_small, files, {"connect_args": {"options": "-c synchronous_commit=off"}})
        rates = bench_lifecycles(async_app, users, enterprise_ids[0], max(3, args.batches // 2),
                                 label=f"{label}, synchronous_commit=off")
        for name, (median, lo, hi, _ratio) in rates.items():
            print(f"[{label}] lifecycles/s with synchronous_commit=off ({name}): median {median:.0f} "
                  f"(batches {lo:.0f}–{hi:.0f})")
        with async_app.app_context():
            db.engine.dispose()

    sizes = () if args.lifecycles_only else (("small", app, args.small), ("large", big, args.large))
    for key, each, size in sizes:
        with each.app_context():
            t0 = time.perf_counter()
            bulk_hazards(orgs[key][0], size // args.enterprises, 1, random.Random(7))
            if db.engine.dialect.name == "postgresql":
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()
            print(f"[{label}] {size} hazards across {args.enterprises} enterprises "
                  f"(seeded in {time.perf_counter() - t0:.1f} s)")
    cases = {"first page": ("", {}), "state+overdue": ("?state=rectifying&overdue=1",
                                                       {"state": "rectifying", "overdue": True})}
    if args.lifecycles_only:
        cases = {}
    for name, (query, filters) in cases.items():
        for who in ("supervisor", "manager"):
            ids = [orgs["small"][1][who], orgs["large"][1][who]]
            pages = time_listing_pair([app, big], ids, query, args.rounds)
            queries = time_query_pair([app, big], ids, filters, args.rounds)
            for size, page, q in zip((args.small, args.large), pages, queries, strict=True):
                key = (name, who, size)
                results[key] = (statistics.median(page), pct(page, 0.95), statistics.median(q), pct(q, 0.95))
                print(f"[{label}]   {size:>6} {name:<14} as {who:<10} page p50 {results[key][0]:6.1f} ms  "
                      f"p95 {results[key][1]:6.1f} ms | query p50 {results[key][2]:6.1f} ms  "
                      f"p95 {results[key][3]:6.1f} ms")
    for name in cases:
        for who in ("supervisor", "manager"):
            small, large = results[(name, who, args.small)], results[(name, who, args.large)]
            print(f"[{label}] p95 ratio {args.large}/{args.small} {name:<14} as {who:<10}: "
                  f"page {large[1] / small[1]:.2f}  query {large[3] / small[3]:.2f}  (limit 1.5)")
    for each in (app, big):
        with each.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--lifecycles-only", action="store_true", help="skip the register measurements")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_ADMIN_URL", PG_ADMIN_URL))
    args = parser.parse_args()
    args.enterprises = 1000
    args.small, args.large = (2000, 5000) if args.quick else (10_000, 100_000)
    args.rounds = 10 if args.quick else 40
    args.batches = 3 if args.quick else 10  # of 20 lifecycles each
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench_hazards_instance_"))

    machine_rate = bench_machine(2000)
    print(f"[baseline] bare machine (no database): {machine_rate:.0f} lifecycles/s")
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = run("sqlite", f"sqlite:///{tmp}/bench.sqlite3", f"sqlite:///{tmp}/bench_large.sqlite3", args)
    print(f"[sqlite] service / bare machine (one transaction, batch by batch): {sqlite['ratio']:.4f}")
    if args.no_postgres:
        return
    import psycopg

    admin = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    names = (PG_DB, PG_DB + "_large")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
    try:
        base = args.pg_url.rsplit("/", 1)[0]
        pg = run("postgresql", f"{base}/{names[0]}", f"{base}/{names[1]}", args)
        print(f"[postgresql] service / bare machine (one transaction, batch by batch): {pg['ratio']:.4f}")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
