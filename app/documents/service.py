"""Issuing, voiding and reading documents. No commit inside: the view / API / CLI commits.

``issue(kind, actor=..., context={...}, hazards=[...])`` checks the policy and the context, allocates
the next number of (issuer, kind, year) under a row lock, renders the PDF, stores its bytes and
SHA-256 and returns the new Document (flushed). If anything fails before the caller commits, the
caller's rollback gives the number back: numbers stay gap-free.

Number formats (X = the authority's abbreviation, YYYY = local year of issue, N = 1, 2, ...):

=====================  =============================  ============================
kind                   issuer                         number
=====================  =============================  ============================
rectification_order    authority                      （X）应急责改〔YYYY〕N号
review_opinion         authority                      （X）应急复查〔YYYY〕N号
supervision_notice     authority                      （X）应急督办〔YYYY〕N号
delisting_notice       authority                      （X）应急解督〔YYYY〕N号
hazard_archive         authority / enterprise         （X）隐档〔YYYY〕N号 / 隐档〔YYYY〕N号
rectification_notice   enterprise                     隐改〔YYYY〕N号
risk_card              enterprise                     告知卡〔YYYY〕N号
=====================  =============================  ============================
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from app import clock, policy, storage
from app.auth.models import User
from app.documents.models import (
    ENTERPRISE_KINDS,
    Document,
    DocumentCounter,
    DocumentKind,
    DocumentStatus,
)
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.organisations.models import Authority, Enterprise
from reports import contexts as ctxmod
from reports import fonts
from reports.render import render_pdf

NUMBER_FORMATS = {
    DocumentKind.rectification_order: "（{abbr}）应急责改〔{year}〕{seq}号",
    DocumentKind.review_opinion: "（{abbr}）应急复查〔{year}〕{seq}号",
    DocumentKind.supervision_notice: "（{abbr}）应急督办〔{year}〕{seq}号",
    DocumentKind.delisting_notice: "（{abbr}）应急解督〔{year}〕{seq}号",
    DocumentKind.hazard_archive: "（{abbr}）隐档〔{year}〕{seq}号",
    DocumentKind.rectification_notice: "隐改〔{year}〕{seq}号",
    DocumentKind.risk_card: "告知卡〔{year}〕{seq}号",
}
ENTERPRISE_ARCHIVE_FORMAT = "隐档〔{year}〕{seq}号"

# Kinds with the 行政复议 / 行政诉讼 sentence (domain.md §5.7), and the word for "this document".
RIGHTS_WORD = {DocumentKind.rectification_order: "本指令", DocumentKind.supervision_notice: "本通知"}
COPIES_UNIT = {DocumentKind.rectification_order: "被检查单位", DocumentKind.review_opinion: "被复查单位"}


@dataclass
class IssueTarget:
    """What the ``document.issue.<kind>`` policy rules decide on."""

    kind: DocumentKind
    enterprise: Enterprise
    authority: Authority | None = None
    hazards: list = field(default_factory=list)


# --- context checks -----------------------------------------------------------------------------

def _context_messages() -> dict[str, str]:
    return {
        "required": _("This field is required."),
        "invalid": _("This value is not valid."),
        "invalid_date": _("Enter a date as YYYY-MM-DD."),
        "too_few": _("At least two law-enforcement officers with certificate numbers are required."),
        "too_long": _("This text is too long."),
        "unknown_field": _("Unknown field."),
        "choice": _("Choose one of the offered values."),
    }


def parse_context(kind: DocumentKind | str, data: dict) -> Any:
    """The kind's context dataclass, or Invalid with a translated message per field."""
    try:
        return ctxmod.parse(str(kind), data)
    except ctxmod.ContextError as exc:
        messages = _context_messages()
        raise Invalid(fields={k: messages.get(code, code) for k, code in exc.fields.items()}) from None


# --- issuing -------------------------------------------------------------------------------------

