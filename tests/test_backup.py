"""``shuangkong backup`` then ``shuangkong restore`` into a fresh database and folder: the restored
instance passes ``audit verify`` and ``storage check`` (SQLite always; PostgreSQL with pg_dump and
pg_restore when SHUANGKONG_TEST_DATABASE_URL names one)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.extensions import api, db, limiter
from tests.conftest import DB_URL, IS_POSTGRES, Factory, make_app


@contextmanager
def _databases(dialect: str, tmp_path):
    """Two empty databases (source, target) of ``dialect``."""
    if dialect == "sqlite":
        yield f"sqlite:///{tmp_path / 'source.sqlite3'}", f"sqlite:///{tmp_path / 'target.sqlite3'}"
        return
    names = [f"shk_backup_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    admin = create_engine(make_url(DB_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield tuple(make_url(DB_URL).set(database=n).render_as_string(hide_password=False) for n in names)
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def _instance(url: str, files, **extra):
    saved = {ext: dict(vars(ext)) for ext in (limiter, api)}  # make_app re-initialises the shared ones
    app = make_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": {}, "UPLOAD_FOLDER": str(files),
                    **extra}, db_url=url)
    try:
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
    finally:
        for ext, state in saved.items():
            vars(ext).clear()
            vars(ext).update(state)


def _populate() -> dict:
    from app.hazards import service
    from tests.hazards.helpers import jpeg_bytes, pdf_bytes

    f = Factory()
    county = f.region("备份县", level="county")
    enterprise = f.enterprise(county, name="备份化工有限公司")
    staff = f.user("enterprise_staff", enterprise=enterprise, username="bk_staff")
    manager = f.user("enterprise_manager", enterprise=enterprise, username="bk_manager")
    db.session.commit()
    h = service.create_hazard(staff, enterprise=enterprise, title="储罐法兰泄漏",
                              attachments=[("before", "before.jpg", jpeg_bytes(gps=(28.1, 115.2)))])
    service.fire(h.id, "confirm", manager, level="general", deadline=service.deadline_days(5),
                 responsible_user_id=staff.id, measures="更换垫片")
    service.add_attachment(h.id, staff, kind="after", filename="after.jpg", data=jpeg_bytes((0, 200, 0)))
    service.add_attachment(h.id, staff, kind="document", filename="记录.pdf", data=pdf_bytes())
    service.fire(h.id, "submit", staff, rectification="已更换")
    service.fire(h.id, "accept", manager, comment="合格")
    service.create_hazard(staff, enterprise=enterprise, title="仅上报")
    db.session.commit()
    return _counts()


def _counts() -> dict:
    from app.hazards.models import Hazard, HazardAttachment, HazardEvent

    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Hazard, HazardEvent, HazardAttachment)}


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_backup_then_restore_into_a_fresh_database_and_folder(dialect, tmp_path):
    if dialect == "postgresql" and not IS_POSTGRES:
        pytest.skip("SHUANGKONG_TEST_DATABASE_URL does not name a PostgreSQL database")
    backup_dir = tmp_path / "backup"
    with _databases(dialect, tmp_path) as (source_url, target_url):
        with _instance(source_url, tmp_path / "source-files") as app:
            command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")
            counts = _populate()
            result = app.test_cli_runner().invoke(args=["backup", str(backup_dir)])
            assert result.exit_code == 0, result.output
            assert "keep the key apart" in result.output
        assert (backup_dir / "manifest.json").exists()
        assert not list(backup_dir.rglob("chain.key"))  # the key is never in the backup

        with _instance(target_url, tmp_path / "target-files", CHAIN_KEY="other:" + "o" * 40) as app:
            result = app.test_cli_runner().invoke(args=["restore", str(backup_dir)])
            assert result.exit_code != 0 and "not configured here" in result.output
            assert not list((tmp_path / "target-files").rglob("*"))

        with _instance(target_url, tmp_path / "target-files") as app:
            runner = app.test_cli_runner()
            result = runner.invoke(args=["restore", str(backup_dir)])
            assert result.exit_code == 0, result.output
            assert "every hazard history is intact" in result.output
            assert _counts() == counts
            result = runner.invoke(args=["audit", "verify"])
            assert result.exit_code == 0, result.output
            result = runner.invoke(args=["storage", "check"])
            assert result.exit_code == 0, result.output
            assert "3 files checked, 0 missing, 0 altered, 0 orphaned" in result.output
            # A second restore over the now full database is refused, nothing changed.
            result = runner.invoke(args=["restore", str(backup_dir)])
            assert result.exit_code != 0 and "not empty" in result.output
            assert _counts() == counts
