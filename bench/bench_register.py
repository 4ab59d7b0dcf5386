"""The hazard register per filter and scope on PostgreSQL (issue 18 items 1 and 6): prints p50 / p95
of the register's query (capped count + page, ``register_page``) for an enterprise, a district and a
city, at two sizes measured alternately, and the p95 ratio large / small (target ≤ 1.5).

Creates and drops the databases ``bench_register`` and ``bench_register_large``. Usage:

    .venv/bin/python bench/bench_register.py [--small 10000] [--large 100000] [--rounds 20]
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_hazards import bulk_hazards, make_app, pct, seed_organisations  # noqa: E402

FILTERS = {
    "first page": {},
    "page 20": {"page": 20},
    "state": {"state": "rectifying"},
    "level=major": {"level": "major"},
    "grade=red": {"grade": "red"},
    "overdue": {"overdue": True},
    "one week": "week",
    "search rare": {"q": "隐患12345"},
    "search 3 chars": {"q": "隐患9"},
}


def district_user():
    from sqlalchemy import select

    from app.extensions import db
    from app.organisations import service
    from app.organisations.accounts import create_user
    from app.organisations.models import Region

    county = db.session.scalar(select(Region).where(Region.code == "810101"))
    authority = service.create_authority(None, region=county, name="基准0县应急管理局", abbreviation="零",
                                         review_body="基准0县人民政府", court="基准0县人民法院")
    user = create_user(None, username="b_district", display_name="县执法", role="inspector", password="bench-pass-1",
                       authority=authority, certificate_no="81000001")
    db.session.commit()
    return user.id


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--pg-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tempfile.mkdtemp(prefix="bench_register_"))
    import psycopg

    from app.auth.models import User
    from app.clock import today
    from app.extensions import db
    from app.hazards.register import register_page

    admin = args.pg_url.replace("postgresql+psycopg://", "postgresql://")
    names = ("bench_register", "bench_register_large")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
    base = args.pg_url.rsplit("/", 1)[0]
    apps, users = [], []
    try:
        for name, size in zip(names, (args.small, args.large), strict=True):
            app = make_app(f"{base}/{name}", tempfile.mkdtemp())
            with app.app_context():
                db.create_all()
                _ids, who = seed_organisations(args.enterprises)
                who["district"] = district_user()
                t0 = time.perf_counter()
                bulk_hazards(_ids, size // args.enterprises, 1, random.Random(7))
                with db.engine.connect() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    conn.commit()
                print(f"{size} hazards across {args.enterprises} enterprises (seeded in {time.perf_counter() - t0:.1f} s)")
            apps.append(app)
            users.append(who)
        week = {"date_from": today() - timedelta(days=7), "date_to": today()}
        print(f"{'filter':<15} {'scope':<10} " + " | ".join(f"{s:>7}: p50    p95" for s in (args.small, args.large))
              + " | p95 ratio")
        for fname, filters in FILTERS.items():
            filters = week if filters == "week" else filters
            for scope, role in (("enterprise", "manager"), ("district", "district"), ("city", "supervisor")):
                times: list[list[float]] = [[], []]
                for i in range(args.rounds + 3):
                    for k, app in enumerate(apps):
                        with app.app_context():
                            user = db.session.get(User, users[k][role])
                            t0 = time.perf_counter()
                            register_page(user, per_page=50, **filters)
                            elapsed = (time.perf_counter() - t0) * 1000
                            db.session.remove()
                        if i >= 3:
                            times[k].append(elapsed)
                cells = " | ".join(f"{statistics.median(t):6.1f} {pct(t, 0.95):6.1f}" for t in times)
                print(f"{fname:<15} {scope:<10} {cells} | {pct(times[1], 0.95) / pct(times[0], 0.95):5.2f}",
                      flush=True)
    finally:
        for app in apps:
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
