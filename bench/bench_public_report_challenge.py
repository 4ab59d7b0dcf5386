"""Benchmark of the public report form's proof-of-work challenge (prints figures and ratios; not a test).

The abuse guard of the public channel (app/public_reports/guard.py) makes each report cost the sender a
search and the server one check. This prints, for several ``PUBLIC_REPORT_CHALLENGE_MAX_NUMBER`` values,
the median time to **issue** a challenge, to **solve** it (Python's hashlib, a stand-in for a phone's
WebCrypto, which is slower) and to **verify** the solution, and the ratio solve / verify: what one
report costs a flood compared with what it costs the server.

Usage: .venv/bin/python bench/bench_public_report_challenge.py [--sizes 10000,100000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import base64
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    import altcha

    from app import create_app
    from app.public_reports import guard

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "RATELIMIT_ENABLED": False,
                      "SECRET_KEY": "bench"})
    print(f"{'max_number':>10} {'issue ms':>9} {'solve ms':>9} {'verify ms':>10} {'solve/verify':>13}")
    for size in (int(s) for s in args.sizes.split(",")):
        app.config["PUBLIC_REPORT_CHALLENGE_MAX_NUMBER"] = size
        issue, solve, verify = [], [], []
        with app.test_request_context("/report/"):
            for _ in range(args.rounds):
                t0 = time.perf_counter()
                c = guard.challenge()
                t1 = time.perf_counter()
                found = altcha.solve_challenge_v1(c["challenge"], c["salt"], c["algorithm"], c["maxnumber"])
                t2 = time.perf_counter()
                payload = base64.b64encode(json.dumps({
                    "algorithm": c["algorithm"], "challenge": c["challenge"], "number": found.number,
                    "salt": c["salt"], "signature": c["signature"]}).encode()).decode()
                guard.check_solution(payload)
                t3 = time.perf_counter()
                issue.append(t1 - t0)
                solve.append(t2 - t1)
                verify.append(t3 - t2)
        med = [statistics.median(x) * 1000 for x in (issue, solve, verify)]
        print(f"{size:>10} {med[0]:>9.3f} {med[1]:>9.1f} {med[2]:>10.3f} {med[1] / med[2]:>13.0f}")


if __name__ == "__main__":
    main()
