"""A job for the worker tests, imported by the worker process the tests start (and by the tests)."""

from __future__ import annotations

from pathlib import Path

from app.jobs import job, register


@job("test.touch")
def touch(path: str, flag: str | None = None) -> None:
    """Append a line to ``path``; raise while the file ``flag`` exists (a receiver that is down)."""
    if flag and Path(flag).exists():
        raise RuntimeError(f"receiver down ({Path(flag).name} present)")
    with open(path, "a") as f:
        f.write("ran\n")


register(touch)  # a test helper: the worker process imports it to have the job
