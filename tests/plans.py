"""PostgreSQL's plans of the statements a piece of code really runs (tests of issue 18's plans)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from app.extensions import db


@contextmanager
def statements(mentioning: str = "") -> Iterator[list[tuple[str, object]]]:
    """The (statement, parameters) run on the session's connection inside the block, those whose
    text contains ``mentioning``."""
    connection = db.session.connection()
    captured: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        if mentioning in statement:
            captured.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        yield captured
    finally:
        event.remove(connection, "before_cursor_execute", capture)


def explain(captured: list[tuple[str, object]]) -> list[str]:
    """Each statement's plan (EXPLAIN, not run), as text."""
    connection = db.session.connection()
    return ["\n".join(connection.exec_driver_sql("EXPLAIN " + s, p).scalars()) for s, p in captured]
