"""Tables of the audit log, and the canonical bytes each entry's leaf hash covers.

`AuditEntry.index` is the primary key and the Merkle leaf number, so the log
is contiguous 0..n-1 by construction and a deleted row shows up as a gap.
`AuditCheckpoint` rows are the signed tree heads the log is checked against.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from safecity.core.db import Base
from safecity.core.merkle import hash_leaf

__all__ = [
    "LEAF_COLUMNS",
    "LEAF_FORMAT_VERSION",
    "AuditCheckpoint",
    "AuditEntry",
    "canonical_json",
    "details_json",
    "entry_leaf_hash",
    "iso_utc",
    "leaf_payload",
]

LEAF_FORMAT_VERSION = 1


class AuditEntry(Base):
    """One audited action; never updated or deleted once written."""

    __tablename__ = "audit_log"
    # Who touched this record? (subject access, disclosure reports); by actor; by time.
    __table_args__ = (Index("ix_audit_log_object", "object_type", "object_id"),)

    index: Mapped[int] = mapped_column("leaf_index", BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(Integer, index=True)
    actor: Mapped[str] = mapped_column(String(150))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(128))
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    purpose: Mapped[str | None] = mapped_column(String(500))
    request_id: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    leaf_hash: Mapped[str] = mapped_column(String(64))

    def __repr__(self) -> str:
        return f"<AuditEntry #{self.index} {self.action} {self.object_type}:{self.object_id} by {self.actor}>"


class AuditCheckpoint(Base):
    """A signed tree head that was issued for the log at some size."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(BigInteger, index=True)
    root_hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    signature: Mapped[str] = mapped_column(String(128))
    key_id: Mapped[str] = mapped_column(String(16))


_canonical = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
_compact = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text, no NaN: one spelling for one value."""
    return _canonical.encode(value)


def details_json(details: Mapping[str, Any] | None) -> str:
    """Canonical text of ``details``; it survives a trip through the database unchanged."""
    return "null" if details is None else canonical_json(details)


def iso_utc(moment: datetime) -> str:
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="microseconds")


def leaf_payload(index: int, at: str, fields: Sequence[Any]) -> bytes:
    """The bytes a leaf hash covers: a JSON array in `LEAF_COLUMNS` order.

    ``at`` is `iso_utc` text; ``fields`` are the columns after it, with
    ``details`` as its canonical text (`details_json`). The index is inside, so moving a row to another
    slot breaks its hash.
    """
    text = _compact.encode([LEAF_FORMAT_VERSION, index, at, *fields[:-1]])
    return f"{text[:-1]},{fields[-1]}]".encode()


LEAF_COLUMNS = (
    AuditEntry.index,
    AuditEntry.at,
    AuditEntry.actor_id,
    AuditEntry.actor,
    AuditEntry.role,
    AuditEntry.action,
    AuditEntry.object_type,
    AuditEntry.object_id,
    AuditEntry.personal_data,
    AuditEntry.purpose,
    AuditEntry.request_id,
    AuditEntry.details,
)


def entry_leaf_hash(entry: AuditEntry) -> str:
    """Recompute an entry's leaf hash (hex) from its stored fields."""
    fields = [getattr(entry, column.key) for column in LEAF_COLUMNS[2:]]
    fields[-1] = details_json(fields[-1])
    return hash_leaf(leaf_payload(entry.index, iso_utc(entry.at), fields)).hex()
