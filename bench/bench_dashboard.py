"""Dashboards, rankings and the weekly score on PostgreSQL (issue 14 item 8).

A city of N enterprises in 10 districts with H hazards (inserted set-based with generate_series: states,
levels, deadlines, report / confirm / close times spread over a year) and risk summaries; prints p50 / p95
of whole pages through the test client (login, template, charts included):

* the city supervisor's 工作台 (``/``) and regional page (``/dashboard/region``)  — target < 300 ms
* a district's regional page                                                       — target < 200 ms
* an enterprise manager's 工作台                                                     — target < 100 ms
* the enterprise ranking of the city (``/dashboard/ranking``)                      — target < 300 ms
* ``GET /api/v1/stats/hazards?group_by=region`` for the city
* the scan's weekly-score step for every enterprise (once)                          — target < 5 min
* the scan's aggregates step (first run: a full rebuild; then the last two weeks)

Regional pages over whole weeks (their default: this week) read the aggregates, summed per region for a
city or a district (region rollups); an enterprise's page counts live. Baselines in the same run: the same
pages summed from the enterprise rows (without the region rollups), and the supervision overview counted
live from the hazards; printed with their ratios.

The scan's check figures need check tasks; none are generated here (the checks' own bench covers
check_stats), so the score step measures the hazard inputs, the formula and the inserts.

Creates and drops the database ``bench_dashboard``. Usage:

    .venv/bin/python bench/bench_dashboard.py [--enterprises 10000] [--hazards 1000000] [--scales 0.1,1]
        [--rounds 10] [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hazards import make_app, pct, seed_organisations  # noqa: E402

HAZARDS_SQL = """
INSERT INTO hazards (enterprise_id, code, title, description, location, source, level, deadline, state,
                     version, measures, rectification, production_suspension, chain_seq,
                     danger_source, hazard_type, manage_type,
                     created_at, updated_at, confirmed_at, closed_at)
SELECT e.id, 'YH-' || g.n, '隐患' || g.n, '', '', 'self_inspection',
       CASE WHEN s.state IN ('reported', 'voided') THEN NULL
            WHEN random() < 0.1 THEN 'major' ELSE 'general' END,
       CASE WHEN s.state IN ('reported', 'voided') THEN NULL
            ELSE (t.created + (random() * 60)::int * interval '1 day')::date END,
       s.state, 1, '', '', 'none', 0, 'routine', 'other', 'deadline',
       t.created,
       LEAST(t.created + interval '20 days', now() at time zone 'utc'),
       CASE WHEN s.state IN ('reported', 'voided') THEN NULL ELSE t.created + interval '1 day' END,
       CASE WHEN s.state = 'closed' THEN t.created + (random() * 70)::int * interval '1 day' END
FROM generate_series(1, :n) AS g(n)
JOIN LATERAL (SELECT id FROM enterprises ORDER BY id OFFSET (g.n % :ents) LIMIT 1) e ON true
CROSS JOIN LATERAL (SELECT (ARRAY['reported','rectifying','rectifying','pending_review','closed','closed',
                                   'closed','closed','closed','voided'])[1 + (g.n * 7 % 10)] AS state) s
CROSS JOIN LATERAL (SELECT now() at time zone 'utc' - (g.n % 365) * interval '1 day'
                            - (g.n % 1440) * interval '1 minute' AS created) t
