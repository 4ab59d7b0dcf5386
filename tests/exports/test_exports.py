"""Exports (issue 18 item 3): every row, written row by row; a large export is built in the background,
kept for its owner only, announced by a reminder, and deleted when it expires."""

from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app import clock
from app.cli import run_scan
from app.exports.models import Export, ExportState
from app.extensions import db
from app.notifications.models import Notification
from tests.supervision.conftest import login_as, stored_hazard


@pytest.fixture
def small_limit(app):
    """Exports above 3 rows go to the background (the default is 5 000)."""
    before = app.config["EXPORT_SYNC_MAX_ROWS"]
    app.config["EXPORT_SYNC_MAX_ROWS"] = 3
    yield
    app.config["EXPORT_SYNC_MAX_ROWS"] = before


def _rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data), read_only=True).worksheets[0].iter_rows(values_only=True))


def _hazards(world, n: int, enterprise=None):
    return [stored_hazard(enterprise or world.enterprises.a, title=f"导出隐患{i}") for i in range(n)]


def test_a_small_register_is_written_while_the_user_waits(client, world, db_session, small_limit):
    _hazards(world, 3)
    db_session.commit()
    login_as(client, world.users.manager)
    resp = client.get("/hazards/?format=xlsx")
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")
    rows = _rows(resp.data)
    assert rows[0][:3] == ("隐患编号", "隐患名称", "企业")
    assert sorted(r[1] for r in rows[1:] if r and str(r[0] or "").startswith("YH")) == [
        "导出隐患0", "导出隐患1", "导出隐患2"]
    assert db_session.scalar(select(Export.id)) is None  # nothing kept for later


def test_a_large_register_is_prepared_in_the_background_for_its_owner(client, world, db_session, small_limit):
    _hazards(world, 5)
    _hazards(world, 2, world.enterprises.b)  # another enterprise's: never in a's export
    db_session.commit()
    login_as(client, world.users.manager)
    # buffered: the response is sent and closed as a server does; the in-process job runs then.
    resp = client.get("/hazards/?format=xlsx", buffered=True)
    export = db_session.scalars(select(Export)).one()
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/exports/{export.id}")
    assert export.state == ExportState.ready and export.rows == 5 and export.expected_rows == 5
    # Its page, where the user was sent, starts the download by itself now that it is ready.
    page = client.get(f"/exports/{export.id}").get_data(as_text=True)
    assert f'<meta http-equiv="refresh" content="1; url=/exports/{export.id}/download">' in page
    assert "已就绪" in page and "5" in page
    page = client.get("/exports/").get_data(as_text=True)
    assert "隐患台账" in page and "已就绪" in page and f"/exports/{export.id}/download" in page
    reminder = db_session.scalars(select(Notification).where(Notification.user_id == world.users.manager.id,
                                                             Notification.kind == "export_ready")).one()
    assert "隐患台账" in reminder.text and "5" in reminder.text

    got = client.get(f"/exports/{export.id}/download")
    assert got.status_code == 200 and "hazard-register.xlsx" in got.headers["Content-Disposition"]
    titles = sorted(r[1] for r in _rows(got.data)[1:] if r and str(r[0] or "").startswith("YH"))
    assert titles == [f"导出隐患{i}" for i in range(5)]

    # Another user, even of the same enterprise, does not see it: 404, and not on his page.
    login_as(client, world.users.principal)
    assert client.get(f"/exports/{export.id}/download").status_code == 404
    assert f"/exports/{export.id}/download" not in client.get("/exports/").get_data(as_text=True)


def test_my_exports_refreshes_itself_while_one_is_being_prepared(client, world, db_session):
    """The user sent to "My exports" sees the export being prepared and the page reloads by itself until
    the download is there; once nothing is pending it stops reloading."""
    from app.clock import utcnow

    export = Export(user_id=world.users.manager.id, kind="hazards.register", params={}, title="隐患台账",
                    filename="hazard-register.xlsx", expected_rows=9000, state=ExportState.pending,
                    created_at=utcnow())
    db_session.add(export)
    db_session.commit()
    login_as(client, world.users.manager)
    page = client.get("/exports/").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="3">' in page and "此页面会自动刷新" in page
    own = client.get(f"/exports/{export.id}").get_data(as_text=True)  # its own page: reloads, no download
    assert '<meta http-equiv="refresh" content="2">' in own and "download" not in own and "9000" in own
    login_as(client, world.users.principal)  # another user's pending export does not refresh his page
    assert 'http-equiv="refresh"' not in client.get("/exports/").get_data(as_text=True)
    assert client.get(f"/exports/{export.id}").status_code == 404  # nor may he open it
    export.state = ExportState.failed
    db_session.commit()
    login_as(client, world.users.manager)
    assert 'http-equiv="refresh"' not in client.get("/exports/").get_data(as_text=True)
    failed = client.get(f"/exports/{export.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in failed and "导出未能生成" in failed


def test_an_export_expires_and_its_file_is_deleted_by_the_scan(app, client, world, db_session, small_limit):
    _hazards(world, 4)
    db_session.commit()
    login_as(client, world.users.manager)
    client.get("/hazards/?format=xlsx", buffered=True)
    # The suite's harness nests the job's savepoint in the request session's: release both, so that the
    # 404 below (which rolls its session back) does not undo the job.
    db_session.commit()
    export = db_session.scalars(select(Export)).one()
    path = app.instance_path + "/exports/" + export.path
    with open(path, "rb") as f:
        assert f.read(2) == b"PK"  # a zip: the workbook
    later = clock.utcnow() + timedelta(hours=app.config["EXPORT_KEEP_HOURS"], minutes=1)
    with clock.moved_to(later):
        assert client.get(f"/exports/{export.id}/download").status_code == 404  # expired: no longer served
        run_scan()
        db_session.commit()
    db.session.expire_all()
    assert db_session.get(Export, export.id).state == ExportState.expired
    assert not os.path.exists(path)
    assert "已过期" in client.get("/exports/").get_data(as_text=True)


def test_an_export_that_cannot_be_written_says_so(client, world, db_session):
    """The kind raises while writing: the export is marked failed, its owner is told, nothing is served."""
    from app import xlsx
    from app.exports import KINDS, ExportKind
    from app.exports import service as exports

    def broken_rows():
        yield ("YH-1", "第一行")
        raise RuntimeError("the database went away")

    kind = ExportKind("test.broken", "测试导出", "broken.xlsx",
                      lambda actor, params: xlsx.Sheet("测试", ["编号", "名称"], broken_rows()),
                      lambda actor, params: 10_000)
    with KINDS.added(kind.name, kind):
        export = exports.ask(world.users.manager, kind.name, {})
        db_session.commit()  # in-process without a request: the job runs right after the commit
    db.session.expire_all()
    export = db_session.get(Export, export.id)
    assert export.state == ExportState.failed and "the database went away" in export.error
    reminder = db_session.scalars(select(Notification).where(Notification.kind == "export_failed")).one()
    assert "测试导出" in reminder.text and "生成失败" in reminder.text
    login_as(client, world.users.manager)
    assert client.get(f"/exports/{export.id}/download").status_code == 404
    assert "生成失败" in client.get("/exports/").get_data(as_text=True)
