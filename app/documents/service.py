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
inspection_record      authority                      （X）应急检记〔YYYY〕N号
summons_notice         authority                      （X）应急约谈〔YYYY〕N号
summons_record         authority                      （X）应急约记〔YYYY〕N号
onsite_measures        authority                      （X）应急现决〔YYYY〕N号
rectification_notice   enterprise                     隐改〔YYYY〕N号
risk_card              enterprise                     告知卡〔YYYY〕N号
=====================  =============================  ============================
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select, update

from app import access, clock, signals, storage
from app.auth.models import Role, User
from app.documents import builders
from app.documents.archive import THUMB_PX, photo_data_uri
from app.documents.models import (
    ENTERPRISE_KINDS,
    Document,
    DocumentCounter,
    DocumentKind,
    DocumentStatus,
    document_hazards,
)
from app.errors import Conflict, Forbidden, Invalid, NotFound
from app.extensions import db
from app.organisations.models import Authority, Enterprise
from reports import contexts as ctxmod
from reports import fonts
from reports.render import TEMPLATES as TEMPLATE_DIR
from reports.render import render_pdf
from workflows.hazard_states import HazardState

NUMBER_FORMATS = {
    DocumentKind.rectification_order: "（{abbr}）应急责改〔{year}〕{seq}号",
    DocumentKind.review_opinion: "（{abbr}）应急复查〔{year}〕{seq}号",
    DocumentKind.supervision_notice: "（{abbr}）应急督办〔{year}〕{seq}号",
    DocumentKind.delisting_notice: "（{abbr}）应急解督〔{year}〕{seq}号",
    DocumentKind.hazard_archive: "（{abbr}）隐档〔{year}〕{seq}号",
    DocumentKind.rectification_notice: "隐改〔{year}〕{seq}号",
    DocumentKind.risk_card: "告知卡〔{year}〕{seq}号",
    DocumentKind.inspection_record: "（{abbr}）应急检记〔{year}〕{seq}号",
    DocumentKind.summons_notice: "（{abbr}）应急约谈〔{year}〕{seq}号",
    DocumentKind.summons_record: "（{abbr}）应急约记〔{year}〕{seq}号",
    DocumentKind.onsite_measures: "（{abbr}）应急现决〔{year}〕{seq}号",
    DocumentKind.dishonesty_notice: "（{abbr}）应急失信〔{year}〕{seq}号",
}
ENTERPRISE_ARCHIVE_FORMAT = "隐档〔{year}〕{seq}号"

# Kinds with the 行政复议 / 行政诉讼 sentence (domain.md §5.7), and the word for "this document".
RIGHTS_WORD = {DocumentKind.rectification_order: "本指令", DocumentKind.supervision_notice: "本通知",
               DocumentKind.onsite_measures: "本决定", DocumentKind.dishonesty_notice: "本决定"}
COPIES_UNIT = {DocumentKind.rectification_order: "被检查单位", DocumentKind.review_opinion: "被复查单位",
               DocumentKind.onsite_measures: "被检查单位"}


# Documents of an on-site inspection: built from the inspection record (``inspection=``) alone.
INSPECTION_KINDS = frozenset({DocumentKind.rectification_order, DocumentKind.review_opinion,
                              DocumentKind.inspection_record})
# What the officer writes in his own words on them (free text the law leaves to him); every other field
# (officers, items, deadlines, dates, verdicts) is the record's and cannot be entered.
FREE_FIELDS = {DocumentKind.rectification_order: frozenset(), DocumentKind.review_opinion: frozenset({"opinion"}),
               DocumentKind.inspection_record: frozenset()}
# An enterprise's rectification notice is for confirmed hazards that are still open.
NOTICE_STATES = (HazardState.rectifying, HazardState.pending_review)
# Documents are legal records in Chinese, whatever language the issuing user reads the app in.
DOCUMENT_LOCALE = "zh_CN"


