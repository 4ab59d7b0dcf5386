"""The exchange's use cases: push one enterprise's changes, read its status, receive from a sender.

Incremental by a per-row ledger (``ExchangeRow``), not by timestamps: the records have no ``updated_at``
(only hazards do), are changed by several features, by migrations and imports, and rows disappear. Each
push rebuilds the enterprise's seven datasets, fingerprints every row and compares with what the receiver
acknowledged; what differs is pending, a row gone since is sent as ``deleted = 1``. Only a receipt
acknowledges a row, so an outage loses nothing, and a row sent twice (a receipt lost on the way) is the
same national id: the receiver updates it, nothing doubles. None of these functions commits.
"""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError

from app import access
from app.clock import to_local, utcnow
from app.errors import Forbidden, Invalid, NotFound
from app.exchange import datasets, profiles, transport
from app.exchange.models import ExchangeRow, ExchangeStatus, ReceivedRow
from app.extensions import db
from app.organisations.models import Enterprise
from workflows import exchange as x

STOPPED_BY_PARENT = "等待上级数据先被平台确认"


def _config(name: str, default: float) -> float:
    return float(current_app.config.get(name, default))


def _backoff(attempt: int) -> timedelta:
    return timedelta(seconds=x.backoff_seconds(attempt, _config("EXCHANGE_RETRY_BASE_SECONDS", 60),
                                                _config("EXCHANGE_RETRY_MAX_SECONDS", 6 * 3600)))


def status_of(enterprise_id: int, *, lock: bool = False) -> ExchangeStatus:
    stmt = select(ExchangeStatus).where(ExchangeStatus.enterprise_id == enterprise_id)
    if lock and db.engine.dialect.name != "sqlite":
        stmt = stmt.with_for_update()
    status = db.session.scalar(stmt)
    if status is None:
        try:  # two first pushes at once: one inserts, the other takes its row (and waits on its lock)
            with db.session.begin_nested():
                status = ExchangeStatus(enterprise_id=enterprise_id, failures=0, pending_rows=0,
                                        refused_rows=0, acknowledged_rows=0)
                db.session.add(status)
        except IntegrityError:
            status = db.session.scalar(stmt)
    return status


# --- the change log ---------------------------------------------------------------------------------

def sync(enterprise_id: int, company_code: str, now: datetime) -> dict[tuple[str, int], ExchangeRow]:
    """Bring the ledger up to the enterprise's records; returns the part of it a push works on, keyed by
    (dataset, local id): every row of the six registers, and the check records not yet acknowledged.
    Acknowledged records stay out: they never change, and they grow with every check (years of them)."""
    current = datasets.build(enterprise_id, company_code)
    ledger = {(r.dataset, r.local_id): r for r in db.session.scalars(
        select(ExchangeRow).where(ExchangeRow.enterprise_id == enterprise_id,
                                  or_(ExchangeRow.dataset != x.RECORD, _pending_condition())))}
    for dataset, rows in current.items():
        for local_id, row in rows.items():
            _record(ledger, enterprise_id, dataset, local_id, row, now)
    for (dataset, local_id), entry in ledger.items():
        if dataset != x.RECORD and local_id not in current[dataset] and not x.is_deleted(entry.payload):
            _record(ledger, enterprise_id, dataset, local_id, {**entry.payload, "deleted": "1"}, now)
    db.session.flush()
    return ledger


def _pending_condition():
    return or_(ExchangeRow.sent_hash.is_(None), ExchangeRow.sent_hash != ExchangeRow.hash)


def _record(ledger, enterprise_id, dataset, local_id, row, now) -> None:
    digest = x.fingerprint(row)
    entry = ledger.get((dataset, local_id))
    if entry is not None and entry.hash == digest:
        return
    if entry is None:
        entry = ExchangeRow(enterprise_id=enterprise_id, dataset=dataset, local_id=local_id, row_id=row["id"],
                            attempts=0)
        db.session.add(entry)
        ledger[(dataset, local_id)] = entry
    entry.payload = {**row, "updateDate": datasets.stamp(now)}
    entry.hash, entry.changed_at = digest, now
    entry.attempts, entry.retry_at = 0, None  # a corrected row is tried again at once
    if x.is_deleted(row) and entry.sent_hash is None:
        entry.sent_hash = digest  # never reached the receiver: nothing to delete there
    local = x.row_errors(dataset, row, stored_images=True)
    entry.error = x.describe(dataset, local) if local else None
    entry.error_hash = digest if local else None


# --- pushing -----------------------------------------------------------------------------------------

