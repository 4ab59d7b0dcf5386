"""Rule-set versions kept in the database: grading thresholds and listing rules, editable in the UI.

A version is a draft until it is activated with the date it applies from (``effective_from``); from
that date the results made for the region (an assessment, a listing proposal) use it and store its
label (``key@version``). A result keeps the label it was made under, so an older version is never
deleted or changed once active. ``region_id`` None: the whole country.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db
from app.organisations.models import Region, enum_column
from workflows.labels import N_, labelled


class RuleFamily(enum.StrEnum):
    grading = "grading"  # workflows/grading.py: thresholds per method, control levels
    listing = "listing"  # workflows/listing.py: the listing rules
    # Families another feature parses (``service.FAMILIES``, filled in its init_app); edited through the API.
    credit = "credit"  # workflows/credit.py: which credit facts count, with which weight (app.credit)
    dishonesty = "dishonesty"  # workflows/credit.py: the dishonesty list's conditions and periods (app.credit)


labelled(RuleFamily, {RuleFamily.grading: N_("Grading"), RuleFamily.listing: N_("Listing"),
                      RuleFamily.credit: N_("Credit records"), RuleFamily.dishonesty: N_("Serious-dishonesty list")})


class RuleSetVersion(db.Model):
    __tablename__ = "rule_set_versions"
    __table_args__ = (UniqueConstraint("family", "key", "version", name="uq_rule_set_versions_label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[RuleFamily] = enum_column(RuleFamily, index=True)
    key: Mapped[str] = mapped_column(String(32))
    version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(128))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    effective_from: Mapped[date | None] = mapped_column(Date)  # None on a draft and on the seeded first version
    active: Mapped[bool] = mapped_column(default=False)
    # What the preview found before activation: {"regraded": n, "proposals": n, ...}
    preview: Mapped[dict | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    activated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    activated_at: Mapped[datetime | None]

    region: Mapped[Region | None] = relationship()

    @property
    def label(self) -> str:
        return f"{self.key}@{self.version}"