@dataclass
class IssueTarget:
    """What the ``document.issue.<kind>`` policy rules decide on."""

    kind: DocumentKind
    enterprise: Enterprise
    authority: Authority | None = None
    hazards: list = field(default_factory=list)
    inspection: Any = None  # app.supervision.models.Inspection, for INSPECTION_KINDS


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
          listing_id: int | None = None, inspection=None) -> Document:
    """Issue a numbered document. ``authority``: the issuing authority (default: the actor's);
    ``enterprise``: the enterprise concerned (default: the hazards' one); ``inspection``: the
    inspection record an order or review opinion is issued from (required for those kinds, which
    take everything but the officer's own words from it). Raises Invalid / Forbidden / NotFound /
    Conflict before any number is taken.

    A hazard archive whose content is the same as the issuer's current archive of that hazard is not
    issued again: that document comes back (``document.reused`` is True) and no number is taken."""
    try:
        kind = DocumentKind(kind)
    except ValueError:
        raise Invalid(fields={"kind": _("Unknown document kind.")}) from None
    if not template_exists(kind):
        raise Invalid(fields={"kind": _("This kind of document cannot be printed yet.")})
    context = dict(context or {})
    long_fields = ctxmod.too_long(context)
    if long_fields:
        messages = _context_messages()
        raise Invalid(fields={k: messages[code] for k, code in long_fields.items()})
    hazards = list({h.id: h for h in hazards}.values())  # a hazard named twice is on the document once
    if kind in INSPECTION_KINDS:
        hazards, enterprise, authority = _inspection_scope(kind, inspection, hazards, authority, enterprise,
                                                           context, actor)
    elif inspection is not None:
        raise Invalid(fields={"inspection_id": _("Only orders and review opinions are issued from an inspection.")})
    for hazard in hazards:
        if not access.is_visible(hazard, actor):
            raise NotFound()
    enterprise = _enterprise_concerned(enterprise, hazards)
    if not access.is_visible(enterprise, actor):
        raise NotFound()
    issuer_authority = _issuer_authority(kind, actor, authority)
    access.require(actor, f"document.issue.{kind.value}",
                   IssueTarget(kind, enterprise, issuer_authority, hazards, inspection))
    if kind == DocumentKind.rectification_notice:
        _check_notice_hazards(hazards)

    issued_at = clock.utcnow()
    issued_on = clock.to_local(issued_at).date()
    with force_locale(DOCUMENT_LOCALE):  # labels (states, sources...) are printed in Chinese
        if kind in INSPECTION_KINDS:
            data, supersedes = _inspection_context(kind, inspection, context, actor=actor, issued_on=issued_on)
        else:
            data = _fill_context(kind, context, actor=actor, enterprise=enterprise, hazards=hazards)
    parsed = parse_context(kind, data)
    issuer_key = f"authority:{issuer_authority.id}" if issuer_authority else f"enterprise:{enterprise.id}"
    if kind == DocumentKind.hazard_archive:
        current = _current_archive(issuer_key, hazards[0], ctxmod.dump(parsed))
        if current is not None:
            current.reused = True
            return current

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
    with force_locale(DOCUMENT_LOCALE):
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
    if kind == DocumentKind.rectification_order:
        inspection.order_document_id = document.id
    elif kind == DocumentKind.inspection_record:
        inspection.record_document_id = document.id
    elif kind == DocumentKind.review_opinion:
        inspection.review_document_id = document.id
        inspection.review_opinion = parsed.opinion
    db.session.flush()
    signals.document_issued.send(document, actor=actor)
    return document


# --- documents of an inspection ------------------------------------------------------------------

def _inspection_scope(kind: DocumentKind, inspection, hazards: list, authority, enterprise, context: dict,
                      actor: User):
    """The hazards, enterprise and authority of an inspection's document; refuses what the caller
    entered in place of the record (officers, items, dates, verdicts)."""
    if inspection is None:
        raise Invalid(fields={"inspection_id": _("Choose the inspection record this document is issued from.")})
    if not access.is_visible(inspection, actor):
        raise NotFound()
    recorded = [entry.hazard for entry in inspection.items]
    if hazards and {h.id for h in hazards} != {h.id for h in recorded}:
        raise Invalid(fields={"hazard_ids": _("The items of this document are the hazards of the inspection "
                                              "record; they cannot be chosen.")})
    if (authority is not None and authority.id != inspection.authority_id) or (
            enterprise is not None and enterprise.id != inspection.enterprise_id):
        raise Invalid(fields={"inspection_id": _("This inspection was made by another authority or of another "
                                                 "enterprise.")})
    entered = sorted(set(context) - FREE_FIELDS[kind])
    if entered:
        message = _("Taken from the inspection record; it cannot be entered.")
        raise Invalid(fields={name: message for name in entered})
    return recorded, inspection.enterprise, inspection.authority


