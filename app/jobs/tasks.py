"""The project's own jobs that belong to no single feature."""

from __future__ import annotations

from app.cli import run_scan
from app.jobs import job


@job("scan")
def scan() -> None:
    """The periodic scan (``shuangkong scan``'s steps). Each step is idempotent and commits its own work,
    so a scan that fails half-way keeps the steps it finished and the rerun adds nothing twice."""

    run_scan()
