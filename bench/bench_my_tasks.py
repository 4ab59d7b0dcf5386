"""Benchmark of the 我的任务 page as a whole request (prints figures and ratios; not a test). Issue 13 (g).

The query behind the page (``queries.windows_wanting_check`` of one member of staff, 40 tasks) met its
target; the whole request measured many times it. This bench says where the rest goes: for one member
of staff of the data of bench/bench_checks.py (``--enterprises`` of them, a quarter of history), built
into a database of its own on PostgreSQL, it prints

1. the query alone, median ms (the baseline of the same run);
2. ``GET /checks/`` through the Flask test client (login cookie, navigation with the to-do counts,
   template), median ms, and its ratio to the query;
3. the SQL statements one request runs;
4. the ten functions of the request with the largest cumulative time (cProfile, one request).

Usage: .venv/bin/python bench/bench_my_tasks.py [--enterprises 10] [--db bench_my_tasks]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--reuse]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_checks import PG_ADMIN_URL, build, timed  # noqa: E402


def measure(url: str, rounds: int) -> dict:
    from sqlalchemy import event, select

    from app import create_app
    from app.auth.models import User
    from app.auth.sessions import cookie_fields
    from app.checks import queries
    from app.extensions import db
    from app.organisations.models import Enterprise

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True,
                      "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    out: dict = {}
    with app.app_context():
        db.create_all()  # tables of this branch beside the bench's data
        first = db.session.scalar(select(Enterprise.id).order_by(Enterprise.id))
        staff = db.session.scalar(select(User).where(User.username == f"bs_{first}_1"))
        def query():  # a request context of its own each time: nothing kept from the call before
            with app.test_request_context():
                return queries.windows_wanting_check(staff)

        out["query_ms"] = timed(query, rounds)
        out["windows"] = len(query())
        fields = cookie_fields(staff)
        db.session.remove()

    c = app.test_client()
    with c.session_transaction() as sess:
        sess.update(fields)
        sess["_fresh"] = True

    def get():
        r = c.get("/checks/")
        assert r.status_code == 200, r.status_code
        r.close()

    get()  # warm: templates compiled, caches filled
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    get()
    event.remove(engine, "before_cursor_execute", count)
    out["statements"] = len(statements)
    out["request_ms"] = timed(get, rounds)
    prof = cProfile.Profile()
    prof.enable()
    get()
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(r"/routine/(app|workflows)/", 25)
    out["profile"] = "\n".join(line for line in text.getvalue().splitlines() if "/" in line)[:5000]
    with app.app_context():
        db.engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--enterprises", type=int, default=10)
    parser.add_argument("--db", default="bench_my_tasks")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_ADMIN_URL", PG_ADMIN_URL))
    parser.add_argument("--reuse", action="store_true", help="measure the database built by an earlier run")
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tempfile.mkdtemp())
    os.environ.pop("SHUANGKONG_REDIS_URL", None)
    url = args.pg_url.rsplit("/", 1)[0] + f"/{args.db}"
    if not args.reuse:
        admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {args.db}"))
        admin.dispose()
        built = build(url, args.enterprises)
        print(f"{built['tasks']} tasks, {built['records']} records", flush=True)
    r = measure(url, args.rounds)
    print(f"query windows_wanting_check: median {r['query_ms'][0]:.1f} ms ({r['windows']} windows)")
    print(f"GET /checks/ whole request: median {r['request_ms'][0]:.1f} ms (max {r['request_ms'][1]:.1f}); "
          f"{r['statements']} SQL statements; request / query = {r['request_ms'][0] / r['query_ms'][0]:.1f}")
    print("profile of one request (cumulative):")
    print(r["profile"])


if __name__ == "__main__":
    main()
