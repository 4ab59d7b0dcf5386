"""Benchmark of scheduled checks on PostgreSQL (prints figures and ratios; not a test). Issue 13.

At 100 %: 1 000 enterprises × 50 units × 4 measures, one task each (200 000 tasks), cycles from hourly to
yearly, a quarter of history (about 90 % of the closed windows recorded, some late). At 10 %: 100
enterprises, the same per enterprise. Each size lives in its own database (``bench_checks_10``,
``bench_checks_100``, dropped and re-created), generated set-based (INSERT … SELECT, not the ORM).

Measured, through the real functions of app/checks:

1. 我的任务: ``windows_for(staff, assignee="me")`` (today's windows of one member of staff: 40 tasks), median;
2. an enterprise's figures for a quarter: ``check_stats(manager, enterprise_id=…, from, to)``, median;
3. a county's (100 enterprises at 100 %) figures for a week, grouped by enterprise, median;
4. the daily scan (``shuangkong scan`` as a subprocess, its first run looks back one day: every window
   that closed in the last 24 h), wall time and peak memory; then a second run (nothing new).

Task mix (by measure): 5 % every 4 hours 08:00–20:00, 30 % daily, 35 % weekly, 25 % monthly, 5 % yearly;
5 staff per enterprise, each assigned 10 units. Usage:

    .venv/bin/python bench/bench_checks.py [--sizes 10,100] [--pg-url postgresql+psycopg://…/postgres]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
UNITS, MEASURES, STAFF = 50, 4, 5

# One statement per step; :now is the moment (naive UTC) the history runs up to.
SQL_SEED = [
    # 5 staff and 1 manager per enterprise (the password hash is never checked here).
    """INSERT INTO users (username, display_name, phone, email, password_hash, role, enterprise_id, active,
                          created_at, session_version, certificate_no)
       SELECT 'bs_' || e.id || '_' || s, '员工' || s, '', '', 'x', 'enterprise_staff', e.id, true, :now, 0, ''
       FROM enterprises e CROSS JOIN generate_series(1, 5) s""",
    """INSERT INTO users (username, display_name, phone, email, password_hash, role, enterprise_id, active,
                          created_at, session_version, certificate_no)
       SELECT 'bm_' || e.id, '安全员', '', '', 'x', 'enterprise_manager', e.id, true, :now, 0, ''
       FROM enterprises e WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.enterprise_id = e.id
                                            AND u.role = 'enterprise_manager')""",
    f"""INSERT INTO risk_points (enterprise_id, name, area, kind, hazard_factors, accident_types, controls,
                                consequences, control_level, control_level_manual, review_interval_months,
                                card_token, status, created_at, version)
       SELECT e.id, '单元' || u, '', 'place', '[]', '[]', '{{}}', '', 'department', false, 3,
              md5(e.id || ':' || u), 'active', :now, 1
       FROM enterprises e CROSS JOIN generate_series(1, {UNITS}) u""",
    """INSERT INTO risk_events (enterprise_id, risk_point_id, name, description, position, created_at)
       SELECT enterprise_id, id, '事件', '', 0, :now FROM risk_points""",
    f"""INSERT INTO control_measures (enterprise_id, risk_point_id, event_id, description, classify1, classify2,
                                     classify3, data_source, check_content, position, active, created_at)
       SELECT ev.enterprise_id, ev.risk_point_id, ev.id, '措施' || m, '1', '1-2', '', 'manual', '', m, true, :now
       FROM risk_events ev CROSS JOIN generate_series(1, {MEASURES}) m""",
    # One task per measure: the mix by the measure's place in the enterprise (unit number, measure number), so
    # that every enterprise has it; start a quarter ago (a CST midnight), staggered by
    # enterprise; assignee: one of the enterprise's 5 staff by unit.
    """INSERT INTO check_tasks (enterprise_id, measure_id, risk_point_id, cycle, cycle_unit, starts_at,
                               workday_type, work_start, work_end, task_type, assignee_user_id, control_level,
                               active, created_at, version)
       SELECT m.enterprise_id, m.id, m.risk_point_id,
              CASE WHEN k = 0 THEN 4 ELSE 1 END,
              CASE WHEN k = 0 THEN 'hour' WHEN k <= 6 THEN 'day' WHEN k <= 13 THEN 'week'
                   WHEN k <= 18 THEN 'month' ELSE 'year' END,
              date_trunc('day', CAST(:now AS timestamp) + interval '8 hours') - interval '8 hours'
                - make_interval(days => 91 + m.enterprise_id % 7),
              'every_day', CASE WHEN k = 0 THEN '08:00' END, CASE WHEN k = 0 THEN '20:00' END,
              'routine',
              u.id, 'department', true, :now, 1
       FROM (SELECT cm.*, ((substring(p.name, 3)::int - 1) * 4 + cm.position - 1) % 20 AS k
             FROM control_measures cm JOIN risk_points p ON p.id = cm.risk_point_id) m
       JOIN risk_points rp ON rp.id = m.risk_point_id
       JOIN users u ON u.username = 'bs_' || m.enterprise_id || '_' || (1 + substring(rp.name, 3)::int % 5)""",
]

# The windows of every task that closed before :now, as the core defines them (anchored: start + n·step),
# about 85 % recorded in time, 5 % late (2 h after the close, if that is before :now), 10 % missed.
SQL_RECORDS = """
INSERT INTO check_records (enterprise_id, task_id, window_start, window_end, recorded_at, checker_id, result, note,
                           late, via_qr)