def push(enterprise_id: int, *, now: datetime | None = None) -> dict:
    """Push one enterprise's pending rows; returns counts. Transport failures are recorded, not raised."""
    now = now or utcnow()
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    try:
        enrolment = profiles.enrolment_of(enterprise.credit_code)
    except profiles.ProfileError as exc:
        status = status_of(enterprise_id, lock=True)
        _failed(status, now, str(exc))
        return {"error": str(exc)}
    if enrolment is None:
        return {"skipped": "not configured to report"}
    status = status_of(enterprise_id, lock=True)
    status.profile, status.last_attempt_at = enrolment.profile.name, now
    ledger = sync(enterprise_id, enrolment.company_code, now)
    counts = {"sent": 0, "accepted": 0, "refused": 0}
    try:
        _send_pending(enterprise_id, ledger, enrolment, now, counts)
    except (transport.TransportError, transport.KeyError_) as exc:
        _failed(status, now, str(exc))
        counts["error"] = str(exc)
    else:
        status.last_success_at, status.failures, status.retry_at, status.last_error = now, 0, None, None
    _count(status)
    if status.last_error is None and status.refused_rows:
        status.last_error = f"{status.refused_rows} 条数据未被接收，更正后将重新上报（见下表）"
    counts.update(pending=status.pending_rows, refused=status.refused_rows)
    return counts


def _failed(status: ExchangeStatus, now: datetime, message: str) -> None:
    status.last_attempt_at = now
    status.failures = (status.failures or 0) + 1
    status.retry_at = now + _backoff(status.failures)
    status.last_error = f"{to_local(now):%Y-%m-%d %H:%M} 上报失败：{message}；将于 " \
                        f"{to_local(status.retry_at):%Y-%m-%d %H:%M} 重试"


def _count(status: ExchangeStatus) -> None:
    db.session.flush()
    mine = ExchangeRow.enterprise_id == status.enterprise_id
    status.pending_rows = db.session.scalar(select(func.count()).where(mine, _pending_condition()))
    status.refused_rows = db.session.scalar(select(func.count()).where(
        mine, _pending_condition(), ExchangeRow.error.is_not(None), ExchangeRow.error_hash == ExchangeRow.hash))
    status.acknowledged_rows = db.session.scalar(select(func.count()).where(mine, ExchangeRow.sent_hash == ExchangeRow.hash))


def _send_pending(enterprise_id: int, ledger, enrolment: profiles.Enrolment, now: datetime, counts: dict) -> None:
    by_row_id = {(e.dataset, e.row_id): e for e in ledger.values()}

    def acknowledged(dataset: str, row_id: str) -> bool:
        parent = by_row_id.get((dataset, row_id))
        if parent is None:  # an acknowledged check record, left out of the ledger in memory
            parent = db.session.scalar(select(ExchangeRow).where(
                ExchangeRow.enterprise_id == enterprise_id, ExchangeRow.dataset == dataset,
                ExchangeRow.row_id == row_id))
        return parent is not None and parent.sent_hash is not None and not x.is_deleted(parent.payload)

    secret = profiles.secret(enrolment.company_code)
    prof = enrolment.profile
    for dataset in x.ORDER:  # a parent acknowledged in this push lets its children go in the same push
        ready = sorted((e for e in ledger.values() if e.dataset == dataset and e.pending
                        and not (e.error and e.error_hash == e.hash and (e.retry_at is None or e.retry_at > now))
                        and (x.is_deleted(e.payload)
                             or not x.row_errors(dataset, e.payload, acknowledged, stored_images=True))),
                       key=lambda e: e.local_id)
        for batch, rows in _batches(dataset, ready, max(1, prof.batch_size),
                                    int(_config("EXCHANGE_BATCH_BYTES", 16 * 1024 * 1024))):
            url = prof.endpoints[dataset]
            if prof.transport == "form":
                accepted, refused = transport.send_form(url, enrolment.company_code, secret, rows, prof.timeout)
            else:
                accepted, refused = transport.send_json(url, enrolment.company_code, prof.cipher, secret, rows,
                                                        prof.timeout)
            counts["sent"] += len(batch)
            for entry in batch:
                if entry.row_id in accepted:
                    entry.sent_hash, entry.acked_at, entry.error, entry.error_hash = entry.hash, now, None, None
                    entry.attempts, entry.retry_at = 0, None
                    counts["accepted"] += 1
                elif entry.row_id in refused:
                    entry.attempts = (entry.attempts or 0) + 1
                    entry.error = f"{x.DATASETS[dataset].title}：平台拒收：{refused[entry.row_id]}"
                    entry.error_hash, entry.retry_at = entry.hash, now + _backoff(entry.attempts)
            db.session.flush()


