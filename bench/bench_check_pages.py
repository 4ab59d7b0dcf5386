"""Benchmark of the check pages on PostgreSQL (prints figures and ratios; not a test). Issue 13 items 6, 7.

The data of bench/bench_checks.py (1 000 enterprises × 50 units × 4 measures, one task each, a quarter of
history; 10 % = 100 enterprises), built into databases of this bench's own (``bench_check_pages_<pct>``).
Measured through the Flask test client (whole requests: login cookie, queries, template), medians:

1. 我的任务 (``GET /checks/``) of one member of staff (his 40 tasks);
2. a unit's page (``GET /checks/units/<id>``) of one of his units;
3. the manager's figures for a quarter by department (``GET /checks/stats``) and their Excel export;
4. the missed windows of the enterprise for a week (``GET /checks/missed``).

Usage: .venv/bin/python bench/bench_check_pages.py [--sizes 10,100] [--pg-url …/postgres]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_checks import PG_ADMIN_URL, build, timed  # noqa: E402


def measure(url: str) -> dict:
    from datetime import timedelta

    from sqlalchemy import select

    from app import create_app
    from app.auth.models import Role, User
    from app.auth.sessions import cookie_fields
    from app.checks.models import CheckTask
    from app.clock import today
    from app.extensions import db
    from app.organisations.models import Enterprise

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    out = {}
    with app.app_context():
        db.create_all()  # this branch's own tables (duty lists) beside the bench's data
        first = db.session.scalar(select(Enterprise.id).order_by(Enterprise.id))
        staff = db.session.scalar(select(User).where(User.username == f"bs_{first}_1"))
        manager = db.session.scalar(select(User).where(User.enterprise_id == first,
                                                       User.role == Role.enterprise_manager))
        point_id = db.session.scalar(select(CheckTask.risk_point_id).where(
            CheckTask.assignee_user_id == staff.id).order_by(CheckTask.id))
        staff_cookie, manager_cookie = cookie_fields(staff), cookie_fields(manager)
        db.session.remove()

    def client(fields):
        c = app.test_client()
        with c.session_transaction() as sess:
            sess.update(fields)
            sess["_fresh"] = True
        return c

    def get(c, path):
        r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        r.close()
        return r

    d = today()
    quarter = f"from={(d - timedelta(days=91)).isoformat()}&to={(d - timedelta(days=1)).isoformat()}"
    week = f"from={(d - timedelta(days=7)).isoformat()}&to={(d - timedelta(days=1)).isoformat()}"
    s, m = client(staff_cookie), client(manager_cookie)
    out["my_ms"] = timed(lambda: get(s, "/checks/"), 30)
    out["unit_ms"] = timed(lambda: get(s, f"/checks/units/{point_id}"), 30)
    out["stats_ms"] = timed(lambda: get(m, f"/checks/stats?{quarter}&group_by=department"), 10)
    out["xlsx_ms"] = timed(lambda: get(m, f"/checks/stats.xlsx?{quarter}&group_by=user"), 5)
    out["missed_ms"] = timed(lambda: get(m, f"/checks/missed?{week}"), 5)
    with app.app_context():
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,100")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_ADMIN_URL", PG_ADMIN_URL))
    parser.add_argument("--reuse", action="store_true", help="measure the databases built by an earlier run")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tempfile.mkdtemp())
    os.environ.pop("SHUANGKONG_REDIS_URL", None)
    results = {}
    for pct in (int(x) for x in args.sizes.split(",")):
        name = f"bench_check_pages_{pct}"
        url = args.pg_url.rsplit("/", 1)[0] + f"/{name}"
        if not args.reuse:
            admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {name}"))
            admin.dispose()
            built = build(url, 1000 * pct // 100)
            print(f"[{pct}%] {built['tasks']} tasks, {built['records']} records", flush=True)
        r = results[pct] = measure(url)
        print(f"[{pct}%] 我的任务 page: median {r['my_ms'][0]:.1f} ms (max {r['my_ms'][1]:.1f}); unit page: "
              f"{r['unit_ms'][0]:.1f} ms; manager's quarter by department: {r['stats_ms'][0]:.1f} ms, its Excel "
              f"{r['xlsx_ms'][0]:.1f} ms; a week's missed windows: {r['missed_ms'][0]:.1f} ms", flush=True)
    if 10 in results and 100 in results:
        a, b = results[10], results[100]
        print("ratios 100 % / 10 %: " + ", ".join(f"{k[:-3]} {b[k][0] / a[k][0]:.2f}" for k in a))


if __name__ == "__main__":
    main()
