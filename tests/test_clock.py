"""app.clock: ``moved_to`` moves "now" and "today" for the block only, and only for its own thread
(a server thread serving meanwhile keeps the real time)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from app import clock


def test_moved_to_moves_now_and_today_for_the_block_only():
    real_day = clock.today()
    moment = clock.local_moment(date(2026, 3, 14), 23, 30)  # 15:30 UTC: still the 14th in China
    seen_elsewhere = []
    with clock.moved_to(moment):
        assert clock.today() == date(2026, 3, 14)
        assert abs(clock.utcnow() - datetime(2026, 3, 14, 15, 30)) < timedelta(seconds=5)
        assert clock.to_local(clock.utcnow()).hour == 23
        thread = threading.Thread(target=lambda: seen_elsewhere.append(clock.today()))
        thread.start()
        thread.join()
        with clock.moved_to(datetime(2026, 1, 1, 1, 0)):  # naive: UTC
            assert clock.today() == date(2026, 1, 1)
        assert clock.today() == date(2026, 3, 14)
    assert seen_elsewhere == [real_day]
    assert clock.today() == real_day
    assert abs(clock.utcnow() - datetime.now(UTC).replace(tzinfo=None)) < timedelta(seconds=5)