"""


def seed(n_enterprises: int, n_hazards: int) -> dict:
    from sqlalchemy import select, text

    from app.extensions import db
    from app.organisations.accounts import create_user
    from app.organisations.models import Authority, Region

    ids, users = seed_organisations(n_enterprises)
    county = db.session.scalar(select(Region).where(Region.code == "810101"))
    district_auth = Authority(region_id=county.id, level="county", name="基准0县应急管理局", abbreviation="零",
                              review_body="基准0县人民政府", court="基准0县人民法院")
    db.session.add(district_auth)
    db.session.flush()
    users["district"] = create_user(None, username="b_district", display_name="县监管", role="supervisor",
                                    password="bench-pass-1", authority=district_auth).id
    db.session.commit()
    # Enterprise ids are consecutive: hazards spread evenly by (n mod N) without a lateral lookup.
    first = ids[0]
    sql = HAZARDS_SQL.replace(
        "JOIN LATERAL (SELECT id FROM enterprises ORDER BY id OFFSET (g.n % :ents) LIMIT 1) e ON true",
        "CROSS JOIN LATERAL (SELECT :first + (g.n % :ents) AS id) e")
    t0 = time.perf_counter()
    db.session.execute(text(sql), {"n": n_hazards, "ents": n_enterprises, "first": first})
    db.session.execute(text(
        "INSERT INTO risk_summaries (enterprise_id, red, orange, yellow, blue, unassessed) "
        "SELECT id, (id % 17 = 0)::int, (id % 5 = 0)::int * 2, (id % 3)::int, 4, 1 FROM enterprises"))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    print(f"  seeded {n_enterprises} enterprises, {n_hazards} hazards in {time.perf_counter() - t0:.1f} s")
    return {"users": users, "county_id": county.id, "enterprise": first}


def timed_get(client, url: str, rounds: int, headers=None) -> list[float]:
    out = []
    client.get(url, headers=headers)  # warm
    for _ in range(rounds):
        t0 = time.perf_counter()
        resp = client.get(url, headers=headers)
        out.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    return out


def run(url: str, n_enterprises: int, n_hazards: int, rounds: int) -> dict:
    from flask import g

    from app.auth.models import User
    from app.auth.sessions import cookie_fields
    from app.dashboard import scores
    from app.extensions import db

    app = make_app(url, tempfile.mkdtemp(prefix="bench_dash_files_"))
    results = {}
    with app.app_context():
        from sqlalchemy import text

        db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        db.session.commit()
        db.create_all()
        ctx = seed(n_enterprises, n_hazards)
        from app.dashboard import stats

        t0 = time.perf_counter()
        print(f"  aggregates: {stats.refresh_aggregates(full=True)}")
        db.session.commit()
        results["aggregates, full rebuild (scan step, first run)"] = [(time.perf_counter() - t0) * 1000]
        # A day of changes: 0.25 % of the hazards closed now, many of them reported and confirmed weeks ago
        # (their old weeks are recounted), and as many reported now.
        changed = db.session.execute(text(
            "UPDATE hazards SET state = 'closed', closed_at = now() at time zone 'utc', "
            "updated_at = now() at time zone 'utc' WHERE id % 397 = 0 AND state IN ('rectifying', 'pending_review')"
        )).rowcount
        db.session.execute(text(HAZARDS_SQL.replace(
            "JOIN LATERAL (SELECT id FROM enterprises ORDER BY id OFFSET (g.n % :ents) LIMIT 1) e ON true",
            "CROSS JOIN LATERAL (SELECT :first + (g.n % :ents) AS id) e").replace("'YH-' || g.n", "'YN-' || g.n")
            .replace("(g.n % 365) * interval '1 day'", "interval '0 days'")),
            {"n": n_hazards // 400, "ents": n_enterprises, "first": ctx["enterprise"]})
        db.session.commit()
        t0 = time.perf_counter()
        print(f"  aggregates after a day ({changed} closed, {n_hazards // 400} new): {stats.refresh_aggregates()}")
        db.session.commit()
        results["aggregates, a day of changes (scan step)"] = [(time.perf_counter() - t0) * 1000]
        t0 = time.perf_counter()
        scored = scores.scan_step()
        db.session.commit()
        results["weekly score, all enterprises (scan step)"] = [(time.perf_counter() - t0) * 1000]
        print(f"  scan step: {scored}")
        db.session.execute(text("ANALYZE weekly_scores"))  # as autovacuum does after a bulk insert
        db.session.commit()

        def client_for(user_id):
            g.pop("_login_user", None)
            c = app.test_client()
            with c.session_transaction() as sess:
                sess.update(cookie_fields(db.session.get(User, user_id)))
                sess["_fresh"] = True
            return c

        city = client_for(ctx["users"]["supervisor"])
        results["city 工作台 /"] = timed_get(city, "/", rounds)
        results["city /dashboard/region"] = timed_get(city, "/dashboard/region", rounds)
        results["city ranking (enterprises, by overdue)"] = timed_get(city, "/dashboard/ranking", rounds)
        token = app.test_client().post("/api/v1/auth/token", json={"username": "b_supervisor",
                                                                   "password": "bench-pass-1"}).get_json()["token"]
        from app.clock import today

        monday = today().toordinal() - today().weekday()
        from datetime import date as _date

        results["city API stats by region, this week"] = timed_get(
            app.test_client(), f"/api/v1/stats/hazards?group_by=region&from={_date.fromordinal(monday)}", rounds,
            headers={"Authorization": f"Bearer {token}"})
        results["city API stats by region, this month (live)"] = timed_get(
            app.test_client(), "/api/v1/stats/hazards?group_by=region", rounds,
            headers={"Authorization": f"Bearer {token}"})
        district = client_for(ctx["users"]["district"])
        results["district /dashboard/region"] = timed_get(district, "/dashboard/region", rounds)
        manager = client_for(ctx["users"]["manager"])
        results["enterprise 工作台 /"] = timed_get(manager, "/", rounds)
        results["city supervision overview"] = timed_get(city, "/supervision/overview", rounds)
        # Baselines in the same run, on the same data: the previous read paths.
        # (1) Without the region rollups: every figure summed from the 10 000 enterprise rows.
        region_condition = stats.Scope.region_condition
        stats.Scope.region_condition = lambda self, column: None
        try:
            results["BASELINE enterprise rows: city 工作台 /"] = timed_get(city, "/", rounds)
            results["BASELINE enterprise rows: city /dashboard/region"] = timed_get(city, "/dashboard/region", rounds)
            results["BASELINE enterprise rows: district /dashboard/region"] = timed_get(
                district, "/dashboard/region", rounds)
        finally:
            stats.Scope.region_condition = region_condition
        # (2) The supervision overview counted live from the hazards, as before it read the aggregates.
        as_of = stats.aggregates_as_of
        stats.aggregates_as_of = lambda: None
        try:
            results["BASELINE live: city supervision overview"] = timed_get(city, "/supervision/overview", rounds)
        finally:
            stats.aggregates_as_of = as_of
        db.session.remove()
        db.engine.dispose()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10_000)
    parser.add_argument("--hazards", type=int, default=1_000_000)
    parser.add_argument("--scales", default="0.1,1")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--db", default="bench_dashboard", help="the scratch database (dropped and created)")
    args = parser.parse_args()
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench_dashboard_"))
    import psycopg

    admin = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    base = args.pg_url.rsplit("/", 1)[0]
    all_results = {}
    for scale in (float(s) for s in args.scales.split(",")):
        n_ent, n_haz = max(10, int(args.enterprises * scale)), max(100, int(args.hazards * scale))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {args.db}")
        print(f"scale {scale:g}: {n_ent} enterprises, {n_haz} hazards")
        all_results[scale] = run(f"{base}/{args.db}", n_ent, n_haz, args.rounds)
        for name, values in all_results[scale].items():
            if len(values) > 1:
                print(f"  {name:45s} p50 {statistics.median(values):8.1f} ms   p95 {pct(values, 0.95):8.1f} ms")
            else:
                print(f"  {name:45s}      {values[0] / 1000:8.1f} s")
        res = all_results[scale]
        print(f"  ratio to the baseline (same run, same data), p50 {scale:g}:")
        for name in [n for n in res if n.startswith("BASELINE")]:
            page = name.split(": ", 1)[1]
            if page in res:
                print(f"    {page:43s} {statistics.median(res[page]):8.1f} ms / {statistics.median(res[name]):8.1f} ms"
                      f" = {statistics.median(res[page]) / statistics.median(res[name]):5.2f}")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)")
    scales = sorted(all_results)
    if len(scales) > 1:
        small, large = all_results[scales[0]], all_results[scales[-1]]
        print(f"ratio p50 {scales[-1]:g} / {scales[0]:g}:")
        for name in small:
            a, b = statistics.median(small[name]), statistics.median(large[name])
            print(f"  {name:45s} {b / a:6.2f}")


if __name__ == "__main__":
    main()
