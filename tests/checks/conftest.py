"""Fixtures of the check pages' tests: those of the risk tests (points through the service, gettext in a
request, a fresh user per request)."""

from __future__ import annotations

from tests.risks.conftest import make_point, pdf_text, request_ctx  # noqa: F401
