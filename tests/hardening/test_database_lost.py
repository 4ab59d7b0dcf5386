"""A lost database answers 503 with Retry-After (a Chinese page, or the API's envelope), never a 500;
pooled connections are pinged before use."""

from __future__ import annotations

import socket
import time

import pytest

from tests.conftest import DB_URL, IS_POSTGRES, make_app


def _closed_port() -> int:
    with socket.socket() as s:  # a port nothing listens on: the database is down
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def down_app(tmp_path):
    url = f"postgresql+psycopg://postgres@127.0.0.1:{_closed_port()}/shuangkong"
    return make_app({"UPLOAD_FOLDER": str(tmp_path), "PROPAGATE_EXCEPTIONS": False,
                     "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}}, db_url=url)


def test_api_answers_503_with_retry_after(down_app):
    client = down_app.test_client()
    r = client.post("/api/v1/hazards", json={"title": "配电箱未上锁"}, headers={"Authorization": "Bearer x" * 3})
    assert r.status_code == 503
    assert r.headers["Retry-After"] == "5"
    assert r.get_json()["error"]["code"] == "service_unavailable"
    assert "数据库暂时不可用" in r.get_json()["error"]["message"]


def test_ui_answers_503_in_chinese(down_app):
    client = down_app.test_client()
    with client.session_transaction() as sess:  # a live session: "<id>:<session version>", just seen
        now = int(time.time())
        sess.update({"_user_id": "1:0", "_login_at": now, "_seen_at": now, "_fresh": True})
    r = client.get("/hazards/")
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert "数据库暂时不可用" in r.get_data(as_text=True)


def test_pooled_connections_are_pinged(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True


@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (a server connection to kill)")
def test_a_connection_dying_after_the_answer_does_not_turn_it_into_a_500(tmp_path):
    """The request's work is done (think: committed); its connection dies before the clean-up, as when
    PostgreSQL restarts. The clean-up must not raise: the client would read a failure and retry."""
    import psycopg
    from sqlalchemy import text

    from app.extensions import db

    app = make_app({"UPLOAD_FOLDER": str(tmp_path), "PROPAGATE_EXCEPTIONS": False})
    dsn = DB_URL.replace("postgresql+psycopg://", "postgresql://")

    def work():
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar()  # the session holds a transaction
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return "done"

    app.add_url_rule("/_probe", "probe", work)
    with app.test_client() as client:
        r = client.get("/_probe")
        assert r.status_code == 200 and r.data == b"done"
        r = client.get("/_probe")  # the dead connection left the pool: the next request works
        assert r.status_code == 200
    with app.app_context():
        db.engine.dispose()