def _check_officers(inspection) -> None:
    """The two recorded officers: two different inspectors of the inspecting authority, each with his
    law-enforcement certificate number (执法证号)."""
    officers = [inspection.officer, inspection.second_officer]
    if (any(u is None for u in officers) or officers[0].id == officers[1].id
            or any(u.role != Role.inspector or u.authority_id != inspection.authority_id for u in officers)):
        raise Invalid(fields={"officers": _("The inspection's two officers must be two inspectors of the "
                                            "inspecting authority.")})
    if any(not (u.certificate_no or "").strip() for u in officers):
        raise Invalid(fields={"officers": _("At least two law-enforcement officers with certificate numbers "
                                            "are required.")})


def _inspection_context(kind: DocumentKind, inspection, context: dict, *, actor: User, issued_on):
    """(context, document superseded) of an order or opinion, built from the inspection record."""
    _check_officers(inspection)
    if inspection.inspected_on > issued_on:
        raise Invalid(fields={"inspection_date": _("The inspection cannot be in the future.")})
    if kind == DocumentKind.inspection_record:
        current = db.session.get(Document, inspection.record_document_id) if inspection.record_document_id else None
        if current is not None and current.is_valid:
            raise Conflict(_("The record of this inspection has been printed already (%(number)s); void it first "
                             "to print it again.", number=current.number), code="already_issued")
        return builders.record_context(inspection), None
    if kind == DocumentKind.rectification_order:
        current = db.session.get(Document, inspection.order_document_id) if inspection.order_document_id else None
        if current is not None and current.is_valid:
            raise Conflict(_("The rectification order of this inspection has been issued already (%(number)s); "
                             "void it first to issue it again.", number=current.number), code="already_issued")
        return builders.order_context(inspection), None
    order = db.session.get(Document, inspection.order_document_id) if inspection.order_document_id else None
    if order is None or not order.is_valid:
        raise Conflict(_("This inspection has no valid rectification order to review."), code="no_order")
    if clock.to_local(order.issued_at).date() > issued_on:
        raise Invalid(fields={"review_date": _("The review cannot be dated before the order it reviews.")})
    data = builders.opinion_context(inspection, order, actor=actor, review_date=issued_on,
                                    opinion=context.get("opinion") or "")
    if not any(item["verdict"] in ("passed", "rejected") for item in data["items"]):
        raise Invalid(fields={"inspection_id": _("No review decision is recorded on the hazards of this "
                                                 "inspection yet: accept or reject them first.")})
    previous = (db.session.get(Document, inspection.review_document_id)
                if inspection.review_document_id else None)
    if previous is not None and previous.is_valid:
        before = json.loads(previous.context_json)["c"]
        now = ctxmod.dump(parse_context(kind, data))
        if before.get("items") == now["items"] and before.get("outcome") == now["outcome"]:
            raise Conflict(_("Nothing has been reviewed since the opinion %(number)s.", number=previous.number),
                           code="nothing_new")
        return data, previous  # a second review supersedes the first opinion
    return data, None


def _check_notice_hazards(hazards: list) -> None:
    if any(h.state not in NOTICE_STATES for h in hazards):
        raise Invalid(fields={"hazard_ids": _("A rectification notice is only for confirmed hazards that are "
                                              "still open.")})


def _current_archive(issuer_key: str, hazard, content: dict) -> Document | None:
    """The issuer's valid archive of ``hazard`` if it prints exactly ``content`` (nothing happened since)."""
    stmt = (select(Document).join(document_hazards, document_hazards.c.document_id == Document.id)
            .where(document_hazards.c.hazard_id == hazard.id, Document.kind == DocumentKind.hazard_archive,
                   Document.issuer == issuer_key, Document.status == DocumentStatus.valid)
            .order_by(Document.id.desc()).limit(1))
    current = db.session.scalar(stmt)
    if current is not None and json.loads(current.context_json)["c"] == content:
        return current
    return None


def template_exists(kind: DocumentKind) -> bool:

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
        from sqlalchemy.dialects.postgresql import insert  # the dialect's own upsert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - other databases are not supported
        raise RuntimeError(f"unsupported database {dialect}")
    values = {"issuer": issuer_key, "kind": kind, "year": year, "last": 0}
    db.session.execute(insert(DocumentCounter.__table__).values(**values).on_conflict_do_nothing())