def issue(kind: DocumentKind | str, *, actor: User, context: dict, hazards=(), authority: Authority | None = None,
          enterprise: Enterprise | None = None, supersedes: Document | None = None,
          listing_id: int | None = None) -> Document:
    """Issue a numbered document. ``authority``: the issuing authority (default: the actor's);
    ``enterprise``: the enterprise concerned (default: the hazards' one). Raises Invalid / Forbidden /
    NotFound before any number is taken."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise Invalid(fields={"kind": _("Unknown document kind.")}) from None
    if not template_exists(kind):
        raise Invalid(fields={"kind": _("This kind of document cannot be printed yet.")})
    hazards = list(hazards)
    for hazard in hazards:
        if not policy.is_visible(hazard, actor):
            raise NotFound()
    enterprise = _enterprise_concerned(enterprise, hazards)
    if not policy.is_visible(enterprise, actor):
        raise NotFound()
    issuer_authority = _issuer_authority(kind, actor, authority)
    policy.require(actor, f"document.issue.{kind.value}", IssueTarget(kind, enterprise, issuer_authority, hazards))

    data = _fill_context(kind, dict(context or {}), actor=actor, enterprise=enterprise, hazards=hazards)
    parsed = parse_context(kind, data)

    issuer_key = f"authority:{issuer_authority.id}" if issuer_authority else f"enterprise:{enterprise.id}"
    issued_at = clock.utcnow()
    issued_on = clock.to_local(issued_at).date()
    seq = allocate_number(issuer_key, kind.value, issued_on.year)
    number = format_number(kind, issuer_authority, issued_on.year, seq)
    token = secrets.token_urlsafe(18)
    _template, template_version = ctxmod.TEMPLATES[kind.value]
    version = f"{template_version}+{fonts.font_set()}"  # re-rendering needs the same template and fonts
    header = ctxmod.Header(
        kind=kind.value, title=ctxmod.TITLES[kind.value], number=number,
        issuer_name=issuer_authority.name if issuer_authority else enterprise.name,
        issued_on=issued_on, verify_url=verify_url(token), template_version=version,
        rights_notice=rights_notice(kind, issuer_authority),
        copies_note=copies_note(kind, issuer_authority),
    )
    if kind == DocumentKind.risk_card:  # the card prints its number and date itself (app.risks.cards)
        parsed = {**parsed, "card_no": number, "fill_date": issued_on.isoformat()}
    stored = {"doc": ctxmod.dump(header), "c": ctxmod.dump(parsed)}
    pdf = _render(kind, stored)
    digest = storage.save(pdf)

    document = Document(
        kind=kind, issuer=issuer_key, enterprise_id=enterprise.id,
        issuer_authority_id=issuer_authority.id if issuer_authority else None,
        issuer_enterprise_id=None if issuer_authority else enterprise.id,
        year=issued_on.year, seq=seq, number=number, token=token, pdf_sha256=digest, pdf_size=len(pdf),
        template_version=version, context_json=json.dumps(stored, ensure_ascii=False, sort_keys=True),
        issued_by_id=actor.id, issued_at=issued_at, status=DocumentStatus.valid, listing_id=listing_id,
    )
    document.hazards = hazards
    db.session.add(document)
    db.session.flush()
    for old in _to_supersede(kind, document, supersedes, hazards):
        old.status = DocumentStatus.superseded
        old.superseded_by_id = document.id
    db.session.flush()
    return document


def template_exists(kind: DocumentKind) -> bool:
    from reports.render import TEMPLATES as TEMPLATE_DIR

    return (TEMPLATE_DIR / ctxmod.TEMPLATES[kind.value][0]).is_file()


def allocate_number(issuer_key: str, kind: str, year: int) -> int:
    """The next number of (issuer, kind, year). ``UPDATE ... RETURNING`` locks the counter row until
    the transaction ends: concurrent issuers queue up, and a rollback returns the number."""
    table = DocumentCounter.__table__
    key = (table.c.issuer == issuer_key) & (table.c.kind == kind) & (table.c.year == year)
    stmt = update(table).where(key).values(last=table.c.last + 1).returning(table.c.last)
    seq = db.session.execute(stmt).scalar()
    if seq is None:
        _insert_counter(issuer_key, kind, year)
        seq = db.session.execute(stmt).scalar_one()
    return seq


def _insert_counter(issuer_key: str, kind: str, year: int) -> None:
    """Create the counter row if missing; a concurrent creator's row wins silently (ON CONFLICT)."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases are not supported
        raise RuntimeError(f"unsupported database {dialect}")
    values = {"issuer": issuer_key, "kind": kind, "year": year, "last": 0}
    db.session.execute(insert(DocumentCounter.__table__).values(**values).on_conflict_do_nothing())


def format_number(kind: DocumentKind, authority: Authority | None, year: int, seq: int) -> str:
    if kind == DocumentKind.hazard_archive and authority is None:
        return ENTERPRISE_ARCHIVE_FORMAT.format(year=year, seq=seq)
    abbr = authority.abbreviation if authority is not None else ""
    return NUMBER_FORMATS[kind].format(abbr=abbr, year=year, seq=seq)


def verify_url(token: str) -> str:
    return current_app.config["PUBLIC_BASE_URL"].rstrip("/") + "/verify/" + token


def rights_notice(kind: DocumentKind, authority: Authority | None) -> str:
    """Post-2024 wording (行政复议法 2023): the reconsideration body is the people's government at the
    authority's level (``Authority.review_body``), the court from ``Authority.court``."""
    word = RIGHTS_WORD.get(kind)
    if word is None or authority is None:
        return ""
    return (f"如果不服{word}，可以依法在60日内向{authority.review_body}申请行政复议，"
            f"或者在6个月内依法向{authority.court}提起行政诉讼，但{word}不停止执行，法律另有规定的除外。")


def copies_note(kind: DocumentKind, authority: Authority | None) -> str:
    unit = COPIES_UNIT.get(kind)
    if unit is None or authority is None:
        return ""
    return f"本文书一式两份：一份由{authority.name}备案，一份交{unit}。"


