"""Receiving (issue 21 item 4): a second instance of the project, with its own app and database, serving
the receiving endpoints on loopback as a city/park platform, receives from the first instance's push."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app import clock
from app.exchange import service, transport
from app.exchange.models import ExchangeStatus, ReceivedRow
from app.extensions import db
from tests.conftest import make_app
from tests.exchange.conftest import COMPANY, KEY, NOV_MONDAY
from workflows import exchange as x


@pytest.fixture
def city_platform(tmp_path, world, monkeypatch):
    """The second instance: its own database (SQLite file), enterprise a known as a sender by its
    registration code; served by a real HTTP server in a thread."""
    monkeypatch.setenv(f"SHUANGKONG_EXCHANGE_KEY_{COMPANY}", KEY)
    second = make_app({"EXCHANGE_SENDERS": {COMPANY: {"cipher": "AES/ECB", "credit_code": "91330000SECOND001"}},
                       "UPLOAD_FOLDER": str(tmp_path / "files")},
                      db_url=f"sqlite:///{tmp_path / 'city.sqlite3'}")
    with second.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, second, threaded=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield second, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
        with second.app_context():
            db.session.remove()
            db.engine.dispose()


def received(second, dataset=None) -> list[ReceivedRow]:
    with second.app_context():
        stmt = select(ReceivedRow).order_by(ReceivedRow.id)
        if dataset:
            stmt = stmt.where(ReceivedRow.dataset == dataset)
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        db.session.remove()
        return rows


@contextmanager
def reporting_to(app, world, base, **profile):
    """Enterprise a configured to report to the second instance's receiving endpoints."""
    app.config["EXCHANGE_PROFILES"] = {"city": {"base_url": f"{base}/exchange/receive", **profile}}
    app.config["EXCHANGE_ENTERPRISES"] = {world.enterprises.a.credit_code: {"profile": "city",
                                                                            "company_code": COMPANY}}
    try:
        yield
    finally:
        app.config["EXCHANGE_PROFILES"], app.config["EXCHANGE_ENTERPRISES"] = {}, {}


def push_a(world, at=NOV_MONDAY + timedelta(hours=1)) -> dict:
    with clock.moved_to(at):
        result = service.push(world.enterprises.a.id)
        db.session.commit()
    return result


def test_a_second_instance_receives_from_the_first(app, world, plant, city_platform):
    second, base = city_platform
    with reporting_to(app, world, base, cipher="AES/ECB"):
        result = push_a(world)
        assert "error" not in result and result["pending"] == 0

        rows = received(second)
        assert len(rows) == 13 and {r.company_code for r in rows} == {COMPANY}
        (hazard,) = received(second, x.HAZARD)
        assert hazard.payload["dangerName"] == plant.hazard.title and not hazard.deleted
        # A change and a deletion travel too; the second instance updates by national id, nothing doubles.
        from app.risks import events

        events.update_measure(world.users.manager, plant.measures[2], active=False)
        db.session.commit()
        push_a(world, NOV_MONDAY + timedelta(hours=2))
        rows = received(second, x.MEASURE)
        assert len(rows) == 4 and sum(r.deleted for r in rows) == 1 and sum(r.updates for r in rows) == 1


def _post(second, dataset, rows, key=KEY, code=COMPANY):
    body = {"companyCode": code, "datas": transport.encrypt("AES/ECB", key, json.dumps(rows))}
    return second.test_client().post(f"/exchange/receive/{dataset}", json=body)


def _unit(**over):
    row = {"id": x.row_id(COMPANY, x.UNIT, 1), "companyCode": COMPANY, "deleted": "0",
           "createDate": "20261102083000", "updateDate": "20261102083000", "hazardCode": "HS-1",
           "hazardDep": "安全部", "hazardLiablePerson": "张三", "riskUnitName": "罐区"}
    return {**row, **over}


def _event(**over):
    row = {"id": x.row_id(COMPANY, x.EVENT, 1), "companyCode": COMPANY, "deleted": "0",
           "createDate": "20261102083000", "updateDate": "20261102083000",
           "riskUnitId": x.row_id(COMPANY, x.UNIT, 1), "riskEventName": "泄漏", "initialRiskLevel": "2"}
    return {**row, **over}


