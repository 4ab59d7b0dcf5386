"""Tenancy cost on the enterprise list: the scoped query of an inspector and of an enterprise user,
against the same page without any scope (baseline, measured in the same process).

    .venv/bin/python bench/bench_organisations.py [ENTERPRISES]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time

from sqlalchemy import insert, select

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
REPEAT = 200


def timed(fn, repeat=REPEAT) -> float:
    fn()  # warm up
    start = time.perf_counter()
    for _ in range(repeat):
        fn()
    return (time.perf_counter() - start) / repeat * 1000


def main() -> None:
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tempfile.mkdtemp())
    from app import create_app, policy
    from app.extensions import db
    from app.organisations import service
    from app.organisations.accounts import create_user
    from app.organisations.credit_code import complete
    from app.organisations.models import Enterprise
    from app.organisations.seed import ensure_industries
    from app.paging import paginate

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ.get("BENCH_DATABASE_URL", "sqlite://"),
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        db.drop_all()  # a bench database starts empty (never point this at data you keep)
        db.create_all()
        industries = ensure_industries()
        province = service.create_region(None, code="810000", name="省", level="province", parent=None)
        city = service.create_region(None, code="811000", name="市", level="city", parent=province)
        counties = [service.create_region(None, code=f"81100{i}", name=f"县{i}", level="county", parent=city)
                    for i in range(1, 10)]
        towns = [service.create_region(None, code=f"81100{i}{j + 1:03d}", name=f"镇{i}{j}", level="town", parent=c)
                 for i, c in enumerate(counties, 1) for j in range(5)]
        authority = service.create_authority(None, region=counties[0], name="县1局", abbreviation="一",
                                             review_body="县1政府", court="县1法院")
        industry_id = industries["machinery"].id
        rows = [{"name": f"企业{n:06d}", "credit_code": complete(f"91911000MA{n:07d}"),
                 "region_id": towns[n % len(towns)].id, "industry_id": industry_id} for n in range(N)]
        db.session.execute(insert(Enterprise), rows)
        first = db.session.scalar(select(Enterprise).where(Enterprise.region_id == towns[0].id).limit(1))
        admin = create_user(None, username="a", display_name="a", role="admin", password="x" * 8)
        inspector = create_user(None, username="i", display_name="i", role="inspector", password="x" * 8,
                                authority=authority, certificate_no="36990001")
        staff = create_user(None, username="s", display_name="s", role="enterprise_staff", password="x" * 8,
                            enterprise=first)
        db.session.commit()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("ANALYZE")

        def page(user, scoped=True):
            stmt = policy.visible(Enterprise, user) if scoped else select(Enterprise)
            return paginate(stmt.order_by(Enterprise.name, Enterprise.id), 3, 20)

        baseline = timed(lambda: page(admin, scoped=False))
        figures = {
            "admin (scope: all)": timed(lambda: page(admin)),
            "inspector (county subtree)": timed(lambda: page(inspector)),
            "enterprise staff (own)": timed(lambda: page(staff)),
            "get_visible, inspector": timed(lambda: policy.get_visible(Enterprise, first.id, inspector)),
        }
        print(f"{N} enterprises, {db.engine.dialect.name}; page 3 of 20 by name, incl. total count")
        print(f"  baseline (no scope): {baseline:8.2f} ms")
        for name, ms in figures.items():
            print(f"  {name:<28} {ms:8.2f} ms   x{ms / baseline:5.2f} of baseline")
        print(f"  inspector sees {page(inspector).total} of {N}; staff sees {page(staff).total}")


if __name__ == "__main__":
    main()
