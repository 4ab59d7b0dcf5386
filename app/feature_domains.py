"""Each feature's own translations win on its own pages.

All catalogs share the gettext domain ``messages``, and features translate the same English word
differently where it means different things ("Level" of a hazard, of a listing, of a region;
"Void" a hazard 撤销 but a document 作废). Per request we make the catalog of the feature that
serves it the last one merged, so its meaning wins; navigation labels are read in the catalog of
the feature they lead to.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, request
from flask_babel import Domain, _get_current_context


def _feature_of_import_name(import_name: str) -> str | None:
    parts = import_name.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "app" else None


def _feature_of_endpoint(app: Flask, endpoint: str | None) -> str | None:
    if not endpoint or "." not in endpoint:
        return None
    bp = app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return _feature_of_import_name(bp.import_name) if bp is not None else None


def domain_for_endpoint(endpoint: str | None) -> Domain | None:
    app = current_app._get_current_object()
    return app.extensions["feature_domains"].get(_feature_of_endpoint(app, endpoint))


def text_in_feature(endpoint: str, text) -> str:
    """``str(text)`` as the feature serving ``endpoint`` translates it."""

    domain = domain_for_endpoint(endpoint)
    if domain is None:
        return str(text)
    context = _get_current_context()
    previous = getattr(context, "babel_domain", None)
    context.babel_domain = domain
    try:
        return str(text)
    finally:
        if previous is None:
            del context.babel_domain
        else:
            context.babel_domain = previous


def init_app(app: Flask) -> None:
    dirs = [d for d in app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";") if d]
    domains: dict[str, Domain] = {}
    for directory in dirs:
        feature = Path(directory).parent.name
        if feature == "app":
            continue
        domains[feature] = Domain(translation_directories=[d for d in dirs if d != directory] + [directory])
    app.extensions["feature_domains"] = domains

    @app.before_request
    def _use_feature_catalog():
        domain = domains.get(_feature_of_endpoint(app, request.endpoint))
        if domain is not None:
            domain.as_default()