def test_the_receiver_checks_required_fields_codes_and_parent_order(world, city_platform, monkeypatch):
    second, _ = city_platform
    # A child before its parent: refused with the national message; the parent then the child: accepted.
    answer = _post(second, x.EVENT, [_event()]).get_json()
    assert answer["code"] == "200" and answer["data"]["accepted"] == []
    assert answer["data"]["rejected"][0]["errors"] == {"riskUnitId": "parent_missing"}
    assert "请先上传安全风险分析单元数据" in answer["data"]["rejected"][0]["msg"]
    answer = _post(second, x.UNIT, [_unit(id="u-2", hazardLiablePerson=""), _unit()]).get_json()
    assert answer["data"]["accepted"] == [x.row_id(COMPANY, x.UNIT, 1)]
    assert answer["data"]["rejected"][0]["errors"] == {"hazardLiablePerson": "required"}
    answer = _post(second, x.EVENT, [_event(initialRiskLevel="7"), _event(id="e-2", createDate="2026-11-02")]
                   ).get_json()
    assert [r["errors"] for r in answer["data"]["rejected"]] == [{"initialRiskLevel": "unknown_value"},
                                                                 {"createDate": "bad_time"}]
    assert _post(second, x.EVENT, [_event()]).get_json()["data"]["accepted"] == [x.row_id(COMPANY, x.EVENT, 1)]
    assert len(received(second)) == 2


def test_the_receiver_authenticates_each_enterprise(world, city_platform):
    second, _ = city_platform
    wrong_key = _post(second, x.UNIT, [_unit()], key="fedcba9876543210")
    assert wrong_key.status_code == 401 and wrong_key.get_json()["code"] == "401"
    unknown = _post(second, x.UNIT, [_unit(companyCode="999999999")], code="999999999")
    assert unknown.status_code == 401
    other_company = _post(second, x.UNIT, [_unit(companyCode="111111111")])
    assert other_company.get_json()["data"]["rejected"][0]["errors"] == {"companyCode": "wrong_company"}
    assert second.test_client().post("/exchange/receive/no_such_table", json={}).status_code == 404
    assert received(second) == []


def test_the_receiver_takes_form_posts_with_the_enterprise_key(world, city_platform):
    second, _ = city_platform
    form = {k: v for k, v in _unit().items()}
    bad = second.test_client().post(f"/exchange/receive/{x.UNIT}", data={**form, "pwd": "wrong"})
    assert bad.status_code == 401
    good = second.test_client().post(f"/exchange/receive/{x.UNIT}", data={**form, "pwd": KEY})
    assert good.get_json()["data"]["accepted"] == [form["id"]]
    with second.app_context():
        assert db.session.scalar(select(func.count()).select_from(ReceivedRow)) == 1
        assert db.session.scalar(select(func.count()).select_from(ExchangeStatus)) == 0
        db.session.remove()


def test_the_form_transport_reaches_the_second_instance_row_by_row(app, world, plant, city_platform):
    second, base = city_platform
    with reporting_to(app, world, base, transport="form"):
        result = push_a(world)
    assert "error" not in result and result["accepted"] == 13
    (task, *_) = received(second, x.TASK)
    assert task.payload["checkCycleUnit"] == "天" and "pwd" not in task.payload


def test_the_authority_sees_what_its_platform_received_per_sender(app, client, world, monkeypatch):
    from tests.conftest import login

    monkeypatch.setenv(f"SHUANGKONG_EXCHANGE_KEY_{COMPANY}", KEY)
    monkeypatch.setitem(app.config, "EXCHANGE_SENDERS",
                        {COMPANY: {"cipher": "AES/ECB", "credit_code": world.enterprises.a.credit_code}})
    token = transport.encrypt("AES/ECB", KEY, json.dumps([_unit()]))
    service.receive(x.UNIT, COMPANY, datas=token)
    service.receive(x.EVENT, COMPANY, datas=transport.encrypt("AES/ECB", KEY, json.dumps([_event(deleted="1")])))
    db.session.commit()

    login(client, world.users.inspector)  # the authority of enterprise a's region
    assert "数据接收" in client.get("/exchange/").get_data(as_text=True)
    page = client.get("/exchange/received").get_data(as_text=True)
    assert COMPANY in page and world.enterprises.a.name in page and "安全风险分析单元" in page
    login(client, world.users.inspector_b)  # another region's authority: nothing of enterprise a
    assert COMPANY not in client.get("/exchange/received").get_data(as_text=True)
    login(client, world.users.manager)  # the enterprise itself does not read the platform's intake
    assert client.get("/exchange/received").status_code == 403


def test_the_second_instance_keeps_the_photos_in_its_storage_not_in_the_rows(app, world, plant, city_platform):
    from app import storage
    from app.hazards import service as hazards
    from app.hazards.demo import photo

    second, base = city_platform
    before = photo(7)
    hazards.add_attachment(plant.hazard.id, world.users.manager, kind="before", filename="IMG_0007.jpg",
                           data=before)
    db.session.commit()
    with reporting_to(app, world, base, cipher="AES/ECB"):
        assert "error" not in push_a(world)
    (hazard,) = received(second, x.HAZARD)
    reference = hazard.payload["attachments1"]
    assert reference.startswith("sha256:") and "attachments2" not in hazard.payload
    with second.app_context():
        assert storage.load(reference.removeprefix("sha256:")) == before  # the photo, byte for byte
        assert "exchange_received_photos" in storage.referenced()[reference.removeprefix("sha256:")]
        db.session.remove()
