"""The documents list: the one query behind the web list and ``GET /api/v1/documents``."""

from __future__ import annotations

from sqlalchemy import Select

from app import access
from app.documents.models import Document, DocumentKind, DocumentStatus


def documents_query(user, *, kind: DocumentKind | str | None = None, status: DocumentStatus | str | None = None,
                    q: str | None = None) -> Select:
    """The documents ``user`` may see, newest first; ``q``: part of the number."""
    stmt = access.visible(Document, user)
    if kind:
        stmt = stmt.where(Document.kind == DocumentKind(kind))
    if status:
        stmt = stmt.where(Document.status == DocumentStatus(status))
    if q and q.strip():
        stmt = stmt.where(Document.number.contains(q.strip(), autoescape=True))
    return stmt.order_by(Document.issued_at.desc(), Document.id.desc())