def _batches(dataset: str, ready: list[ExchangeRow], size: int, budget: int):
    """``(entries, rows as sent)`` of at most ``size`` rows, cut earlier when the photos encoded so far pass
    ``budget`` bytes (a hazard carries up to three photos of 5 MB: twenty of them would be a 400 MB call)."""
    batch, rows, used = [], [], 0
    for entry in ready:
        row = datasets.with_images(dataset, entry.payload)
        weight = sum(len(row.get(name) or "") for name in x.IMAGE_FIELDS.get(dataset, ()))
        if batch and (len(batch) == size or used + weight > budget):
            yield batch, rows
            batch, rows, used = [], [], 0
        batch.append(entry)
        rows.append(row)
        used += weight
    if batch:
        yield batch, rows


def due_enterprise_ids(now: datetime | None = None) -> list[int]:
    """The enterprises configured to report whose daily push is due, or whose retry time has come."""
    now = now or utcnow()
    codes = profiles.enrolments()
    if not codes:
        return []
    rows = db.session.execute(select(Enterprise.id, Enterprise.credit_code, ExchangeStatus)
                              .outerjoin(ExchangeStatus, ExchangeStatus.enterprise_id == Enterprise.id)
                              .where(Enterprise.credit_code.in_(list(codes)))).all()
    local = to_local(now)
    due = []
    for enterprise_id, code, status in rows:
        try:
            hour = profiles.profile(codes[code].get("profile", "")).schedule_hour
        except profiles.ProfileError:
            hour = 0
        if status is not None and status.retry_at is not None:
            if status.retry_at <= now:
                due.append(enterprise_id)
            continue
        last = to_local(status.last_success_at) if status and status.last_success_at else None
        if local.hour >= hour and (last is None or last.date() < local.date()):
            due.append(enterprise_id)
    return due


# --- reading (the page and the API) ---------------------------------------------------------------------

def statuses(actor):
    access.require(actor, "exchange.status")
    return access.visible(ExchangeStatus, actor).join(Enterprise).order_by(Enterprise.name, ExchangeStatus.id)


def reporting_enterprises(actor):
    """The enterprises the actor sees that have a push status or are configured to report (the API list:
    one that never pushed is listed too, see ``with_statuses``)."""
    access.require(actor, "exchange.status")
    has_status = select(ExchangeStatus.id).where(ExchangeStatus.enterprise_id == Enterprise.id).exists()
    return (access.visible(Enterprise, actor)
            .where(or_(has_status, Enterprise.credit_code.in_(list(profiles.enrolments()))))
            .order_by(Enterprise.name, Enterprise.id))


def with_statuses(enterprises: list[Enterprise]) -> list[ExchangeStatus]:
    """Each enterprise's status; one that never pushed gets an unsaved one (``never_pushed``, counts
    unknown: its detail builds what the first push would send)."""
    found = {s.enterprise_id: s for s in db.session.scalars(
        select(ExchangeStatus).where(ExchangeStatus.enterprise_id.in_([e.id for e in enterprises])))}
    out = []
    for enterprise in enterprises:
        status = found.get(enterprise.id)
        if status is None:
            status = ExchangeStatus(enterprise_id=enterprise.id, profile=profiles.enrolments().get(
                enterprise.credit_code, {}).get("profile", ""), failures=0)
            status.enterprise, status.never_pushed = enterprise, True
        else:
            status.never_pushed = False
        out.append(status)
    return out


def status_for(actor, enterprise_id: int) -> ExchangeStatus:
    """The enterprise's push status. A configured enterprise that never pushed has no status row yet: it
    gets an unsaved one (``never_pushed``) counting what its first push would send, with the refused rows
    in ``preview_refused`` and the counts per dataset in ``preview_counts``; reading writes nothing."""
    access.require(actor, "exchange.status")
    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    status = db.session.scalar(select(ExchangeStatus).where(ExchangeStatus.enterprise_id == enterprise.id))
    if status is not None:
        status.never_pushed = False
        return status
    try:
        enrolment = profiles.enrolment_of(enterprise.credit_code)
    except profiles.ProfileError:
        enrolment = None
    if enrolment is None:
        raise NotFound()
    return preview(enterprise, enrolment)


