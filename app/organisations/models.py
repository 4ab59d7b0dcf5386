"""Regions, authorities, industries, enterprises and their departments."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.extensions import db


def enum_column(enum_cls: type[enum.Enum], **kw):
    """Enums are stored as their value strings (portable, readable in SQL)."""
    return mapped_column(
        Enum(enum_cls, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e]), **kw
    )


class RegionLevel(enum.StrEnum):
    province = "province"
    city = "city"
    county = "county"
    town = "town"


class StandardisationLevel(enum.StrEnum):
    level_1 = "level_1"
    level_2 = "level_2"
    level_3 = "level_3"
    none = "none"


class EnterpriseScale(enum.StrEnum):
    large = "large"
    medium = "medium"
    small = "small"
    micro = "micro"


class DepartmentLevel(enum.StrEnum):
    """The levels used for graded risk control, outermost first (company is the enterprise itself)."""

    department = "department"
    workshop = "workshop"
    team = "team"
    post = "post"


class Region(db.Model):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # administrative division code
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[RegionLevel] = enum_column(RegionLevel)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"), index=True)
    # Materialised path of ids ("/1/4/9/"): a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(255), index=True, default="")

    parent: Mapped[Region | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Region]] = relationship(back_populates="parent", order_by="Region.code")

    def __repr__(self) -> str:
        return f"<Region {self.code} {self.name}>"


class Authority(db.Model):
    """A supervising authority (e.g. 某市应急管理局) over a region and everything below it."""

    __tablename__ = "authorities"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    level: Mapped[RegionLevel] = enum_column(RegionLevel)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    # The abbreviation inside document numbers: （X）应急责改〔2026〕N号
    abbreviation: Mapped[str] = mapped_column(String(16))
    # Named in the rights notice of its documents (行政复议 / 行政诉讼).
    review_body: Mapped[str] = mapped_column(String(128))
    court: Mapped[str] = mapped_column(String(128))
    address: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")

    region: Mapped[Region] = relationship()


class Industry(db.Model):
    __tablename__ = "industries"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))


class Enterprise(db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)  # 统一社会信用代码, GB 32100
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"), index=True)
    industry_id: Mapped[int] = mapped_column(ForeignKey("industries.id"), index=True)
    address: Mapped[str] = mapped_column(String(255), default="")
    legal_representative: Mapped[str] = mapped_column(String(64), default="")
    principal_name: Mapped[str] = mapped_column(String(64), default="")
    principal_phone: Mapped[str] = mapped_column(String(32), default="")
    safety_manager_name: Mapped[str] = mapped_column(String(64), default="")
    safety_manager_phone: Mapped[str] = mapped_column(String(32), default="")
    standardisation_level: Mapped[StandardisationLevel] = enum_column(
        StandardisationLevel, default=StandardisationLevel.none
    )
    scale: Mapped[EnterpriseScale] = enum_column(EnterpriseScale, default=EnterpriseScale.small)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    region: Mapped[Region] = relationship()
    industry: Mapped[Industry] = relationship()
    departments: Mapped[list[Department]] = relationship(
        back_populates="enterprise", order_by="Department.path"
    )


class Department(db.Model):
    """A unit inside an enterprise: department > workshop > team > post."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("enterprise_id", "parent_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    level: Mapped[DepartmentLevel] = enum_column(DepartmentLevel)
    path: Mapped[str] = mapped_column(String(255), default="", index=True)
    # A retired unit stays (risk points, hazards and people's histories name it) but is offered no more.
    retired_at: Mapped[datetime | None] = mapped_column()

    enterprise: Mapped[Enterprise] = relationship(back_populates="departments")
    parent: Mapped[Department | None] = relationship(remote_side=[id])

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2 if self.path else 0


class EnterpriseTransfer(db.Model):
    """An enterprise moved from one region to another: who, when, from, to and why.

    The move changes which authorities supervise the enterprise from now on; what an authority
    found, issued or listed before stays with it (the records name their authority), so the
    history of both is kept and this row says why the enterprise changed hands.
    """

    __tablename__ = "enterprise_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    from_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    to_region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    reason: Mapped[str] = mapped_column(String(500))
    transferred_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    transferred_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()
    from_region: Mapped[Region] = relationship(foreign_keys=[from_region_id])
    to_region: Mapped[Region] = relationship(foreign_keys=[to_region_id])
    transferred_by = relationship("User")
