"""gunicorn.conf.py's hooks, run as gunicorn runs them (the settings file loaded as a module)."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

CONFIG = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_the_loaded_application_is_frozen_before_the_workers_fork(app):
    """With ``preload_app`` the master holds the application; ``when_ready`` (called once it is loaded,
    before any fork) moves its objects out of the collector's reach, so the workers' full collections
    no longer walk them (docs/operations.md)."""
    settings = runpy.run_path(str(CONFIG))
    assert settings["preload_app"] is True
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        settings["when_ready"](None)
        assert gc.get_freeze_count() > 10_000  # the loaded application's objects, not a handful
    finally:
        gc.unfreeze()  # the test process keeps collecting as before
