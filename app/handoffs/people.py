"""Who is next in line: the people a hand-off or a reminder goes to (active users only), each one query."""

from __future__ import annotations

from sqlalchemy import select

from app.auth.models import Role, User
from app.extensions import db
from app.hazards import policy as hazard_policy
from app.organisations.models import Authority, Enterprise
from app.organisations.staff import of_enterprises

GOVERNMENT = (Role.inspector, Role.supervisor)


def of_enterprise(enterprise_id: int, *roles: Role) -> list[int]:
    return of_enterprises([enterprise_id], roles).get(enterprise_id, [])


def of_authority(authority_id: int | None, *roles: Role) -> list[int]:
    if authority_id is None:
        return []
    return list(db.session.scalars(select(User.id).where(
        User.authority_id == authority_id, User.role.in_(list(roles)), User.active.is_(True)).order_by(User.id)))


def local_authority_id(enterprise_id: int) -> int | None:
    """The nearest authority over the enterprise's region (the county's, else the city's...)."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        return None
    ids = [int(i) for i in (enterprise.region.path or "").strip("/").split("/") if i] or [enterprise.region_id]
    rank = {region_id: i for i, region_id in enumerate(reversed(ids))}
    authorities = db.session.execute(select(Authority.id, Authority.region_id).where(
        Authority.region_id.in_(ids))).all()
    if not authorities:
        return None
    return min(authorities, key=lambda a: (rank[a.region_id], a.id)).id


def supervising_authority_id(hazard) -> int | None:
    """The authority that supervises the hazard: the listing one, else the one that found it, else the
    nearest over the enterprise."""
    return hazard_policy.responsible_authority_id(hazard) or local_authority_id(hazard.enterprise_id)


def reviewers(hazard) -> list[int]:
    """Who reviews the hazard's rectification (and decides its extension requests): the enterprise's
    managers for 自查自改, else the inspectors of the responsible (or nearest) authority."""
    if hazard_policy.reviewer_is_government(hazard):
        return of_authority(supervising_authority_id(hazard), Role.inspector)
    return of_enterprise(hazard.enterprise_id, Role.enterprise_manager)
