"""A province on one PostgreSQL, through the real HTTP stack (issue 18): every page of the issue's table
timed through gunicorn at two sizes (default 100 000 and 1 000 000 hazards, 10 000 enterprises), with
p50 / p95 per size and the ratio p95(large) / p95(small) (target ≤ 1.5; pages < 100 ms median,
overviews < 300 ms).

Each size has a database of its own, ``bench_province_<hazards>``, made by the migrations
(``flask db upgrade``: production's indexes, triggers and reference data) and filled set-based:

* a province, a city and 10 counties; the city's authority with a supervisor, the first county's
  authority with a supervisor (the district); 10 000 enterprises spread over the counties, four risk
  points each (red, orange, yellow, blue);
* the hazards, spread over the last year, in every state (10 % of the confirmed ones major), each on one
  of its enterprise's risk points; five of them carry a rare term in their title (the search);
* one more enterprise whose 50 hazards are older than every other (its register used to scan the whole
  primary key backwards), with its safety manager;
* 2 000 listings at both sizes (the supervision list shows what is listed, not the hazards table);
* the aggregates the overviews read, counted once as the scan does (``stats.refresh_aggregates``).

Then gunicorn starts on it (gunicorn.conf.py, ``--workers`` processes), the users log in through the
login form (CSRF token and all) and every page is requested ``--rounds`` times after warming every worker up, one
request at a time. Sizes run one after the other on the same machine: read the ratios, which compare
like with like. Usage:

    .venv/bin/python bench/bench_province.py [--sizes 100000,1000000] [--enterprises 10000]
        [--rounds 40] [--workers 2] [--reuse | --build-only] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_hazards import PG_ADMIN_URL, make_app, pct, seed_organisations  # noqa: E402

PASSWORD = "bench-pass-1"
RARE = "液氯钢瓶阀门锈蚀"
PORT = 8765
LISTINGS = 2000
OLD_HAZARDS = 50
WARM_UPS = 6

# Hazards in every state over the last year, on the enterprise's four risk points (consecutive ids:
# four per enterprise, in enterprise order), spread evenly over the enterprises by (n mod N).
HAZARDS_SQL = """
INSERT INTO hazards (enterprise_id, risk_point_id, code, title, description, location, source, level, deadline,
                     state, version, measures, rectification, production_suspension, chain_seq,
                     danger_source, hazard_type, manage_type, created_at, updated_at, confirmed_at, closed_at)
SELECT :first + (g.n % :ents), :first_point + (g.n % :ents) * 4 + (g.n / :ents) % 4,
       'YH-' || g.n, '隐患' || g.n, '', '', 'self_inspection',
       CASE WHEN s.state IN ('reported', 'voided') THEN NULL
            WHEN g.n % 10 = 3 THEN 'major' ELSE 'general' END,
       CASE WHEN s.state IN ('reported', 'voided') THEN NULL
            ELSE (t.created + ((g.n * 13) % 60) * interval '1 day')::date END,
       s.state, 1, '', '', 'none', 0, 'routine', 'other', 'deadline',
       t.created, LEAST(t.created + interval '20 days', now() at time zone 'utc'),
       CASE WHEN s.state IN ('reported', 'voided') THEN NULL ELSE t.created + interval '1 day' END,
       CASE WHEN s.state = 'closed' THEN t.created + ((g.n * 7) % 70) * interval '1 day' END
FROM generate_series(1, :n) AS g(n)
CROSS JOIN LATERAL (SELECT (ARRAY['reported','rectifying','rectifying','pending_review','closed','closed',
                                   'closed','closed','closed','voided'])[1 + (g.n * 7 % 10)] AS state) s
CROSS JOIN LATERAL (SELECT now() at time zone 'utc' - (g.n % 365) * interval '1 day'
                            - (g.n % 1440) * interval '1 minute' AS created) t
