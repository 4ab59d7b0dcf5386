"""Browser tests: Debian's chromium driven by Playwright against a live server.

One live server per session: the app from the factory on a fresh file database (SQLite in a temporary
folder, or a PostgreSQL database created next to SHUANGKONG_TEST_DATABASE_URL and dropped at the end),
schema created and the demo city loaded, served by werkzeug on a free local port in a daemon thread.
Every test gets its own browser context (cookies, viewport), so tests do not share a login.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from flask import got_request_exception
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ROOT = Path(__file__).resolve().parents[2]
# `make screenshots` sets SHUANGKONG_SCREENSHOTS=docs/screenshots; a plain test run writes (and checks)
# the same pictures in a temporary folder and leaves the checkout clean.
SCREENSHOTS = ROOT / os.environ["SHUANGKONG_SCREENSHOTS"] if os.environ.get("SHUANGKONG_SCREENSHOTS") else (
    Path(tempfile.gettempdir()) / "shuangkong-screenshots")
DEMO_PASSWORD = "demo12345"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    base = os.environ.get("SHUANGKONG_TEST_DATABASE_URL")
    if not base or not base.startswith("postgresql"):
        yield "sqlite:///" + str(tmp_path_factory.mktemp("e2e-db") / "live.sqlite3")
        return
    # A database of our own beside the test database: the live server commits for real.
    url = make_url(base)
    name = f"{url.database}_live"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def live(database_url, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """The running server: ``live.url``, ``live.app``, ``live.run(fn)`` (fn inside an app context)
    and ``live.errors`` (exceptions raised while serving; a test fails if one appears)."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    old_instance = os.environ.get("SHUANGKONG_INSTANCE_PATH")
    os.environ["SHUANGKONG_INSTANCE_PATH"] = str(instance)
    from app import create_app
    from app.cli import run_demo
    from app.extensions import db

    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_FOLDER": str(instance / "files"),
        "SECRET_KEY": "e2e-secret",
        "RATELIMIT_ENABLED": False,  # many logins from one address in a few minutes
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast demo seeding; production keeps scrypt
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
        run_demo()
        db.session.remove()

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output
    errors: list[BaseException] = []
    got_request_exception.connect(lambda _sender, exception, **_kw: errors.append(exception), app,
                                  weak=False)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_BASE_URL"] = url  # QR codes on the PDFs lead back to this server
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()

    def run(fn: Callable):
        with app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()

    try:
        yield SimpleNamespace(url=url, app=app, run=run, errors=errors)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if old_instance is None:
            os.environ.pop("SHUANGKONG_INSTANCE_PATH", None)
        else:
            os.environ["SHUANGKONG_INSTANCE_PATH"] = old_instance


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium) "
                    "or `sudo apt-get install chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """A 500 behind a page the test happened not to look at still fails the test."""
    if "live" not in request.fixturenames:
        yield
        return
    live = request.getfixturevalue("live")
    live.errors.clear()
    yield
    assert not live.errors, f"the server raised while serving: {live.errors!r}"


class Browsing:
    """Opens browser contexts (one per person) on the live server."""

    def __init__(self, browser, live):
        self.browser = browser
        self.live = live
        self.contexts = []
        self.csp_violations: list[str] = []  # what the Content-Security-Policy blocked (console)

    def page(self, viewport=DESKTOP, **kw):
        from playwright.sync_api import expect

        expect.set_options(timeout=TIMEOUT_MS)
        kw.setdefault("locale", "zh-CN")  # a Chinese user's browser (date pickers as 年/月/日)
        kw.setdefault("timezone_id", "Asia/Shanghai")
        context = self.browser.new_context(base_url=self.live.url, viewport=viewport, accept_downloads=True,
                                           **kw)
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("console", lambda msg: "Content Security Policy" in msg.text
                and self.csp_violations.append(f"{page.url}: {msg.text}"))
        return page

    def login(self, username: str, viewport=DESKTOP, password: str = DEMO_PASSWORD, **kw):
        """A fresh page logged in as ``username`` through the login form."""
        page = self.page(viewport=viewport, **kw)
        login_as(page, username, password)
        return page

    def close(self):
        for context in self.contexts:
            context.close()


def login_as(page, username: str, password: str = DEMO_PASSWORD) -> None:
    from playwright.sync_api import expect

    page.goto("/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出登录")).to_be_visible()


@pytest.fixture
def browse(browser, live, request) -> Iterator[Browsing]:
    b = Browsing(browser, live)
    yield b
    if getattr(request.node, "e2e_failed", False):
        save_artefacts(b, request.node.name)
    b.close()
    assert not b.csp_violations, f"the page broke its security policy: {b.csp_violations!r}"


def screenshot(target, name: str, max_bytes: int = 300_000, **kw) -> Path:
    """Save a PNG under SCREENSHOTS (a page's viewport, the whole page with ``full_page=True``,
    or one element), kept small for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    target.screenshot(path=str(path), animations="disabled", **kw)
    if path.stat().st_size > max_bytes * 2 // 3:  # leave room: the pages grow as data is added
        _shrink(path, max_bytes * 2 // 3)
    assert path.stat().st_size <= max_bytes, f"{path.name} is {path.stat().st_size} bytes"
    return path


def _shrink(path: Path, max_bytes: int) -> None:
    # Screenshots are for a README: a palette PNG of the same picture is a fraction of the size;
    # if that is not enough, scale it down a little at a time.
    from PIL import Image

    with Image.open(path) as img:
        original = img.convert("RGB")
    scale = 1.0
    while True:
        size = (int(original.width * scale), int(original.height * scale))
        original.resize(size).quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
        if path.stat().st_size <= max_bytes or scale < 0.5:
            return
        scale -= 0.1


def field_box(page, name: str):
    """The form field ``name`` as the shared ``field`` macro renders it: label, input, error messages."""
    return page.locator(f"#field-{name}")


def control(page, name: str):
    """The input named ``name`` (the API's field name) where its label is ambiguous: some English msgids
    ("Level", "Deadline", "Responsible person") are translated differently by two features' catalogs,
    and which one wins depends on the catalog order."""
    return page.locator(f"main form [name='{name}']")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.e2e_failed = report.failed


def save_artefacts(browsing: Browsing, name: str) -> None:
    """What each browser showed when a journey failed (test-results/<test>/), to see why."""
    out = ROOT / "test-results" / name.replace("/", "_")
    out.mkdir(parents=True, exist_ok=True)
    for i, context in enumerate(browsing.contexts):
        for j, page in enumerate(context.pages):
            try:
                page.screenshot(path=str(out / f"{i}-{j}.png"), full_page=True)
                (out / f"{i}-{j}.html").write_text(f"<!-- {page.url} -->\n" + page.content())
            except Exception as exc:  # a closed page must not hide the test's own failure
                (out / f"{i}-{j}.txt").write_text(repr(exc))


def pytest_collection_modifyitems(items):
    """The browser tests' live server is werkzeug's development server in a thread: when the browser
    drops a response it no longer needs (a navigation while a static file streams), that server never
    closes the file, and the collector reports it as an unraisable ResourceWarning at a random later
    test. gunicorn closes it (the WSGI ``close()``); only this harness leaks, so only this is ignored."""
    ignore = pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <_io\.FileIO name=.*/static/:pytest.PytestUnraisableExceptionWarning")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(ignore)


def wait_for_service_worker(page, attempts: int = 3) -> None:
    """Until the service worker controls ``page``. It registers on each page's load and claims the page
    once installed; an installation that failed (a shell file not fetched in time) is tried again by
    the next load, as in a user's browser: so a reload between attempts. A function, not a string,
    for Playwright to poll: a string is eval'ed, which the page's CSP refuses."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(attempts):
        try:
            page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=10000)
            return
        except PlaywrightTimeout:
            page.reload()
    raise AssertionError("the service worker never took control of the page")