SELECT w.enterprise_id, w.task_id, w.ws, w.we,
       CASE WHEN w.h < 85 THEN w.ws + (w.we - w.ws) / 3 ELSE w.we + interval '2 hours' END,
       w.assignee_user_id, 'normal', '', w.h >= 85, false
FROM (
  SELECT t.enterprise_id, t.id AS task_id, t.assignee_user_id, s.ws, s.we,
         abs(hashtext(t.id || ':' || s.ws)) % 100 AS h
  FROM check_tasks t
  CROSS JOIN LATERAL (
    SELECT t.starts_at + make_interval(days => d, hours => 8 + 4 * slot) AS ws,
           t.starts_at + make_interval(days => d, hours => 12 + 4 * slot) AS we
    FROM generate_series(0, 100) d CROSS JOIN generate_series(0, 2) slot
    WHERE t.cycle_unit = 'hour'
    UNION ALL
    SELECT t.starts_at + make_interval(days => n * CASE t.cycle_unit WHEN 'day' THEN 1 ELSE 7 END),
           t.starts_at + make_interval(days => (n + 1) * CASE t.cycle_unit WHEN 'day' THEN 1 ELSE 7 END)
    FROM generate_series(0, 100) n WHERE t.cycle_unit IN ('day', 'week')
    UNION ALL
    SELECT t.starts_at + make_interval(months => n * CASE t.cycle_unit WHEN 'month' THEN 1 ELSE 12 END),
           t.starts_at + make_interval(months => (n + 1) * CASE t.cycle_unit WHEN 'month' THEN 1 ELSE 12 END)
    FROM generate_series(0, 4) n WHERE t.cycle_unit IN ('month', 'year')
  ) s
  WHERE s.we <= :now
) w
WHERE w.h < 90 AND (w.h < 85 OR w.we + interval '2 hours' <= :now)
"""


# Each enterprise's 5 staff get 10 units each (by the unit's number). Part of the seed; --reuse runs it again
# on a database built before (it is idempotent).
SQL_REASSIGN = """
UPDATE check_tasks t SET assignee_user_id = u.id
FROM risk_points rp, users u
WHERE rp.id = t.risk_point_id
  AND u.username = 'bs_' || t.enterprise_id || '_' || (1 + substring(rp.name, 3)::int % 5)
  AND t.assignee_user_id IS DISTINCT FROM u.id"""


def timed(fn, n: int) -> tuple[float, float]:
    """(median ms, max ms) of n calls."""
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), max(times)


_WRAPPER = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:]); "
            "print('MAXRSS', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)")


def run_cli(args: list[str], env: dict) -> tuple[float, float, str]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _WRAPPER, str(ROOT / ".venv/bin/shuangkong"), *args], env=env,
                          capture_output=True, text=True)
    elapsed = time.perf_counter() - t0
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    peak = next((int(x.split()[1]) for x in lines if x.startswith("MAXRSS")), 0) / 1024
    return elapsed, peak, " | ".join(x for x in lines if not x.startswith("MAXRSS") and "checks" in x)[-200:]


def build(url: str, n_enterprises: int) -> dict:
    from bench_hazards import seed_organisations
    from sqlalchemy import text

    from app import create_app
    from app.clock import utcnow
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    figures = {}
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        enterprise_ids, users = seed_organisations(n_enterprises)
        now = utcnow().replace(microsecond=0)
        for stmt in SQL_SEED:
            db.session.execute(text(stmt), {"now": now})
        db.session.execute(text(SQL_REASSIGN))
        db.session.commit()
        t1 = time.perf_counter()
        db.session.execute(text(SQL_RECORDS), {"now": now})
        db.session.commit()
        db.session.commit()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))  # what autovacuum does after a load (index-only scans)
        counts = db.session.execute(text(
            "SELECT (SELECT count(*) FROM check_tasks), (SELECT count(*) FROM check_records)")).one()
        figures.update(tasks=counts[0], records=counts[1], seed_s=t1 - t0, records_s=time.perf_counter() - t1,
                       enterprise_ids=enterprise_ids, users=users)
        db.session.remove()
        db.engine.dispose()
    return figures


def reuse(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(SQL_REASSIGN))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE check_tasks"))
        conn.execute(text("VACUUM ANALYZE check_records"))
        counts = conn.execute(text(
            "SELECT (SELECT count(*) FROM check_tasks), (SELECT count(*) FROM check_records)")).one()
    engine.dispose()
    return {"tasks": counts[0], "records": counts[1], "seed_s": 0.0, "records_s": 0.0}


def measure(url: str, env: dict) -> dict:
    from datetime import timedelta

    from sqlalchemy import select, text

    from app import create_app
    from app.auth.models import Role, User
    from app.checks import queries
    from app.clock import today
    from app.extensions import db
    from app.organisations.models import Enterprise, Region

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    out = {}
    with app.app_context(), app.test_request_context():
        first = db.session.scalar(select(Enterprise.id).order_by(Enterprise.id))
        staff = db.session.scalar(select(User).where(User.username == f"bs_{first}_1"))
        manager = db.session.scalar(select(User).where(User.enterprise_id == first,
                                                       User.role == Role.enterprise_manager))
        supervisor = db.session.scalar(select(User).where(User.role == Role.supervisor))
        county = db.session.scalar(select(Region).where(Region.level == "county").order_by(Region.id))
        n_county = db.session.scalar(select(db.func.count()).select_from(Enterprise).where(
            Enterprise.region_id == county.id))
        d = today()
        quarter = (d - timedelta(days=91)).isoformat(), (d - timedelta(days=1)).isoformat()
        week = (d - timedelta(days=7)).isoformat(), (d - timedelta(days=1)).isoformat()
        mine = queries.windows_for(staff, assignee="me")
        out["my_windows"] = len(mine)
        out["my_ms"] = timed(lambda: queries.windows_for(staff, assignee="me"), 30)
        s = queries.check_stats(manager, enterprise_id=first, from_=quarter[0], to=quarter[1])
        out["ent_figures"] = s
        out["ent_ms"] = timed(lambda: queries.check_stats(manager, enterprise_id=first, from_=quarter[0],
                                                          to=quarter[1], group_by="user"), 20)
        c = queries.check_stats(supervisor, region_id=county.id, from_=week[0], to=week[1], group_by="enterprise")
        out["county_enterprises"] = n_county
        out["county_figures"] = {k: c[k] for k in ("planned", "done", "late", "missed", "completion_rate")}
        out["county_ms"] = timed(lambda: queries.check_stats(supervisor, region_id=county.id, from_=week[0],
                                                             to=week[1], group_by="enterprise"), 10)
        out["county_user_ms"] = timed(lambda: queries.check_stats(supervisor, region_id=county.id, from_=week[0],
                                                                  to=week[1], group_by="user"), 10)
        # The step alone, in process (its first run looks back one day), rolled back: the CLI runs it again.
        from app.checks import scan

        db.session.execute(text("DELETE FROM check_scan_state"))
        db.session.execute(text("DELETE FROM notifications WHERE kind = 'check_missed'"))  # a run before
        db.session.commit()
        t0 = time.perf_counter()
        out["step"] = scan.scan_missed()
        out["step_s"] = time.perf_counter() - t0
        db.session.rollback()
        db.session.execute(text("DELETE FROM check_scan_state"))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    out["startup"] = run_cli(["routes"], env)
    out["scan"] = run_cli(["scan"], env)
    out["scan_again"] = run_cli(["scan"], env)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100", help="percent of 1 000 enterprises, comma-separated")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_ADMIN_URL", PG_ADMIN_URL))
    parser.add_argument("--reuse", action="store_true", help="measure the databases built by an earlier run")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    results = {}
    for pct in (int(x) for x in args.sizes.split(",")):
        name = f"bench_checks_{pct}"
        url = args.pg_url.rsplit("/", 1)[0] + f"/{name}"
        if not args.reuse:
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {name}"))
            admin.dispose()
        env = {**os.environ, "SHUANGKONG_DATABASE_URL": url, "SHUANGKONG_INSTANCE_PATH": tempfile.mkdtemp(),
               "SHUANGKONG_SECRET_KEY": "bench"}
        env.pop("SHUANGKONG_REDIS_URL", None)
        os.environ.update({k: v for k, v in env.items() if k.startswith("SHUANGKONG_")})
        built = reuse(url) if args.reuse else build(url, 1000 * pct // 100)
        print(f"[{pct}%] {built['tasks']} tasks, {built['records']} records; seeded in {built['seed_s']:.0f} s, "
              f"records in {built['records_s']:.0f} s", flush=True)
        m = measure(url, env)
        results[pct] = m
        print(f"[{pct}%] 我的任务 ({m['my_windows']} windows today): median {m['my_ms'][0]:.1f} ms, "
              f"max {m['my_ms'][1]:.1f} ms", flush=True)
        f = m["ent_figures"]
        print(f"[{pct}%] one enterprise, a quarter (by user): median {m['ent_ms'][0]:.1f} ms, max "
              f"{m['ent_ms'][1]:.1f} ms; planned {f['planned']} done {f['done']} late {f['late']} "
              f"missed {f['missed']} rate {f['completion_rate']:.3f}", flush=True)
        print(f"[{pct}%] a county ({m['county_enterprises']} enterprises), a week (by enterprise): median "
              f"{m['county_ms'][0]:.1f} ms, max {m['county_ms'][1]:.1f} ms; by user: median {m['county_user_ms'][0]:.1f} ms; "
              f"{m['county_figures']}", flush=True)
        print(f"[{pct}%] daily scan step in process: {m['step_s']:.1f} s {m['step']}; `shuangkong scan` (every "
              f"step, a command's start {m['startup'][0]:.1f} s): {m['scan'][0]:.1f} s, peak {m['scan'][1]:.0f} MB "
              f"({m['scan'][2]}); again: {m['scan_again'][0]:.1f} s ({m['scan_again'][2]})", flush=True)
    if 10 in results and 100 in results:
        a, b = results[10], results[100]
        print("ratios 100 % / 10 %: "
              f"我的任务 {b['my_ms'][0] / a['my_ms'][0]:.2f}, enterprise quarter {b['ent_ms'][0] / a['ent_ms'][0]:.2f}, "
              f"county week {b['county_ms'][0] / a['county_ms'][0]:.2f} (a county has 10× the enterprises), "
              f"daily scan step {b['step_s'] / a['step_s']:.2f} (10× the tasks), "
              f"scan memory {b['scan'][1] / a['scan'][1]:.2f}")


if __name__ == "__main__":
    main()
