"""Benchmark of the reminder scan (issue 16 item 3) on PostgreSQL: prints figures, not a test.

Builds a database of its own (``--db``, dropped and re-created) with the hazards of bench/bench_scan.py
(1 000 enterprises, N hazards in every state, a quarter of them being rectified with a deadline from 60
days ago to 60 days ahead, each with a signed first event), then runs the reminder step of
``shuangkong scan`` (``app.handoffs.reminders.scan_step``: hazards, listed items' progress reports,
periodic reports) in this process, committing per batch as the command does, twice on the same day:

* the first run: its time, the reminders sent, the SQL statements per reminded hazard, and the growth of
  the process's peak memory (max RSS) over the run (bounded: batches of ``SCAN_BATCH``);
* the second run: its time and the ratio second / first (nothing is due twice: it should find nothing
  quickly).

1 000 000 hazards are too heavy for a machine shared by eight engineers; the default is 100 000.

Usage: .venv/bin/python bench/bench_reminders.py [--hazards 100000] [--db bench_reminders]
       [--pg-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_scan import KEY, PG_ADMIN_URL, seed  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_once(app, engine) -> dict:
    from sqlalchemy import event

    from app.cli import committing_batches
    from app.dashboard import report_reminders
    from app.extensions import db
    from app.handoffs import reminders

    statements = [0]

    def count(*_args):
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    before = _peak_mb()
    t0 = time.perf_counter()
    with app.app_context(), app.test_request_context(), committing_batches():
        counts = {**reminders.scan_step(), **report_reminders.scan_step()}
        db.session.commit()
    elapsed = time.perf_counter() - t0
    event.remove(engine, "before_cursor_execute", count)
    return {"s": elapsed, "counts": counts, "statements": statements[0], "peak_growth_mb": _peak_mb() - before}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=100_000)
    parser.add_argument("--db", default="bench_reminders", help="one name per engineer sharing the server")
    parser.add_argument("--pg-url", default=os.environ.get("BENCH_PG_ADMIN_URL", PG_ADMIN_URL))
    args = parser.parse_args()
    from sqlalchemy import create_engine, text

    admin = create_engine(args.pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {args.db} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {args.db}"))
    admin.dispose()
    url = args.pg_url.rsplit("/", 1)[0] + f"/{args.db}"
    os.environ.update({"SHUANGKONG_CHAIN_KEY": KEY, "SHUANGKONG_INSTANCE_PATH": tempfile.mkdtemp()})
    os.environ.pop("SHUANGKONG_REDIS_URL", None)
    from app import create_app
    from app.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "CHAIN_KEY": KEY})
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        seed(args.hazards)
        rectifying = db.session.scalar(text("SELECT count(*) FROM hazards WHERE state = 'rectifying'"))
        db.session.commit()
        engine = db.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    print(f"{args.hazards} hazards ({rectifying} being rectified) seeded in {time.perf_counter() - t0:.0f} s",
          flush=True)
    first = run_once(app, engine)
    second = run_once(app, engine)
    reminded = first["counts"].get("reminded", 0)
    print(f"first run:  {first['s']:7.1f} s  {first['counts']}  {first['statements']} statements "
          f"({first['statements'] / max(reminded, 1):.2f} per reminded hazard), peak memory +"
          f"{first['peak_growth_mb']:.0f} MB")
    print(f"second run: {second['s']:7.1f} s  {second['counts']}  {second['statements']} statements; "
          f"second / first = {second['s'] / first['s']:.4f}")
    with app.app_context():
        db.engine.dispose()


if __name__ == "__main__":
    main()