def preview(enterprise: Enterprise, enrolment: profiles.Enrolment) -> ExchangeStatus:
    """What the first push would send: every row not deleted (a deletion never sent has nothing to delete
    on the other side), and, apart, the rows the receiver's rules refuse (they wait for a correction)."""
    counts, refused = {}, []
    for dataset, rows in datasets.build(enterprise.id, enrolment.company_code).items():
        for local_id, row in sorted(rows.items()):
            if x.is_deleted(row):
                continue
            counts[dataset] = counts.get(dataset, 0) + 1
            errors = x.row_errors(dataset, row, stored_images=True)
            if errors:
                refused.append(SimpleNamespace(dataset=dataset, local_id=local_id, row_id=row["id"],
                                               error=x.describe(dataset, errors), attempts=0, retry_at=None))
    status = ExchangeStatus(enterprise_id=enterprise.id, profile=enrolment.profile.name, failures=0,
                            pending_rows=sum(counts.values()), refused_rows=len(refused), acknowledged_rows=0)
    status.enterprise = enterprise  # transient: no relationship cascades it into the session
    status.never_pushed, status.preview_counts, status.preview_refused = True, counts, refused
    return status


def refused_rows(actor, enterprise_id: int) -> list:
    """The rows of an enterprise that wait on a correction (the status page's table), at most 200."""
    status = status_for(actor, enterprise_id)
    if status.never_pushed:
        return status.preview_refused[:200]
    return list(db.session.scalars(
        select(ExchangeRow).where(ExchangeRow.enterprise_id == status.enterprise_id,
                                  ExchangeRow.error.is_not(None), ExchangeRow.error_hash == ExchangeRow.hash,
                                  func.coalesce(ExchangeRow.sent_hash, "") != ExchangeRow.hash)
        .order_by(ExchangeRow.dataset, ExchangeRow.local_id).limit(200)))


def pending_by_dataset(enterprise_id: int) -> dict[str, int]:
    """Pending rows per dataset as the last push left them (the ledger)."""
    return dict(db.session.execute(
        select(ExchangeRow.dataset, func.count()).where(ExchangeRow.enterprise_id == enterprise_id,
                                                        _pending_condition())
        .group_by(ExchangeRow.dataset)).all())


def never_pushed(actor) -> list[Enterprise]:
    """The enterprises the actor sees that are configured to report and never pushed (no status yet)."""
    access.require(actor, "exchange.status")
    codes = list(profiles.enrolments())
    if not codes:
        return []
    has_status = select(ExchangeStatus.id).where(ExchangeStatus.enterprise_id == Enterprise.id).exists()
    return list(db.session.scalars(access.visible(Enterprise, actor)
                                   .where(Enterprise.credit_code.in_(codes), ~has_status).order_by(Enterprise.name)))


def request_push(actor, enterprise_id: int) -> ExchangeStatus:
    """Ask for a push now (the job runs after the commit)."""
    from app import jobs  # the job queue imports the features' modules when the app is built

    enterprise = access.get_visible(Enterprise, enterprise_id, actor)
    if not access.can(actor, "exchange.push", enterprise):
        raise Forbidden()
    if profiles.enrolments().get(enterprise.credit_code) is None:
        raise Invalid(fields={"enterprise_id": _("This enterprise is not configured to report.")})
    status = status_of(enterprise.id)
    status.never_pushed = False  # it has its row now
    jobs.enqueue("exchange.push", enterprise_id=enterprise.id)
    return status


# --- receiving (this project as a city/park platform) ------------------------------------------------

