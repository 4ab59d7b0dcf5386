"""Login time for an unknown username against a known one with a wrong password (production's scrypt).

    .venv/bin/python bench/bench_login_timing.py [REPEAT]

Before the dummy hash an unknown username answered in ~6 ms and a known one in ~105 ms, which told an
attacker which usernames exist. Prints the median of REPEAT calls of ``authenticate`` (SQLite in a
temporary folder) and their ratio; a ratio near 1 means the time says nothing about the username.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time


def medians_ms(fns, repeat: int) -> list[float]:
    """Median time of each function, the functions taking turns (a busy machine slows both alike)."""
    for fn in fns:
        fn()  # warm up (the dummy hash is made once per process)
    samples = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, samples, strict=True):
            start = time.perf_counter()
            fn()
            out.append((time.perf_counter() - start) * 1000)
    return [statistics.median(s) for s in samples]


def main() -> None:
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    tmp = tempfile.mkdtemp()
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", tmp)
    from app import create_app
    from app.auth import service
    from app.extensions import db
    from app.organisations.accounts import create_user

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite3"})
    with app.app_context():
        db.create_all()
        create_user(None, username="known", display_name="known", role="admin", password="the-password-1")
        db.session.commit()
        known, unknown = medians_ms([lambda: service.authenticate("known", "wrong-password"),
                                     lambda: service.authenticate("nobody-of-that-name", "wrong-password")],
                                    repeat)
    print(f"hash method: {app.config.get('PASSWORD_HASH_METHOD', 'scrypt')}, median of {repeat}")
    print(f"known username, wrong password: {known:7.1f} ms")
    print(f"unknown username:               {unknown:7.1f} ms")
    print(f"ratio unknown/known:            {unknown / known:7.2f}")


if __name__ == "__main__":
    main()
