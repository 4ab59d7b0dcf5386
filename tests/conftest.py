"""Test fixtures: one schema per session, every test inside a rolled-back outer transaction.

The database is SQLite in memory unless SHUANGKONG_TEST_DATABASE_URL names another (PostgreSQL in CI).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from app import create_app
from app.extensions import api, db, limiter

DB_URL = os.environ.get("SHUANGKONG_TEST_DATABASE_URL", "sqlite://")
IS_POSTGRES = DB_URL.startswith("postgresql")
PASSWORD = "correct-horse-9"


class ClosingClient(FlaskClient):
    """Closes what a real server closes after each request (else a ResourceWarning, an error in this
    suite): werkzeug's test client encodes a large multipart body into a temporary file it never
    closes (left unread when the app answers 413), and a file response (static files, PDFs) stays
    open until the test reads it. The body is read into memory first, so tests still see it."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        body = getattr(response, "request", None) and response.request.environ.get("wsgi.input")
        if body is not None:
            body.close()
        if response.is_streamed:
            response.make_sequence()
            response.close()
        return response


def make_app(extra: dict | None = None, db_url: str = DB_URL):
    opts = {"poolclass": StaticPool} if db_url == "sqlite://" else {}
    cfg = {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": opts,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # fast in tests; production keeps scrypt
        "SECRET_KEY": "test-secret",
        "SERVER_NAME": None,
    }
    cfg.update(extra or {})
    application = create_app(cfg)
    application.test_client_class = ClosingClient
    return application


def _sqlite_savepoint_fix(engine):
    # pysqlite: let SQLAlchemy emit BEGIN itself so that SAVEPOINTs (and rollback isolation) work.
    event.listen(engine, "connect", lambda c, _r: setattr(c, "isolation_level", None))
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    application = make_app({"UPLOAD_FOLDER": str(tmp_path_factory.mktemp("files"))})
    with application.app_context():
        if db.engine.dialect.name == "sqlite":
            _sqlite_savepoint_fix(db.engine)
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()  # pooled connections closed now, not by the garbage collector (ResourceWarning)


@contextmanager
def rolled_back(app):
    """An app context whose session runs in an outer transaction that is rolled back on exit; app code
    may commit freely (its commits release savepoints)."""
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        conn = engine.connect()
        outer = conn.begin()
        engines[None] = conn  # Flask-SQLAlchemy 3 binds sessions through db.engines
        db.session.remove()
        kw = db.session.session_factory.kw
        kw["join_transaction_mode"] = "create_savepoint"
        try:
            yield db.session
        finally:
            db.session.remove()
            kw.pop("join_transaction_mode", None)
            engines[None] = engine
            outer.rollback()
            conn.close()


@pytest.fixture
def db_session(app):
    """Each test runs in an outer transaction that is rolled back; app code may commit freely."""
    with rolled_back(app) as session:
        yield session


@pytest.fixture
def client(app, db_session):
    return app.test_client()


@pytest.fixture
def runner(app, db_session):
    return app.test_cli_runner()


def login(client, user):
    """Log a test client in as ``user`` (what the login form does, without the password round)."""
    from app.auth.sessions import cookie_fields

    with client.session_transaction() as sess:
        sess.update(cookie_fields(user))
        sess["_fresh"] = True
    return client