def _enterprise_concerned(enterprise: Enterprise | None, hazards: list) -> Enterprise:
    ids = {h.enterprise_id for h in hazards}
    if enterprise is not None:
        ids.add(enterprise.id)
    if len(ids) > 1:
        raise Invalid(fields={"hazard_ids": _("All hazards of one document must belong to one enterprise.")})
    if not ids:
        raise Invalid(fields={"hazard_ids": _("Choose at least one hazard.")})
    return enterprise if enterprise is not None else hazards[0].enterprise


def _issuer_authority(kind: DocumentKind, actor: User, authority: Authority | None) -> Authority | None:
    if kind in ENTERPRISE_KINDS:
        return None
    if kind == DocumentKind.hazard_archive and not actor.role.is_government:
        return None  # printed by the enterprise itself (or admin): the enterprise is the issuer
    if authority is None:
        authority = actor.authority
    if authority is None:
        raise Forbidden(_("Only an authority can issue this document."))
    return authority


def _fill_context(kind: DocumentKind, data: dict, *, actor: User, enterprise: Enterprise, hazards: list) -> dict:
    """Fill the *service-filled* fields (reports/contexts.py) the caller left out."""
    from app.documents import builders

    return builders.fill(kind, data, actor=actor, enterprise=enterprise, hazards=hazards)


def _render(kind: DocumentKind, stored: dict) -> bytes:
    template, _version = ctxmod.TEMPLATES[kind.value]
    header = ctxmod.parse_header(stored["doc"])
    body = ctxmod.parse(kind.value, stored["c"])
    if kind == DocumentKind.hazard_archive:
        from app.documents.archive import photo_data_uri

        for photo in body.photos_before + body.photos_after:
            if photo.sha256 and not photo.src:
                photo.src = photo_data_uri(photo.sha256)
    if isinstance(body, dict):  # kinds whose builder lives elsewhere (risk_card): flat variables
        return render_pdf(template, {**body, "doc": header, "c": body})
    return render_pdf(template, {"doc": header, "c": body})


def _to_supersede(kind: DocumentKind, document: Document, supersedes: Document | None, hazards: list):
    olds = []
    if supersedes is not None:
        if supersedes.kind != kind or supersedes.enterprise_id != document.enterprise_id:
            raise Invalid(fields={"supersedes": _("Only a document of the same kind and enterprise can be replaced.")})
        if supersedes.status != DocumentStatus.valid:
            raise Conflict(_("The document to replace is no longer valid."))
        olds.append(supersedes)
    if kind == DocumentKind.hazard_archive and len(hazards) == 1:
        # A new archive of a hazard by the same issuer replaces the previous one.
        from app.documents.models import document_hazards

        stmt = (select(Document).join(document_hazards, document_hazards.c.document_id == Document.id)
                .where(document_hazards.c.hazard_id == hazards[0].id, Document.kind == kind,
                       Document.issuer == document.issuer, Document.status == DocumentStatus.valid,
                       Document.id != document.id))
        olds.extend(d for d in db.session.scalars(stmt) if d not in olds)
    if kind == DocumentKind.risk_card:
        # A new card of a risk point replaces the point's previous card (a wall shows one card).
        point_id = json.loads(document.context_json)["c"].get("risk_point_id")
        stmt = select(Document).where(Document.kind == kind, Document.enterprise_id == document.enterprise_id,
                                      Document.status == DocumentStatus.valid, Document.id != document.id)
        olds.extend(d for d in db.session.scalars(stmt)
                    if point_id is not None and d not in olds
                    and json.loads(d.context_json)["c"].get("risk_point_id") == point_id)
    return olds


def review_defaults(order: Document) -> dict:
    """Context fields of a review opinion that come from the order under review."""
    return {"original_number": order.number, "original_title": ctxmod.TITLES[order.kind.value],
            "original_date": clock.to_local(order.issued_at).date().isoformat()}


# --- after issuing -------------------------------------------------------------------------------

def void(document: Document, actor: User, reason: str | None) -> Document:
    """Void a valid document with a reason. The number stays used; the PDF stays stored."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": _("Give the reason for voiding.")})
    policy.require(actor, "document.void", document)
    locked = db.session.scalar(select(Document).where(Document.id == document.id).with_for_update())
    if locked.status != DocumentStatus.valid:
        raise Conflict(_("This document is no longer valid; it cannot be voided."))
    locked.status = DocumentStatus.voided
    locked.void_reason = reason[:2000]
    locked.voided_by_id = actor.id
    locked.voided_at = clock.utcnow()
    db.session.flush()
    return locked


def pdf_bytes(document: Document) -> bytes:
    """The stored PDF, checked against its SHA-256 (a tampered file is an error, never served)."""
    data = storage.load(document.pdf_sha256)
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        raise RuntimeError(f"stored PDF of document {document.id} does not match its SHA-256")
    return data


def render_again(document: Document) -> bytes:
    """Render the document from its stored context (same template version → the same bytes)."""
    return _render(document.kind, json.loads(document.context_json))


def find_by_token(token: str) -> Document | None:
    if not token or len(token) > 43 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return db.session.scalar(select(Document).where(Document.token == token))
