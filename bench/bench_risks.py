"""Benchmarks of risk grading (prints figures and ratios against a baseline measured in this process).

1. Grading 100 000 assessments through ``workflows.grading.assess`` (target: ≥ 50 000 per second);
   baseline: the bare products of the same inputs (no validation, no rule set).
2. The region view (``app.risks.maps.region_summary``) over 1 000 enterprises and 50 000 risk points on
   PostgreSQL (target: median < 100 ms); baseline: ``SELECT count(*) FROM risk_points``.
   Uses its own database ``bench_risks`` (created and dropped here); set BENCH_PG_URL to point elsewhere
   (default postgresql+psycopg://postgres@127.0.0.1:5432/bench_risks).

Usage: .venv/bin/python bench/bench_risks.py [--quick]
"""

from __future__ import annotations

import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workflows.grading import FACTORS, PRESETS, Method, assess  # noqa: E402

QUICK = "--quick" in sys.argv
N_ASSESS = 20_000 if QUICK else 100_000
N_ENTERPRISES = 1_000
N_POINTS = 5_000 if QUICK else 50_000
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_risks")


def bench_grading() -> None:
    rnd = random.Random(7)
    methods = [Method.lec, Method.ls, Method.mes]
    cases = []
    for _ in range(N_ASSESS):
        m = rnd.choice(methods)
        cases.append((m.value, {k: rnd.choice(v) for k, v in FACTORS[m].items()}))
    rs = PRESETS["strict"]
    t0 = time.perf_counter()
    for _m, inputs in cases:
        math.prod(inputs.values())
    baseline = time.perf_counter() - t0
    t0 = time.perf_counter()
    for m, inputs in cases:
        assess(m, inputs, rs)
    elapsed = time.perf_counter() - t0
    rate = N_ASSESS / elapsed
    print(f"grading: {N_ASSESS} assessments in {elapsed:.3f} s = {rate:,.0f}/s "
          f"(target >= 50,000/s: {'OK' if rate >= 50_000 else 'MISSED'}); "
          f"bare products {N_ASSESS / baseline:,.0f}/s; ratio {elapsed / baseline:.1f}x")


def _admin_url(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base.replace("+psycopg", "") + "/postgres", name


def bench_region_view() -> None:
    import psycopg

    admin, name = _admin_url(PG_URL)
    try:
        conn = psycopg.connect(admin, autocommit=True)
    except psycopg.OperationalError as exc:
        print(f"region view: skipped (no PostgreSQL at {admin}: {exc})")
        return
    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.execute(f'CREATE DATABASE "{name}"')
    try:
        _region_view(PG_URL)
    finally:
        if not os.environ.get("BENCH_KEEP_DB"):
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.close()


def _region_view(url: str) -> None:
    import tempfile

    from sqlalchemy import func, insert, select, text

    from app import create_app
    from app.auth.models import Role, User
    from app.extensions import db
    from app.organisations.models import Authority, Enterprise, Industry, Region, RegionLevel
    from app.risks.maps import region_summary
    from app.risks.models import RiskPoint
    from workflows.grades import Grade
    from workflows.grading import control_level_for

    tmp = tempfile.mkdtemp()
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tmp)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "UPLOAD_FOLDER": tmp})
    rnd = random.Random(11)
    with app.app_context():
        db.create_all()
        t0 = time.perf_counter()
        province = Region(code="990000", name="基准省", level=RegionLevel.province, path="")
        db.session.add(province)
        db.session.flush()
        province.path = f"/{province.id}/"
        counties = []
        for i in range(20):
            c = Region(code=f"9901{i:02d}", name=f"县{i}", level=RegionLevel.county, parent_id=province.id)
            db.session.add(c)
            db.session.flush()
            c.path = f"{province.path}{c.id}/"
            counties.append(c)
        industry = Industry(code="bench", name="基准行业")
        authority = Authority(region_id=province.id, level=RegionLevel.province, name="基准省应急管理厅",
                              abbreviation="基", review_body="基准省人民政府", court="基准法院")
        db.session.add_all([industry, authority])
        db.session.flush()
        supervisor = User(username="bench_supervisor", display_name="监管", role=Role.supervisor,
                          authority_id=authority.id, password_hash="x")
        db.session.add(supervisor)
        db.session.flush()
        db.session.execute(insert(Enterprise), [
            {"name": f"基准企业{i:04d}", "credit_code": f"91{i:016d}", "region_id": counties[i % 20].id,
             "industry_id": industry.id} for i in range(N_ENTERPRISES)])
        ent_ids = db.session.scalars(select(Enterprise.id)).all()
        grades = [Grade.red, Grade.orange, Grade.yellow, Grade.yellow, Grade.blue, Grade.blue, Grade.blue, None]
        rows = []
        for i in range(N_POINTS):
            g = rnd.choice(grades)
            rows.append({"enterprise_id": ent_ids[i % len(ent_ids)], "name": f"风险点{i}", "area": "区域",
                         "assessed_grade": g, "effective_grade": g, "control_level": control_level_for(g),
                         "card_token": f"t{i:09d}", "hazard_factors": [], "accident_types": [], "controls": {}})
        for start in range(0, len(rows), 10_000):
            db.session.execute(insert(RiskPoint), rows[start:start + 10_000])
        from app.risks.summary import rebuild_all

        rebuild_all(db.session.connection())  # bulk inserts bypass the per-flush upkeep
        db.session.commit()
        # Steady state of a live database (autovacuum): statistics and the visibility map that lets
        # PostgreSQL answer the count from the index alone.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("VACUUM ANALYZE"))
        print(f"region view: seeded {N_ENTERPRISES} enterprises and {N_POINTS} risk points in "
              f"{time.perf_counter() - t0:.1f} s")
        user = db.session.get(User, supervisor.id)

        def timed(fn, n):
            times = []
            for _ in range(n):
                t = time.perf_counter()
                fn()
                times.append(time.perf_counter() - t)
            return statistics.median(times), max(times)

        with app.test_request_context():
            base_med, _ = timed(lambda: db.session.scalar(select(func.count()).select_from(RiskPoint)), 20)
            grouped = (select(RiskPoint.enterprise_id, RiskPoint.effective_grade, func.count())
                       .where(RiskPoint.status == "active").group_by(RiskPoint.enterprise_id, RiskPoint.effective_grade))
            group_med, _ = timed(lambda: db.session.execute(grouped).all(), 5)
            region_summary(user)  # warm-up
            med, worst = timed(lambda: region_summary(user, page=1), 20)
            summary = region_summary(user)
        print(f"region view: median {med * 1000:.1f} ms, worst {worst * 1000:.1f} ms over 20 runs "
              f"(target median < 100 ms: {'OK' if med < 0.1 else 'MISSED'}); "
              f"baseline count(*) {base_med * 1000:.1f} ms; ratio {med / base_med:.1f}x; "
              f"counting on the fly (GROUP BY over all points) would take {group_med * 1000:.1f} ms; "
              f"{summary['total']} enterprises, totals {summary['totals']}")
        db.session.remove()
        db.engine.dispose()


if __name__ == "__main__":
    bench_grading()
    bench_region_view()
