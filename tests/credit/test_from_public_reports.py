"""The two lines of #19 meet: a concealed accident reported by the public, substantiated by the inspector,
becomes a credit record of the enterprise citing the ticket (through the real public API and services)."""

from __future__ import annotations

from sqlalchemy import select

from app.credit.models import CreditRecord
from app.extensions import db
from app.public_reports import service
from app.public_reports.models import PublicReport
from tests.public_reports.conftest import file_report


def _kinds(enterprise_id):
    return [r.kind.value for r in db.session.scalars(
        select(CreditRecord).where(CreditRecord.enterprise_id == enterprise_id).order_by(CreditRecord.id))]


def test_a_substantiated_concealment_report_becomes_a_credit_record(world, client, principal_named):
    ent = world.enterprises.a
    filed = file_report(client, category="concealment", enterprise_name=ent.name,
                        description="上月罐区闪爆致1人受伤，企业未上报")
    assert filed.status_code == 201, filed.get_json()
    report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == filed.get_json()["ticket"]))
    service.decide(world.users.inspector, report.id, "accept")
    db.session.commit()
    assert _kinds(ent.id) == []  # accepted is not substantiated
    service.verify(world.users.inspector, report.id, substantiated=True, findings="经查属实：瞒报1人受伤事故")
    db.session.commit()
    records = db.session.scalars(select(CreditRecord).where(CreditRecord.enterprise_id == ent.id)).all()
    # One for the enterprise, one for its principal by name; each cites the ticket.
    assert sorted((r.kind.value, r.subject.value, r.person_name) for r in records) == [
        ("concealment_substantiated", "enterprise", ""), ("concealment_substantiated", "principal", "张三丰")]
    assert all(report.ticket in r.source for r in records)


def test_an_unsubstantiated_or_other_report_makes_none(world, client, principal_named):
    ent = world.enterprises.a
    for category, substantiated in (("concealment", False), ("major_hazard", True)):
        filed = file_report(client, category=category, enterprise_name=ent.name)
        report = db.session.scalar(select(PublicReport).where(PublicReport.ticket == filed.get_json()["ticket"]))
        service.decide(world.users.inspector, report.id, "accept")
        service.verify(world.users.inspector, report.id, substantiated=substantiated, findings="核查")
        db.session.commit()
    assert _kinds(ent.id) == []