class Factory:
    """Builds organisations and users through the real services (validation included)."""

    def __init__(self):
        self.n = 0

    def _next(self) -> int:
        self.n += 1
        return self.n

    # Provinces the factory numbers its regions under (GB/T 2260 prefixes; not 36, the demo's).
    PROVINCES = ("82", "81", "71", "65", "64", "63", "62", "61", "54", "53", "52", "51", "50", "46", "45")
    PARENT_LEVEL = {"city": "province", "county": "city", "town": "county"}

    def region(self, name=None, level="city", parent=None, code=None):
        """A region with a valid GB/T 2260 code under its parent; a missing parent is made too
        (a county alone comes with its city and province)."""
        from app.organisations import service

        level = str(level)
        if parent is None and level != "province":
            parent = self.region(level=self.PARENT_LEVEL[level])
        n = self._next()
        if code is None:
            if level == "province":
                code = f"{self.PROVINCES[n % len(self.PROVINCES)]}0000"
            elif level == "city":
                code = f"{parent.code[:2]}{n % 89 + 1:02d}00"
            elif level == "county":
                code = f"{parent.code[:4]}{n % 89 + 1:02d}"
            else:
                code = f"{parent.code[:6]}{n % 999 + 1:03d}"
        return service.create_region(None, code=code, name=name or f"区域{n}", level=level, parent=parent)

    def authority(self, region, name=None, abbreviation="测"):
        from app.organisations import service

        n = self._next()
        return service.create_authority(None, region=region, name=name or f"{region.name}应急管理局{n}",
                                        abbreviation=abbreviation, review_body=f"{region.name}人民政府",
                                        court=f"{region.name}人民法院")

    def enterprise(self, region, name=None, industry_code="hazardous_chemicals"):
        from app.organisations import service
        from app.organisations.credit_code import complete
        from app.organisations.seed import ensure_industries

        n = self._next()
        industries = ensure_industries()
        return service.create_enterprise(
            None, name=name or f"测试企业{n}有限公司", credit_code=complete(f"91{region.code[:6]:0<6}MA{n:07d}"),
            region=region, industry=industries[industry_code], address="测试路1号")

    def department(self, enterprise, name=None, level="department", parent=None):
        from app.organisations import service

        return service.create_department(None, enterprise, name=name or f"部门{self._next()}", level=level,
                                         parent=parent)

    def user(self, role, enterprise=None, authority=None, username=None, **kw):
        from app.organisations.accounts import create_user

        n = self._next()
        if str(role) == "inspector":  # an inspector cannot exist without his 执法证号
            kw.setdefault("certificate_no", f"3699{n:04d}")
        return create_user(None, username=username or f"{role}{n}", display_name=kw.pop("display_name", f"用户{n}"),
                           role=role, password=PASSWORD, enterprise=enterprise, authority=authority, **kw)


def delete_region_chain(region_id: int) -> None:
    """Delete a committed region and the ancestors the factory made with it, deepest first."""
    from sqlalchemy import delete

    from app.organisations.models import Region

    region = db.session.get(Region, region_id)
    if region is not None:
        for ident in reversed([int(i) for i in region.path.strip("/").split("/") if i]):
            db.session.execute(delete(Region).where(Region.id == ident))


@pytest.fixture
def factory(db_session):
    return Factory()


@pytest.fixture
def world(factory, db_session):
    """A small province: a city with two counties, an authority at each level, two enterprises
    (one per county), and a user of every role; plus 'foreign' users who must not see the first.

    Keys: regions city/county_a/county_b; authorities city/county_a/county_b; enterprises a/b;
    users admin, staff, manager, principal (enterprise a), manager_b (enterprise b),
    inspector/supervisor/authority_admin (county_a), inspector_b (county_b), city_inspector/city_supervisor.
    """
    from types import SimpleNamespace

    f = factory
    province = f.region("测试省", level="province")
    city = f.region("测试市", level="city", parent=province)
    county_a = f.region("甲县", level="county", parent=city)
    county_b = f.region("乙县", level="county", parent=city)
    auth_city = f.authority(city, name="测试市应急管理局", abbreviation="测")
    auth_a = f.authority(county_a, name="甲县应急管理局", abbreviation="甲")
    auth_b = f.authority(county_b, name="乙县应急管理局", abbreviation="乙")
    ent_a = f.enterprise(county_a, name="甲化工有限公司")
    ent_b = f.enterprise(county_b, name="乙机械有限公司", industry_code="machinery")
    dept_a = f.department(ent_a, name="安全部")
    users = SimpleNamespace(
        admin=f.user("admin", username="t_admin"),
        staff=f.user("enterprise_staff", enterprise=ent_a, username="t_staff", department=dept_a),
        manager=f.user("enterprise_manager", enterprise=ent_a, username="t_manager"),
        principal=f.user("enterprise_principal", enterprise=ent_a, username="t_principal"),
        manager_b=f.user("enterprise_manager", enterprise=ent_b, username="t_manager_b"),
        staff_b=f.user("enterprise_staff", enterprise=ent_b, username="t_staff_b"),
        inspector=f.user("inspector", authority=auth_a, username="t_inspector", certificate_no="36000001"),
        inspector2=f.user("inspector", authority=auth_a, username="t_inspector2", certificate_no="36000002"),
        supervisor=f.user("supervisor", authority=auth_a, username="t_supervisor"),
        inspector_b=f.user("inspector", authority=auth_b, username="t_inspector_b",
                           certificate_no="36000003"),
        supervisor_b=f.user("supervisor", authority=auth_b, username="t_supervisor_b"),
        city_inspector=f.user("inspector", authority=auth_city, username="t_city_inspector",
                              certificate_no="36000004"),
        city_supervisor=f.user("supervisor", authority=auth_city, username="t_city_supervisor"),
        authority_admin=f.user("authority_admin", authority=auth_a, username="t_authority_admin"),
    )
    db_session.commit()
    return SimpleNamespace(
        regions=SimpleNamespace(province=province, city=city, county_a=county_a, county_b=county_b),
        authorities=SimpleNamespace(city=auth_city, county_a=auth_a, county_b=auth_b),
        enterprises=SimpleNamespace(a=ent_a, b=ent_b),
        departments=SimpleNamespace(a=dept_a),
        users=users,
        factory=f,
    )


