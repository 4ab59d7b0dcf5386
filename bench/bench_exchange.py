"""Benchmark of the national data exchange's push (prints figures; not a test).

One enterprise with U units (one event each), 5 measures per unit, a daily task per measure and R check
records per task, pushed to the fake provincial receiver of the tests (a real HTTP server on loopback,
decrypting every batch). Measures, in the same run: the first full push, a push with nothing changed
(the cost of the per-row ledger: rebuild and compare), and a push after 1 % of the measures changed;
figures and ratios against the full push. SQLite file by default, or ``--db-url``. Usage:

    .venv/bin/python bench/bench_exchange.py [--units 200] [--records 10] [--db-url postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

COMPANY, KEY = "123456789", "0123456789abcdef"


def seed(units: int, records: int) -> int:
    from bench_hazards import seed_organisations
    from sqlalchemy import insert, select

    from app.checks.models import CheckRecord, CheckTask
    from app.clock import utcnow
    from app.extensions import db
    from app.risks.models import ControlMeasure, RiskEvent, RiskObject, RiskPoint

    enterprise_ids, users = seed_organisations(1)
    ent, staff = enterprise_ids[0], users["staff"]
    now = utcnow().replace(microsecond=0)
    db.session.execute(insert(RiskObject), [{"enterprise_id": ent, "name": f"对象{i}", "hazard_source_code": f"HS{i}"}
                                            for i in range(units)])
    objects = db.session.scalars(select(RiskObject.id).order_by(RiskObject.id)).all()
    db.session.execute(insert(RiskPoint), [{"enterprise_id": ent, "name": f"单元{i}", "object_id": o,
                                            "responsible_user_id": staff, "controls": {}}
                                           for i, o in enumerate(objects)])
    points = db.session.scalars(select(RiskPoint.id).order_by(RiskPoint.id)).all()
    # The unit's department (hazardDep) is required: give every unit the staff's.
    from app.auth.models import User
    from app.organisations.models import Department

    dept = Department(enterprise_id=ent, name="安全部", level="department")
    db.session.add(dept)
    db.session.flush()
    db.session.query(User).filter(User.id == staff).update({"department_id": dept.id})
    db.session.query(RiskPoint).update({"responsible_department_id": dept.id})
    db.session.execute(insert(RiskEvent), [{"enterprise_id": ent, "risk_point_id": p, "name": "泄漏"} for p in points])
    events = db.session.execute(select(RiskEvent.id, RiskEvent.risk_point_id).order_by(RiskEvent.id)).all()
    db.session.execute(insert(ControlMeasure), [
        {"enterprise_id": ent, "risk_point_id": p, "event_id": e, "description": f"措施{e}-{k}", "classify1": "1",
         "classify2": "1-2", "check_content": "检查"} for e, p in events for k in range(5)])
    measures = db.session.execute(select(ControlMeasure.id, ControlMeasure.risk_point_id)).all()
    start = now - timedelta(days=records + 1)
    db.session.execute(insert(CheckTask), [
        {"enterprise_id": ent, "measure_id": m, "risk_point_id": p, "cycle": 1, "cycle_unit": "day",
         "starts_at": start, "assignee_user_id": staff} for m, p in measures])
    tasks = db.session.scalars(select(CheckTask.id)).all()
    rows = [{"enterprise_id": ent, "task_id": t, "window_start": start + timedelta(days=d),
             "window_end": start + timedelta(days=d + 1), "recorded_at": start + timedelta(days=d, hours=9),
             "checker_id": staff, "result": "normal"} for t in tasks for d in range(records)]
    for i in range(0, len(rows), 5000):
        db.session.execute(insert(CheckRecord), rows[i:i + 5000])
    db.session.commit()
    return ent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--records", type=int, default=10)
    parser.add_argument("--db-url")
    args = parser.parse_args()
    import logging

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the receiver's access log
    tmp = tempfile.mkdtemp(prefix="bench_exchange_")
    url = args.db_url or f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["SHUANGKONG_INSTANCE_PATH"] = tmp
    os.environ[f"SHUANGKONG_EXCHANGE_KEY_{COMPANY}"] = KEY

    from sqlalchemy import select, update

    from app import create_app
    from app.exchange import service
    from app.extensions import db
    from app.organisations.models import Enterprise
    from app.risks.models import ControlMeasure
    from tests.exchange.receiver import FakeProvince

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context(), FakeProvince(COMPANY, KEY) as province:
        db.drop_all()
        db.create_all()
        ent = seed(args.units, args.records)
        credit = db.session.scalar(select(Enterprise.credit_code).where(Enterprise.id == ent))
        app.config["EXCHANGE_PROFILES"] = {"bench": {"base_url": province.url, "batch_size": 20}}
        app.config["EXCHANGE_ENTERPRISES"] = {credit: {"profile": "bench", "company_code": COMPANY}}

        def timed(label):
            t0 = time.perf_counter()
            result = service.push(ent)
            db.session.commit()
            seconds = time.perf_counter() - t0
            print(f"{label:<28} sent {result['sent']:>6}  pending after {result['pending']:>3}  "
                  f"{seconds:7.2f} s  calls to the receiver so far {province.calls}")
            return seconds

        full = timed("first (full) push")
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            cProfile.runctx("service.push(ent)", globals(), locals(), f"{tmp}/prof")
            db.session.rollback()
            pstats.Stats(f"{tmp}/prof").sort_stats("cumulative").print_stats(25)
        same = timed("nothing changed")
        ids = db.session.scalars(select(ControlMeasure.id).order_by(ControlMeasure.id)).all()
        changed = ids[:: max(1, len(ids) // max(1, len(ids) // 100))][: max(1, len(ids) // 100)]
        db.session.execute(update(ControlMeasure).where(ControlMeasure.id.in_(changed))
                           .values(check_content="检查（已更新）"))
        db.session.commit()
        step = timed(f"{len(changed)} measures changed")
        print(f"rows in the register: {len(province.rows)}  ({db.engine.dialect.name})")
        print(f"ratio nothing-changed / full: {same / full:.2f}; 1 % changed / full: {step / full:.2f}")
        db.drop_all()


if __name__ == "__main__":
    main()
