"""Bulk import from Excel: 1 000 enterprises (half with a safety manager's account) and 1 000 staff
with 40 new units, each checked (dry run, the preview) then created; and the same 1 000 enterprises
with one bad cell (refused). Baseline: reading the same workbook with openpyxl alone (what any import
must pay), measured in this run. The goal: 1 000 rows in under 10 s.

    .venv/bin/python bench/bench_imports.py [ROWS]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/shk_bench .venv/bin/python bench/bench_imports.py

The bench database is emptied first (never point it at data you keep).
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def main() -> None:
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tempfile.mkdtemp())
    from openpyxl import load_workbook

    from app import create_app
    from app.extensions import db
    from app.imports import service
    from app.organisations import service as org
    from app.organisations.accounts import create_user
    from app.organisations.seed import ensure_industries
    from tests.imports.helpers import enterprise_row, enterprises_file, users_file

    app = create_app({"SQLALCHEMY_DATABASE_URI": os.environ.get("BENCH_DATABASE_URL", "sqlite://"),
                      "UPLOAD_FOLDER": tempfile.mkdtemp()})  # production password hashing (scrypt)
    with app.test_request_context():
        db.drop_all()
        db.create_all()
        ensure_industries()
        province = org.create_region(None, code="810000", name="省", level="province", parent=None)
        city = org.create_region(None, code="811000", name="市", level="city", parent=province)
        counties = [org.create_region(None, code=f"81100{i}", name=f"县{i}", level="county", parent=city)
                    for i in range(1, 6)]
        admin = create_user(None, username="bench_admin", display_name="管理员", role="admin", password="x" * 10)
        db.session.commit()

        rows = [enterprise_row(counties[n % 5], n, manager=f"mgr{n:05d}" if n % 2 else "") for n in range(N)]
        data = enterprises_file(rows)
        _wb, read = timed(lambda: [r for r in load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
                                   .iter_rows(values_only=True)])
        result, dry = timed(lambda: service.import_enterprises(admin, data, dry_run=True))
        db.session.rollback()
        bad_rows = [list(r) for r in rows]
        bad_rows[N // 2][1] = bad_rows[N // 2][1][:-1] + ("0" if bad_rows[N // 2][1][-1] != "0" else "1")

        def refused():
            try:
                service.import_enterprises(admin, enterprises_file(bad_rows), dry_run=False)
            except service.ImportRefused as exc:
                db.session.rollback()
                return exc.errors
            raise AssertionError("the bad cell was not found")

        errors, bad = timed(refused)
        result, commit = timed(lambda: (service.import_enterprises(admin, data, dry_run=False), db.session.commit()))
        enterprise = db.session.scalar(db.select(service.Enterprise).limit(1))
        manager = create_user(None, username="bench_mgr", display_name="经理", role="enterprise_manager", password="x" * 10,
                              enterprise=enterprise)
        db.session.commit()
        units = [f"部门{d}" for d in range(8)] + [f"部门{d}/车间{w}" for d in range(8) for w in range(4)]
        staff = users_file(units, [[f"staff{n:05d}", f"员工{n}", "岗位员工", units[n % len(units)], "", ""]
                                   for n in range(N)])
        _r, staff_dry = timed(lambda: service.import_users(manager, enterprise, staff, dry_run=True))
        db.session.rollback()
        _r, staff_commit = timed(lambda: (service.import_users(manager, enterprise, staff, dry_run=False),
                                          db.session.commit()))
        dialect = db.engine.dialect.name
    print(f"{N} rows, {dialect}")
    print(f"  baseline: openpyxl reads the workbook         {read:7.2f} s")
    figures = [("enterprises: preview (dry run)", dry), ("enterprises: one bad cell, refused", bad),
               (f"enterprises: import ({N // 2} accounts)", commit), ("staff: preview (dry run)", staff_dry),
               (f"staff: import ({len(units)} units, {N} accounts)", staff_commit)]
    for name, seconds in figures:
        print(f"  {name:45s} {seconds:7.2f} s  ({seconds / read:5.1f}× baseline, {N / seconds:7.0f} rows/s)"
              f"  {'OK' if seconds < 10 else 'OVER 10 s'}")
    print(f"  the refused file named: {errors[0]}")


if __name__ == "__main__":
    main()
