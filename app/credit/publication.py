"""公示: what an authority's public page shows (no login), following the region's configuration.

Three listings: items listed for supervision (挂牌督办) and delisted (摘牌) — the one query of
``app.supervision.delisting.publication_query`` over every listing of the authority — and the
serious-dishonesty list (entries in force: publication stops on removal or expiry). Natural persons are
masked (``workflows.masking``); phones are never shown. Delistings stay for ``delisting_days`` when the
region configures it (else they stay for the period asked, this year by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select

from app import clock
from app.credit import rules as credit_rules
from app.credit.models import DishonestyEntry, ListingState, Subject
from app.extensions import db
from app.organisations.models import Authority
from app.supervision.delisting import publication_query
from app.supervision.models import Listing
from app.supervision.models import ListingState as SupervisionState
from workflows.credit import RESTRICTION_DOMAINS
from workflows.masking import mask_name

MAX_ROWS = 5000  # a public page is bounded; the export carries the same rows


@dataclass
class Published:
    authority: Authority
    rules_label: str
    first: date
    last: date
    supervision: list[dict] | None = field(default=None)  # None: not published in this region
    delistings: list[dict] | None = field(default=None)
    dishonesty: list[dict] | None = field(default=None)
    delisting_days: int | None = None


def _listing_row(listing: Listing) -> dict:
    return {"enterprise": listing.enterprise.name, "hazard_code": listing.hazard.code,
            "hazard": listing.hazard.title, "listed_on": clock.to_local(listing.decided_at).date()
            if listing.decided_at else None,
            "deadline": listing.deadline, "responsible_person": mask_name(listing.responsible_person),
            "delisted_on": clock.to_local(listing.delisted_at).date() if listing.delisted_at else None}


def _entry_row(entry: DishonestyEntry) -> dict:
    name = entry.enterprise.name if entry.subject == Subject.enterprise else \
        f"{entry.enterprise.name}（主要负责人 {mask_name(entry.person_name)}）"
    return {"subject": name, "credit_code": entry.enterprise.credit_code, "condition": entry.condition_text,
            "decision_no": entry.decision_no, "listed_on": entry.listed_on, "expires_on": entry.expires_on,
            "domains": "、".join(RESTRICTION_DOMAINS.get(d, d) for d in entry.restriction_domains)}


def published(authority: Authority, first: date | None = None, last: date | None = None) -> Published:
    today = clock.today()
    last = min(last or today, today)
    first = first or last.replace(month=1, day=1)
    lr = credit_rules.dishonesty_for(authority.region.code, today)
    conf = lr.publication
    out = Published(authority, lr.label, first, last, delisting_days=conf.delisting_days)
    if conf.supervision or conf.delistings:
        listings = db.session.scalars(publication_query(select(Listing), authority_id=authority.id, first=first,
                                                        last=last).limit(MAX_ROWS)).all()
        if conf.supervision:
            out.supervision = [_listing_row(x) for x in listings if x.state == SupervisionState.listed]
        if conf.delistings:
            since = today - timedelta(days=conf.delisting_days) if conf.delisting_days else None
            out.delistings = [_listing_row(x) for x in listings if x.state == SupervisionState.delisted
                              and (since is None or clock.to_local(x.delisted_at).date() >= since)]
    if conf.dishonesty:
        entries = db.session.scalars(select(DishonestyEntry).where(
            DishonestyEntry.authority_id == authority.id, DishonestyEntry.state == ListingState.listed)
            .order_by(DishonestyEntry.listed_on.desc(), DishonestyEntry.id.desc()).limit(MAX_ROWS))
        out.dishonesty = [_entry_row(e) for e in entries]
    return out


EXPORT_HEADERS = ("类别", "单位（主体）", "统一社会信用代码", "隐患编号", "事项", "列入/挂牌日期", "期限", "摘牌/移出日期",
                  "责任人", "决定书文号", "惩戒领域")


def export_rows(p: Published):
    for row in p.supervision or []:
        yield ("挂牌督办", row["enterprise"], "", row["hazard_code"], row["hazard"], row["listed_on"], row["deadline"],
               None, row["responsible_person"], "", "")
    for row in p.delistings or []:
        yield ("摘牌", row["enterprise"], "", row["hazard_code"], row["hazard"], row["listed_on"], row["deadline"],
               row["delisted_on"], row["responsible_person"], "", "")
    for row in p.dishonesty or []:
        yield ("严重失信主体名单", row["subject"], row["credit_code"], "", row["condition"], row["listed_on"],
               row["expires_on"], None, "", row["decision_no"], row["domains"])
