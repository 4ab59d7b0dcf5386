"""How features plug in (docs/architecture.md): explicitly, in their init_app, once."""

from __future__ import annotations

import ast

import pytest

import app as application
from app.registry import POINTS

ROOT = application.ROOT


def _sizes() -> dict[str, int]:
    return {name: len(point) for name, point in POINTS.items()}


def test_building_the_app_again_registers_nothing_twice(app):
    before = _sizes()
    assert before["scan.steps"] >= 3 and before["nav"] > 10 and before["hazard.transitioned"] >= 2
    application.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert _sizes() == before


def test_an_unknown_feature_is_refused():
    assert "notifications" in application.FEATURES
    with pytest.raises(application.UnknownFeature, match="inspection_plans"):
        application.load_features(("auth", "inspection_plans"))
    with pytest.raises(application.UnknownFeature, match="registry"):
        application.load_features(("registry",))  # a module, not a feature


# The calls that fill a point (app/registry.py and its facades); at a module's top level they would
# register at import time.
REGISTERING = {"add", "connect", "register", "register_all", "nav_item", "add_demo_step",
               "register_references", "add_load_option"}


def _top_level_calls(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            yield node.value
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            yield from (d for d in node.decorator_list if isinstance(d, ast.Call))


def test_nothing_registers_at_import_time():
    """No module of app/ fills an extension point when it is imported: only init_app does (read from
    the source; the app built by the suite shows the points filled, the test above that they are
    filled once)."""
    found = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        for call in _top_level_calls(ast.parse(path.read_text(encoding="utf-8"))):
            name = call.func.attr if isinstance(call.func, ast.Attribute) else getattr(call.func, "id", "")
            if name in REGISTERING:
                found.append(f"{path.relative_to(ROOT)}:{call.lineno} {name}(...)")
    assert not found, found
