"""Exports (issue 18 item 3): peak memory and time of a 100 000-row hazard register export (target:
peak < 200 MB), written by the one export service (app.exports / app.xlsx: write-only, row by row),
against openpyxl's ordinary mode writing the same rows (the baseline, how exports were written before).

    .venv/bin/python bench/bench_exports.py [--rows 100000] [--database-url URL]

Each variant runs in a fresh process (peak RSS is per process: ru_maxrss), reads the rows from the
database as the export job does (the register query of an enterprise manager, 1 000 rows a batch) and
writes an .xlsx file. The database is a temporary SQLite file unless --database-url names one (its
tables are dropped and rebuilt: never point it at real data).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _app(url: str, instance: str):
    os.environ["SHUANGKONG_INSTANCE_PATH"] = instance
    from tests.conftest import make_app

    return make_app({"UPLOAD_FOLDER": str(Path(instance) / "files")}, db_url=url)


def seed(url: str, instance: str, rows: int) -> None:
    from sqlalchemy import insert

    from app.extensions import db
    from app.hazards.models import Hazard
    from tests.conftest import Factory

    app = _app(url, instance)
    with app.app_context():
        db.drop_all()
        db.create_all()
        f = Factory()
        county = f.region("导出测试县", level="county")
        enterprise = f.enterprise(county, name="导出测试化工有限公司")
        f.user("enterprise_manager", enterprise=enterprise, username="export_manager")
        db.session.commit()
        for start in range(0, rows, 10_000):
            db.session.execute(insert(Hazard), [
                {"enterprise_id": enterprise.id, "code": f"YH-B-{i:07d}", "title": f"储罐区法兰泄漏第{i}处",
                 "state": "rectifying", "level": "general"} for i in range(start, min(rows, start + 10_000))])
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def child(mode: str, url: str, instance: str) -> None:
    """One export in this process; prints {seconds, rows, peak_mb, before_mb, size}."""
    from sqlalchemy import select

    from app import xlsx
    from app.auth.models import User
    from app.extensions import db
    from app.hazards import exports

    app = _app(url, instance)
    out = Path(instance) / f"{mode}.xlsx"
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "export_manager"))
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start = time.perf_counter()
        sheet = exports.sheet(user, {})
        if mode == "service":
            xlsx.write(sheet, str(out))
            written = sheet.written
        else:  # the baseline: openpyxl's ordinary workbook keeps every cell until it is saved
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            ws.append(list(sheet.headers))
            written = 0
            for row in sheet.rows:
                ws.append(list(row))
                written += 1
            wb.save(out)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": written, "peak_mb": peak, "before_mb": before,
                      "size": out.stat().st_size}))


def run(mode: str, url: str, instance: str) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", mode, "--database-url", url, "--instance", instance],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--child")
    parser.add_argument("--instance")
    args = parser.parse_args()
    if args.child:
        child(args.child, args.database_url, args.instance)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{tmp}/export-bench.sqlite3"
        start = time.perf_counter()
        seed(url, tmp, args.rows)
        import openpyxl

        print(f"scale: {args.rows} hazards of one enterprise ({url.split('@')[-1].split(':')[0]}, seeded in "
              f"{time.perf_counter() - start:.0f} s); lxml {'on' if openpyxl.LXML else 'OFF'}; {os.cpu_count()} CPUs (shared)")
        results = {mode: run(mode, url, tmp) for mode in ("service", "baseline")}
    for mode, r in results.items():
        label = "export service (write-only)" if mode == "service" else "openpyxl ordinary mode (baseline)"
        print(f"{label:36} rows {r['rows']:7d}  time {r['seconds']:6.1f} s  peak RSS {r['peak_mb']:6.0f} MB "
              f"(+{r['peak_mb'] - r['before_mb']:.0f} MB over the loaded app)  file {r['size'] / 1e6:.1f} MB")
    s, b = results["service"], results["baseline"]
    print(f"peak memory {s['peak_mb']:.0f} MB (target < 200 MB): x{s['peak_mb'] / b['peak_mb']:.2f} of the baseline's; "
          f"time x{s['seconds'] / b['seconds']:.2f}; every row written: {s['rows'] == args.rows}")


if __name__ == "__main__":
    main()