def api_token(client, user) -> dict:
    """Authorization header for ``user`` obtained through POST /api/v1/auth/token."""
    resp = client.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 200, resp.get_json()
    return {"Authorization": f"Bearer {resp.get_json()['token']}"}


ONE_DAY = timedelta(days=1)


# -- The demo, loaded once per session ---------------------------------------------------------------
# Loading the demo plays weeks of story through the real services (15–20 s, more on a busy machine).
# Every test about the demo reads the same one, built once into a database of its own; a test that
# changes it runs inside a rolled-back transaction (demo_session), like db_session.


def _demo_database_url(tmp_path_factory) -> str:
    """A SQLite file for the SQLite run; ``<test database>_demo`` for the PostgreSQL run."""
    if not IS_POSTGRES:
        return f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.sqlite'}"
    url = make_url(DB_URL)
    name = f"{url.database}_demo"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _drop_demo_database(url: str) -> None:
    if not IS_POSTGRES:
        return
    url = make_url(url)
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)')
    server.dispose()


@pytest.fixture(scope="session")
def demo(tmp_path_factory):
    """The demo, loaded ONCE through ``shuangkong demo`` into an empty database of its own.

    Keys: app (the demo's Flask app), result (the CLI result of loading it), enterprises_before (how
    many enterprises the database had before: 0), enterprise_ids (demo key -> id) and hazard_ids (what
    ``run_demo`` returned). Tests read it through demo_session / demo_client / demo_runner / demo_ctx.
    """
    import app.cli as cli
    from app.organisations.models import Enterprise

    os.environ.setdefault("SHUANGKONG_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    url = _demo_database_url(tmp_path_factory)
    # A second app re-initialises the shared extension objects: give them back to the session's app.
    saved = {ext: dict(vars(ext)) for ext in (limiter, api)}
    try:
        application = make_app({"UPLOAD_FOLDER": str(tmp_path_factory.mktemp("demo_files")),
                                "SQLALCHEMY_ENGINE_OPTIONS": {}}, db_url=url)
    finally:
        for ext, state in saved.items():
            vars(ext).clear()
            vars(ext).update(state)
    returned: dict = {}
    run_demo = cli.run_demo

    def run_demo_kept():
        returned.update(run_demo())
        return returned

    with application.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _sqlite_savepoint_fix(engine)
        db.create_all()
        before = db.session.scalar(select(func.count()).select_from(Enterprise))
        with pytest.MonkeyPatch.context() as mp:  # keep what run_demo returns (the CLI prints a summary)
            mp.setattr(cli, "run_demo", run_demo_kept)
            result = application.test_cli_runner().invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        state = SimpleNamespace(
            app=application, result=result, enterprises_before=before,
            enterprise_ids={key: e.id for key, e in returned["enterprises"].items()},
            hazard_ids=[h.id for h in returned.get("hazards", [])])
        db.session.remove()
    yield state
    with application.app_context():
        db.engine.dispose()
    _drop_demo_database(url)


@pytest.fixture
def demo_session(demo):
    """The demo's database in a transaction rolled back after the test: what a test changes is undone."""
    with rolled_back(demo.app) as session:
        yield session


@pytest.fixture
def demo_runner(demo, demo_session):
    return demo.app.test_cli_runner()


@pytest.fixture
def demo_client(demo, demo_session):
    from tests.hazards.conftest import FreshUserClient

    return FreshUserClient(demo.app, demo.app.response_class, use_cookies=True)


@pytest.fixture
def demo_ctx(demo, demo_session) -> dict:
    """What ``run_demo`` returned, loaded into the test's session: enterprises (key -> Enterprise)
    and hazards."""
    from app.hazards.models import Hazard
    from app.organisations.models import Enterprise

    return {"enterprises": {key: demo_session.get(Enterprise, id_) for key, id_ in demo.enterprise_ids.items()},
            "hazards": [demo_session.get(Hazard, id_) for id_ in demo.hazard_ids]}
