"""Security headers: CSP without inline scripts, no framing, referrer and permissions policies, HSTS in
production, no-store for what a logged-in user or an API client receives."""

from __future__ import annotations

import re
from pathlib import Path

from tests.auth.conftest import isolated_app
from tests.conftest import api_token, login

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _directives(resp) -> dict[str, str]:
    csp = resp.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in csp.split(";") if part.strip()}


def test_every_page_forbids_inline_scripts_and_framing(client, world):
    for resp in (client.get("/login"), login(client, world.users.manager).get("/"),
                 client.get("/no-such-page")):
        csp = _directives(resp)
        assert csp["script-src"] == "script-src 'self'"
        assert "unsafe-inline" not in csp["default-src"] and "unsafe-eval" not in str(csp)
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["object-src"] == "object-src 'none'" and csp["base-uri"] == "base-uri 'none'"
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["Referrer-Policy"] == "same-origin"
        assert "camera=()" in resp.headers["Permissions-Policy"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "Strict-Transport-Security" not in resp.headers  # plain http in development


def test_logged_in_pages_and_api_answers_are_not_stored(client, world):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client, world.users.manager)
    resp = client.get("/enterprises")
    assert resp.status_code == 200 and "no-store" in resp.headers["Cache-Control"]
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")
    headers = api_token(client, world.users.inspector)
    for resp in (client.get("/api/v1/enterprises", headers=headers), client.get("/api/v1/enterprises")):
        assert "no-store" in resp.headers["Cache-Control"], resp.status_code


def test_hsts_in_production(app):
    extra = {"ENV_NAME": "production", "SECRET_KEY": "x" * 40,
             "PUBLIC_BASE_URL": "https://shuangkong.example.gov.cn"}
    with isolated_app(extra) as production:
        resp = production.test_client().get("/login")
        assert resp.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_templates_carry_no_inline_script():
    """What the CSP would block: a <script> with code in it, an on...= handler, a javascript: link."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        for match in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S):
            attrs, body = match.groups()
            if "src=" not in attrs and 'type="application/json"' not in attrs and body.strip():
                offenders.append(f"{path.name}: inline <script>")
        if re.search(r"\son[a-z]+\s*=", html) or "javascript:" in html:
            offenders.append(f"{path.name}: event handler attribute or javascript: URL")
    assert offenders == []
