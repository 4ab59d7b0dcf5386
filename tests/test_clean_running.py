"""Normal operation prints no warning: a fresh install (``db upgrade``) and ``shuangkong demo``, run as
an operator runs them, in their own processes with every warning shown (the suite itself turns
warnings into errors: pyproject.toml, filterwarnings)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IS_POSTGRES

SHUANGKONG = Path(sys.executable).with_name("shuangkong")


@pytest.mark.skipif(IS_POSTGRES, reason="one run is enough: the commands are the same on both databases")
def test_upgrade_and_demo_print_no_warning(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHUANGKONG_")}
    env.update(
        SHUANGKONG_DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        SHUANGKONG_INSTANCE_PATH=str(tmp_path / "instance"),
        SHUANGKONG_PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",  # fast; the warnings are the point
        PYTHONWARNINGS="default",  # every warning printed once per place, as -W default
    )
    for command in (["db", "upgrade"], ["demo"]):
        run = subprocess.run([str(SHUANGKONG), *command], env=env, capture_output=True, text=True, timeout=600)
        assert run.returncode == 0, run.stderr
        printed = run.stdout + run.stderr
        assert "Warning" not in printed and "warning" not in printed, printed
    assert "Demo loaded:" in run.stdout
