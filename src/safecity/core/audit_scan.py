"""Stream stored audit entries with their leaf hashes recomputed from the stored fields.

Verification reads every row, so it goes below the ORM: keyset-paged driver
queries (bounded memory on PostgreSQL too, whose client cursors buffer a
whole result) and stored values turned into leaf input directly. This is
about twice as fast as selecting through SQLAlchemy's typed rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from safecity.core.audit_models import details_json, iso_utc, leaf_payload
from safecity.core.merkle import hash_leaf

__all__ = ["ScannedLeaf", "scan_leaves"]

_COLUMNS = (
    "leaf_index, at, actor_id, actor, role, action, object_type, object_id, "
    "personal_data, purpose, request_id, details, leaf_hash"
)
_FIRST = -(2**62)


class ScannedLeaf(NamedTuple):
    leaf_index: int
    at: str
    recomputed: bytes
    stored: str


def _iso(value: Any) -> str:
    """ISO-8601 UTC text of a stored time: SQLite gives SQLAlchemy's text form, PostgreSQL a datetime."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return f"{value[:10]}T{value[11:]}+00:00"
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return iso_utc(value)


def _details(value: Any) -> str:
    if isinstance(value, str | bytes):
        value = json.loads(value)
    return details_json(value)


def scan_leaves(
    session: Session, *, start: int | None = None, end: int | None = None, chunk: int = 20_000
) -> Iterator[ScannedLeaf]:
    """Entries with ``start <= index < end`` in index order (all of them by default)."""
    session.flush()
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    upper = f" AND leaf_index < {marker}" if end is not None else ""
    where = f"leaf_index >= {marker}{upper}"
    sql = f"SELECT {_COLUMNS} FROM audit_log WHERE {where} ORDER BY leaf_index LIMIT {int(chunk)}"
    lower = _FIRST if start is None else start
    while True:
        params = (lower, end) if end is not None else (lower,)
        rows = connection.exec_driver_sql(sql, params).fetchall()
        for row in rows:
            index, at = row[0], _iso(row[1])
            fields = (*row[2:8], bool(row[8]), row[9], row[10], _details(row[11]))
            yield ScannedLeaf(index, at, hash_leaf(leaf_payload(index, at, fields)), row[12])
        if len(rows) < chunk:
            return
        lower = rows[-1][0] + 1