"""


def _env(url: str, instance: str) -> dict:
    env = dict(os.environ, SHUANGKONG_DATABASE_URL=url, SHUANGKONG_INSTANCE_PATH=instance,
               SHUANGKONG_SECRET_KEY="bench-" + "s" * 40, SHUANGKONG_RATELIMIT_ENABLED="false",
               SHUANGKONG_WARM_DOCUMENTS="0", FLASK_APP="app")
    for key in ("SHUANGKONG_REDIS_URL", "SHUANGKONG_TEST_DATABASE_URL"):
        env.pop(key, None)
    return env


def build(url: str, n_enterprises: int, n_hazards: int, instance: str) -> dict:
    """The database of one size, through the migrations then set-based inserts."""
    subprocess.run([str(ROOT / ".venv/bin/flask"), "db", "upgrade"], cwd=ROOT, env=_env(url, instance),
                   check=True, capture_output=True)
    from sqlalchemy import func, insert, select, text, update

    from app.dashboard import stats
    from app.extensions import db
    from app.hazards.models import Hazard
    from app.organisations.accounts import create_user
    from app.organisations.models import Authority, Enterprise, Region
    from app.risks.models import RiskPoint
    from app.supervision.models import Listing
    from workflows.grades import Grade

    app = make_app(url, tempfile.mkdtemp(prefix="bench_province_files_"))
    t0 = time.perf_counter()
    with app.app_context():
        ids, users = seed_organisations(n_enterprises)
        county = db.session.scalar(select(Region).where(Region.code == "810101"))
        city_authority = db.session.scalar(select(Authority).order_by(Authority.id))
        district = Authority(region_id=county.id, level="county", name="基准0县应急管理局", abbreviation="零",
                             review_body="基准0县人民政府", court="基准0县人民法院")
        db.session.add(district)
        db.session.flush()
        users["district"] = create_user(None, username="b_district", display_name="县监管", role="supervisor",
                                        password=PASSWORD, authority=district).id
        old = Enterprise(name="老企业", credit_code="B" + "9" * 17, region_id=county.id,
                         industry_id=db.session.get(Enterprise, ids[0]).industry_id)
        db.session.add(old)
        db.session.flush()
        users["old_manager"] = create_user(None, username="b_old", display_name="老企业安全员",
                                           role="enterprise_manager", password=PASSWORD, enterprise=old).id
        # The old enterprise's hazards first: the lowest ids and the oldest creation times.
        three_years = timedelta(days=3 * 365)
        db.session.execute(insert(Hazard), [
            {"enterprise_id": old.id, "code": f"YH-OLD-{k}", "title": f"旧隐患{k}", "state": "closed",
             "created_at": app_now() - three_years, "updated_at": app_now() - three_years}
            for k in range(OLD_HAZARDS)])
        grades = [Grade.red, Grade.orange, Grade.yellow, Grade.blue]
        for start in range(0, len(ids), 2500):
            db.session.execute(insert(RiskPoint), [
                {"enterprise_id": e, "name": f"风险点{j}", "assessed_grade": grades[j].value,
                 "effective_grade": grades[j].value} for e in ids[start:start + 2500] for j in range(4)])
        first_point = db.session.scalar(select(func.min(RiskPoint.id)))
        db.session.commit()
        db.session.execute(text(HAZARDS_SQL), {"n": n_hazards, "ents": n_enterprises, "first": ids[0],
                                               "first_point": first_point})
        rare_codes = [f"YH-{k}" for k in (7, n_hazards // 7, n_hazards // 3, n_hazards // 2, n_hazards - 1)]
        db.session.execute(update(Hazard).where(Hazard.code.in_(rare_codes)).values(title=Hazard.title + RARE))
        region_of = dict(db.session.execute(select(Enterprise.id, Enterprise.region_id)).all())
        open_rows = db.session.execute(
            select(Hazard.id, Hazard.enterprise_id, Hazard.deadline)
            .where(Hazard.state.in_(["rectifying", "pending_review"]), Hazard.id % 7 == 0)
            .order_by(Hazard.id).limit(LISTINGS)).all()
        states = ["listed"] * 6 + ["proposed", "proposed", "dismissed", "delisted"]
        db.session.execute(insert(Listing), [
            {"hazard_id": hid, "enterprise_id": e, "rule": "orange_overdue_15", "source": "scan",
             "authority_id": district.id if region_of[e] == county.id else city_authority.id,
             "level": "county" if region_of[e] == county.id else "city", "grade": grades[k % 3].value,
             "state": states[k % len(states)], "deadline": deadline,
             "dismiss_reason": "理由" if states[k % len(states)] == "dismissed" else ""}
            for k, (hid, e, deadline) in enumerate(open_rows)])
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a bulk load
        seeded = time.perf_counter() - t0
        t1 = time.perf_counter()
        stats.refresh_aggregates(full=True)  # the scan's step, as cron runs it nightly
        db.session.commit()
        counted = time.perf_counter() - t1
        hazards = db.session.scalar(select(func.count()).select_from(Hazard))
        db.session.remove()
        db.engine.dispose()
    return {"users": users, "hazards": hazards, "seed_s": seeded, "aggregates_s": counted}


def app_now():
    from app.clock import utcnow

    return utcnow()


class Server:
    """gunicorn with the production settings (gunicorn.conf.py) on a port of its own."""

    def __init__(self, url: str, instance: str, workers: int) -> None:
        env = _env(url, instance) | {"SHUANGKONG_WORKERS": str(workers), "SHUANGKONG_BIND": f"127.0.0.1:{PORT}"}
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gunicorn"), "-c", "gunicorn.conf.py", "--access-logfile", "/dev/null",
             "app:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            start_new_session=True)
        import requests

        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{PORT}/healthz", timeout=2).status_code == 200:
                    return
            except requests.ConnectionError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not start: " + self.proc.stderr.read().decode()[-2000:])

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(30)


def login(username: str):
    """A browser's session: the login form's CSRF token, then the form posted."""
    import requests

    s = requests.Session()
    page = s.get(f"http://127.0.0.1:{PORT}/login").text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = s.post(f"http://127.0.0.1:{PORT}/login", data={"username": username, "password": PASSWORD,
                                                        "csrf_token": token}, allow_redirects=False)
    assert r.status_code in (302, 303), (username, r.status_code)
    return s


def pages() -> list[tuple[str, str, str, float]]:
    """(what, who, path, target median ms): the issue's table, and the plain registers beside it."""
    from app.clock import today

    week_from = today() - timedelta(days=60)
    week = f"date_from={week_from.isoformat()}&date_to={(week_from + timedelta(days=6)).isoformat()}"
    return [
        ("city supervision overview", "city", "/supervision/overview", 300),
        ("district supervision overview", "district", "/supervision/overview", 300),
        ("supervision list (city)", "city", "/supervision/listings", 100),
        ("supervision list Excel export (city)", "city", "/supervision/listings?format=xlsx", 100),
        ("register of an enterprise whose hazards are all old", "old", "/hazards/", 100),
        ("register of an enterprise", "manager", "/hazards/", 100),
        ("district register", "district", "/hazards/", 100),
        ("district register, level=major", "district", "/hazards/?level=major", 100),
        ("city register", "city", "/hazards/", 100),
        ("city register, one week by creation date", "city", f"/hazards/?{week}", 100),
        ("city register, grade=red", "city", "/hazards/?grade=red", 100),
        ("city register, overdue", "city", "/hazards/?overdue=1", 100),
        ("register search for a rare term (city)", "city", f"/hazards/?q={RARE}", 100),
        ("city 工作台", "city", "/", 300),
    ]


