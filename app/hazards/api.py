from __future__ import annotations


def init_app(app):
    pass
