"""How features plug in (docs/architecture.md): explicitly, in their init_app, once."""

from __future__ import annotations

import subprocess
import sys

import pytest

import app as application
from app.registry import POINTS

ROOT = application.ROOT


def _sizes() -> dict[str, int]:
    return {name: len(point) for name, point in POINTS.items()}


def test_building_the_app_again_registers_nothing_twice(app):
    before = _sizes()
    assert before["scan.steps"] == 3 and before["nav"] > 10 and before["hazard.transitioned"] == 2
    application.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert _sizes() == before


def test_an_unknown_feature_is_refused():
    assert "notifications" in application.FEATURES
    with pytest.raises(application.UnknownFeature, match="dashboard"):
        application.load_features(("auth", "dashboard"))
    with pytest.raises(application.UnknownFeature, match="registry"):
        application.load_features(("registry",))  # a module, not a feature


def test_nothing_registers_at_import_time():
    """Import every module of app/ without building the app: every extension point stays empty."""
    code = (
        "import importlib, pkgutil, app\n"
        "for m in pkgutil.walk_packages(app.__path__, 'app.'):\n"
        "    importlib.import_module(m.name)\n"
        "from app.registry import POINTS\n"
        "print({n: len(p) for n, p in POINTS.items() if len(p)})\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "{}", out.stdout