def export_in_hand(s, path: str) -> tuple[float, float]:
    """(ms to the click's answer, ms until the file is downloaded): a list above EXPORT_SYNC_MAX_ROWS
    answers with its export's page, which the user's browser reloads until it starts the download."""
    base = f"http://127.0.0.1:{PORT}"
    t0 = time.perf_counter()
    r = s.get(base + path, allow_redirects=False)
    click = (time.perf_counter() - t0) * 1000
    if r.status_code == 302:
        page = base + r.headers["Location"]
        while True:
            shown = s.get(page).text
            found = re.search(r'content="\d+; url=(/exports/\d+/download)"', shown)
            if found:
                r = s.get(base + found.group(1))
                break
            assert 'content="2"' in shown, "the export failed"
            time.sleep(0.05)  # the browser waits 2 s; here only what the job takes counts
    r.content  # noqa: B018 - the whole file
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    return click, (time.perf_counter() - t0) * 1000


def measure(rounds: int) -> dict[str, list[float]]:
    sessions = {"city": login("b_supervisor"), "district": login("b_district"), "old": login("b_old"),
                "manager": login("b_manager")}
    out = {}
    for what, who, path, _target in pages():
        s = sessions[who]
        if "format=xlsx" in path:  # the click, and the file in hand (background above 500 rows)
            export_in_hand(s, path)  # warm-up
            both = [export_in_hand(s, path) for _ in range(rounds)]
            out[what] = [click for click, _ in both]
            out[what + ": until the file is downloaded"] = [done for _, done in both]
            continue
        # Warm-up of every worker: each request on a connection of its own (a kept-alive connection
        # stays with one worker, and a worker's first request of a page compiles its template and
        # statements: with one warm-up, the other worker's first request was the p95 of 20).
        for _ in range(WARM_UPS):
            r = s.get(f"http://127.0.0.1:{PORT}{path}", allow_redirects=False, headers={"Connection": "close"})
        assert r.status_code == 200, (what, r.status_code)
        if "format=xlsx" in path:
            assert r.headers["Content-Type"].startswith("application/vnd.openxmlformats"), what
        if RARE in path:
            assert r.text.count(RARE) >= 5, "the search finds the five hazards"
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            r = s.get(f"http://127.0.0.1:{PORT}{path}", allow_redirects=False)
            r.content  # noqa: B018 - the whole body, as a browser reads it
            times.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (what, r.status_code)
        out[what] = times
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="measure the databases of an earlier run")
    parser.add_argument("--build-only", action="store_true", help="build the databases, measure nothing "
                                                                  "(then --reuse, e.g. on a quieter machine)")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_ADMIN_URL", PG_ADMIN_URL))
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    instance = tempfile.mkdtemp(prefix="bench_province_")
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", instance)
    os.environ.pop("SHUANGKONG_REDIS_URL", None)
    sizes = [int(x) for x in args.sizes.split(",")]
    results = {}
    for n in sizes:
        name = f"bench_province_{n}"
        url = args.pg_url.rsplit("/", 1)[0] + f"/{name}"
        if not args.reuse:
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {name}"))
            admin.dispose()
            built = build(url, args.enterprises, n, instance)
            print(f"[{n}] {built['hazards']} hazards, {args.enterprises} enterprises: seeded in "
                  f"{built['seed_s']:.0f} s, aggregates counted in {built['aggregates_s']:.1f} s", flush=True)
        if args.build_only:
            continue
        server = Server(url, instance, args.workers)
        try:
            results[n] = measure(args.rounds)
        finally:
            server.stop()
        for what, times in results[n].items():
            print(f"[{n}] {what}: p50 {pct(times, 0.5):.1f} ms, p95 {pct(times, 0.95):.1f} ms", flush=True)
    if len(sizes) == 2 and not args.build_only:
        small, large = sizes
        print(f"\n| page (gunicorn, {args.workers} workers, {args.enterprises} enterprises) | target p50 | "
              f"p50 {small:,} | p95 {small:,} | p50 {large:,} | p95 {large:,} | p95 ratio |")
        print("|---|---|---|---|---|---|---|")
        targets = {what: f"< {target} ms" for what, _who, _path, target in pages()}
        for what in results[small]:
            a, b = results[small][what], results[large][what]
            print(f"| {what} | {targets.get(what, '—')} | {pct(a, 0.5):.1f} | {pct(a, 0.95):.1f} | "
                  f"{pct(b, 0.5):.1f} | {pct(b, 0.95):.1f} | {pct(b, 0.95) / pct(a, 0.95):.2f} |")


if __name__ == "__main__":
    main()