def format_number(kind: DocumentKind, authority: Authority | None, year: int, seq: int) -> str:
    if kind == DocumentKind.hazard_archive and authority is None:
        return ENTERPRISE_ARCHIVE_FORMAT.format(year=year, seq=seq)
    # The format brackets the abbreviation itself: an abbreviation entered as "（丰）" or "(丰)" would
    # print "（（丰））" (issue 17 item 7), so brackets around it are dropped here, the one place.
    abbr = (authority.abbreviation if authority is not None else "").strip().strip("（）()〔〕[]【】 ")
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
    return builders.fill(kind, data, actor=actor, enterprise=enterprise, hazards=hazards)


def _render(kind: DocumentKind, stored: dict) -> bytes:
    template, _version = ctxmod.TEMPLATES[kind.value]
    header = ctxmod.parse_header(stored["doc"])
    body = ctxmod.parse(kind.value, stored["c"])
    if kind == DocumentKind.hazard_archive:
        for photo in body.photos_before + body.photos_after:
            if photo.sha256 and not photo.src:
                photo.src = photo_data_uri(photo.sha256)
    elif kind == DocumentKind.inspection_record:
        for photo in (ph for problem in body.problems for ph in problem.photos):
            if photo.sha256 and not photo.src:
                photo.src = photo_data_uri(photo.sha256, THUMB_PX)
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


# --- after issuing -------------------------------------------------------------------------------

def void(actor: User, document: Document | int | None, reason: str | None) -> Document:
    """Void a valid document with a reason. The number stays used; the PDF stays stored.
    A document the actor may not see answers NotFound; one he may see but not void, Forbidden."""
    if isinstance(document, Document):
        if not access.is_visible(document, actor):
            raise NotFound()
    else:
        document = access.get_visible(Document, document, actor)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(fields={"reason": _("Give the reason for voiding.")})
    access.require(actor, "document.void", document)
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
    with force_locale(DOCUMENT_LOCALE):
        return _render(document.kind, json.loads(document.context_json))


@dataclass(frozen=True)
class Fingerprint:
    """What the public page shows so a holder can tell an altered copy: the number of pages and the
    first 16 hex digits of the stored PDF's SHA-256 in groups of four. Nothing about the content."""

    page_count: int | None  # None: the stored PDF cannot be read (missing or altered); the page says so
    digest: str


def fingerprint(document: Document) -> Fingerprint:
    """Counted from the stored bytes on each request, no column and no cache: reading, checking and
    parsing a stored PDF takes a median 1 ms for one page and 7 ms for twelve
    (bench/bench_verify_fingerprint.py), small beside the page's 60-per-minute rate limit."""
    from pypdf import PdfReader  # lazy: only for PDFs

    digest = " ".join(document.pdf_sha256[i:i + 4] for i in range(0, 16, 4)).upper()
    try:
        data = storage.load(document.pdf_sha256)
    except storage.FileUnavailable:
        return Fingerprint(None, digest)
    return Fingerprint(int(PdfReader(io.BytesIO(data)).trailer["/Root"]["/Pages"]["/Count"]), digest)


@dataclass
class Standing:
    """What the public verification page says beyond the status: the document that replaced this one,
    or the delisting notice that lifted a supervision. Numbers and dates only, never names."""

    replaced_by: Document | None = None
    lifted_by: Document | None = None


def current_standing(document: Document) -> Standing:
    standing = Standing()
    if document.superseded_by_id is not None:
        standing.replaced_by = db.session.get(Document, document.superseded_by_id)
    if document.kind == DocumentKind.supervision_notice and document.listing_id is not None:
        standing.lifted_by = db.session.scalar(
            select(Document).where(Document.kind == DocumentKind.delisting_notice,
                                   Document.listing_id == document.listing_id,
                                   Document.status == DocumentStatus.valid)
            .order_by(Document.id.desc()).limit(1))
    return standing


def find_by_token(token: str) -> Document | None:
    if not token or len(token) > 43 or not all(c.isalnum() or c in "-_" for c in token):
        return None
    return db.session.scalar(select(Document).where(Document.token == token))
