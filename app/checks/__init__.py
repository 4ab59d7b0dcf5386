"""Scheduled hidden-hazard checks (隐患排查任务), issue 13."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from app.checks import views

    views.init_app(app)