class Refused(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


def receive(dataset: str, company_code: str, *, datas: str | None = None, form: dict | None = None) -> dict:
    """Validate and keep one batch from an authenticated sender; the receipt. Raises Refused (401/400/404)."""
    if dataset not in x.DATASETS:
        raise Refused(404, "未知的数据集")
    sender = profiles.sender(company_code or "")
    secret = profiles.secret(company_code) if sender else None
    if sender is None or not secret:
        raise Refused(401, "企业未登记或未配置密钥")
    if form is not None:
        import hmac  # only the form transport compares a password

        if not hmac.compare_digest(str(form.pop("pwd", "")).encode(), secret.encode()):
            raise Refused(401, "企业认证失败")
        rows = [form]
    else:
        try:
            rows = json.loads(transport.decrypt(sender.get("cipher", "AES/ECB"), secret, datas or ""))
        except (ValueError, UnicodeDecodeError):
            raise Refused(401, "数据无法解密：企业认证失败") from None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise Refused(400, "datas 应为数据行的列表")
    enterprise_id = None
    if sender.get("credit_code"):
        enterprise_id = db.session.scalar(select(Enterprise.id).where(Enterprise.credit_code == sender["credit_code"]))
    arrived = set()

    def known(parent: str, row_id: str) -> bool:
        if (parent, row_id) in arrived:
            return True
        return db.session.scalar(select(ReceivedRow.id).where(
            ReceivedRow.company_code == company_code, ReceivedRow.dataset == parent, ReceivedRow.row_id == row_id,
            ReceivedRow.deleted.is_(False))) is not None

    accepted, rejected = [], []
    for row in rows:
        errors = x.row_errors(dataset, row, known, company_code)
        if errors:
            rejected.append({"id": row.get("id"), "errors": errors, "msg": x.describe(dataset, errors)})
            continue
        _keep(company_code, enterprise_id, dataset, row)
        arrived.add((dataset, str(row["id"])))
        accepted.append(str(row["id"]))
    db.session.flush()
    return transport.receipt(accepted, rejected, "成功" if not rejected else f"{len(rejected)} 条数据未通过校验")


def _keep(company_code: str, enterprise_id: int | None, dataset: str, row: dict) -> None:
    row = _photos_stored(dataset, row)
    kept = db.session.scalar(select(ReceivedRow).where(ReceivedRow.company_code == company_code,
                                                      ReceivedRow.dataset == dataset,
                                                      ReceivedRow.row_id == str(row["id"])))
    if kept is None:
        db.session.add(ReceivedRow(company_code=company_code, enterprise_id=enterprise_id, dataset=dataset,
                                   row_id=str(row["id"]), payload=row, deleted=x.is_deleted(row),
                                   received_at=utcnow(), updates=0))
        return
    if x.fingerprint(kept.payload) != x.fingerprint(row):
        kept.updates = (kept.updates or 0) + 1
    kept.payload, kept.deleted, kept.received_at = row, x.is_deleted(row), utcnow()


def _photos_stored(dataset: str, row: dict) -> dict:
    """A received row with its photos (checked Base64 PNG/JPEG) moved to the content-addressed storage:
    the kept payload holds ``sha256:<digest>``, as the sender's ledger does, not megabytes of Base64."""
    from app import storage  # only a row with photos touches the storage

    names = [n for n in x.IMAGE_FIELDS.get(dataset, ()) if isinstance(row.get(n), str) and row[n]]
    if not names:
        return row
    row = dict(row)
    for name in names:
        row[name] = f"sha256:{storage.save(base64.b64decode(row[name]))}"
    return row


def received_photo_digests():
    """The stored photos that received rows refer to (``storage check`` must not call them orphans)."""
    rows = db.session.execute(select(ReceivedRow.dataset, ReceivedRow.payload)
                              .where(ReceivedRow.dataset.in_(list(x.IMAGE_FIELDS))))
    for dataset, payload in rows:
        for name in x.IMAGE_FIELDS[dataset]:
            value = (payload or {}).get(name)
            if isinstance(value, str) and x.STORED_IMAGE.match(value):
                yield value.removeprefix("sha256:")


def received(actor, dataset: str | None = None, company_code: str | None = None):
    access.require(actor, "exchange.received")
    stmt = access.visible(ReceivedRow, actor).order_by(ReceivedRow.id)
    if dataset:
        stmt = stmt.where(ReceivedRow.dataset == dataset)
    if company_code:
        stmt = stmt.where(ReceivedRow.company_code == company_code)
    return stmt


def received_summary(actor) -> list[SimpleNamespace]:
    """Per sender (this project as city/park platform): rows held per dataset, how many deleted, the last
    arrival; for the authorities of the senders' regions and the admin (the receiving side's status)."""
    access.require(actor, "exchange.received")
    scope = access.visible(ReceivedRow, actor).subquery()
    rows = db.session.execute(
        select(scope.c.company_code, scope.c.enterprise_id, scope.c.dataset, func.count(),
               func.sum(case((scope.c.deleted.is_(True), 1), else_=0)), func.max(scope.c.received_at))
        .group_by(scope.c.company_code, scope.c.enterprise_id, scope.c.dataset)).all()
    names = dict(db.session.execute(select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.in_({r[1] for r in rows if r[1] is not None}))).all())
    senders: dict[str, SimpleNamespace] = {}
    for code, enterprise_id, dataset, count, deleted, last in rows:
        sender = senders.setdefault(code, SimpleNamespace(company_code=code, enterprise_id=enterprise_id,
                                                          enterprise_name=names.get(enterprise_id), rows={},
                                                          total=0, deleted=0, last_received_at=last))
        sender.rows[dataset] = count
        sender.total, sender.deleted = sender.total + count, sender.deleted + int(deleted or 0)
        sender.last_received_at = max(sender.last_received_at, last)
    return sorted(senders.values(), key=lambda s: s.company_code)
