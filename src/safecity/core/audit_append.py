"""Appending to the audit log: validation, the log-wide lock, leaf hashing, inserts.

Appends take a log-wide lock for the rest of the transaction (PostgreSQL
advisory lock, SQLite write lock) so indices stay contiguous across workers.
Entry times are forced strictly increasing, so time order equals index order
and a moved row shows. Batched appends bypass the ORM and SQLAlchemy's
per-row parameter processing: plain tuples, already in stored form, go to
the driver's executemany.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any, Protocol

from sqlalchemy import Dialect, select, text
from sqlalchemy.orm import Session

from safecity.core.audit_models import LEAF_COLUMNS, AuditEntry, details_json, iso_utc, leaf_payload
from safecity.core.db import utcnow
from safecity.core.errors import InvalidInput
from safecity.core.merkle import hash_leaf
from safecity.core.request_context import current_request_id

__all__ = ["SYSTEM", "Actor", "AuditActor", "AuditEvent", "record", "record_many"]

_PG_LOCK_KEY = 0x5AFEC17A0D17
_BATCH = 5_000
_TICK = timedelta(microseconds=1)
_LIMITS = {
    "actor": 150,
    "role": 32,
    "action": 100,
    "object_type": 64,
    "object_id": 128,
    "purpose": 500,
    "request_id": 64,
}


class AuditActor(Protocol):
    """Anything with these attributes can act: a user row, a machine account, `Actor`."""

    @property
    def id(self) -> int | None: ...
    @property
    def username(self) -> str: ...
    @property
    def role(self) -> str | Enum: ...


@dataclass(frozen=True, slots=True)
class Actor:
    """A plain actor, so core never imports the user model."""

    id: int | None
    username: str
    role: str


SYSTEM = Actor(id=None, username="system", role="system")


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One entry to append with `record_many`; same meaning as `record`'s arguments."""

    actor: AuditActor
    action: str
    object_type: str
    object_id: str | int | None = None
    purpose: str | None = None
    personal_data: bool = False
    request_id: str | None = None
    details: Mapping[str, Any] | None = None


def _text(name: str, value: object, *, required: bool) -> str | None:
    if type(value) is not str:
        value = "" if value is None else str(value.value if isinstance(value, Enum) else value)
    if not value or value.isspace():
        if required:
            raise InvalidInput(f"{name} is required", field=name)
        return None
    if len(value) > _LIMITS[name]:
        raise InvalidInput(f"{name} is longer than {_LIMITS[name]} characters", field=name)
    return value


def _details(value: Mapping[str, Any] | None) -> str:
    if value is not None and not isinstance(value, Mapping):
        raise InvalidInput("details must be a JSON object", field="details")
    try:
        return details_json(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"details are not JSON-serialisable: {exc}", field="details") from exc


def _fields(event: AuditEvent) -> tuple[Any, ...]:
    """Validated values of the columns after ``at`` (see `LEAF_COLUMNS`), details as canonical text."""
    actor = event.actor
    if event.personal_data and not (event.purpose and event.purpose.strip()):
        raise InvalidInput("a purpose is required to access personal data", field="purpose")
    return (
        actor.id,
        _text("actor", actor.username, required=True),
        _text("role", actor.role, required=True),
        _text("action", event.action, required=True),
        _text("object_type", event.object_type, required=True),
        _text("object_id", event.object_id, required=False),
        bool(event.personal_data),
        _text("purpose", event.purpose, required=False),
        _text("request_id", event.request_id, required=False),
        _details(event.details),
    )


def _lock_tail(session: Session) -> tuple[int, datetime | None]:
    """Serialise appenders until commit, then read the next index and the last time."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's database write lock even when it matches no row.
        session.execute(text("UPDATE audit_log SET leaf_index = leaf_index WHERE 0 = 1"))
    row = session.execute(
        select(AuditEntry.index, AuditEntry.at).order_by(AuditEntry.index.desc()).limit(1)
    ).first()
    if row is None:
        return 0, None
    return int(row[0]) + 1, row[1]


def _next_time(last: datetime | None) -> datetime:
    now = utcnow()
    return now if last is None or now > last else last + _TICK


def _leaf_hash(index: int, at: datetime, fields: tuple[Any, ...]) -> str:
    return hash_leaf(leaf_payload(index, iso_utc(at), fields)).hex()


def record(
    session: Session,
    *,
    actor: AuditActor,
    action: str,
    object_type: str,
    object_id: str | int | None = None,
    purpose: str | None = None,
    personal_data: bool = False,
    request_id: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry. ``personal_data=True`` (a read or write of someone's data) needs a purpose."""
    values = _fields(
        AuditEvent(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=object_id,
            purpose=purpose,
            personal_data=personal_data,
            request_id=request_id if request_id is not None else current_request_id(),
            details=details,
        )
    )
    index, last = _lock_tail(session)
    at = _next_time(last)
    entry = AuditEntry(index=index, at=at, leaf_hash=_leaf_hash(index, at, values))
    for column, value in zip(LEAF_COLUMNS[2:], values, strict=True):
        setattr(entry, column.key, value)
    entry.details = json.loads(values[-1])  # the value the database will give back
    session.add(entry)
    session.flush()
    return entry


_INSERT_COLUMNS = (
    "leaf_index",
    "at",
    "actor_id",
    "actor",
    "role",
    "action",
    "object_type",
    "object_id",
    "personal_data",
    "purpose",
    "request_id",
    "details",
    "leaf_hash",
)


def _insert_sql(dialect: Dialect) -> str:
    """Driver-level INSERT: one executemany of plain tuples, no per-row SQLAlchemy processing."""
    marker = "?" if dialect.paramstyle == "qmark" else "%s"
    markers = [marker] * len(_INSERT_COLUMNS)
    if dialect.name == "postgresql":
        markers[_INSERT_COLUMNS.index("details")] = f"CAST({marker} AS JSON)"
    return f"INSERT INTO audit_log ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join(markers)})"


def _stored_time(iso: str, at: datetime, dialect: str) -> Any:
    """SQLAlchemy's SQLite text form of a UTC time (from its `iso_utc` text), or the time itself elsewhere."""
    return f"{iso[:10]} {iso[11:26]}" if dialect == "sqlite" else at


def record_many(session: Session, entries: Iterable[AuditEvent]) -> range:
    """Append many entries with batched INSERTs; returns the indices they got.

    Entries are validated a batch at a time; an invalid one raises `InvalidInput`
    naming its position, and the caller's rollback discards the whole call.
    """
    dialect = session.get_bind().dialect
    sql = _insert_sql(dialect)
    index, last = _lock_tail(session)
    first = index
    batch: list[tuple[Any, ...]] = []
    for position, event in enumerate(entries):
        try:
            fields = _fields(event)
        except InvalidInput as exc:
            raise InvalidInput(f"entry {position}: {exc.detail}", field=exc.field or "entries") from exc
        last = _next_time(last)
        iso = iso_utc(last)
        leaf_hash = hash_leaf(leaf_payload(index, iso, fields)).hex()
        batch.append((index, _stored_time(iso, last, dialect.name), *fields, leaf_hash))
        index += 1
        if len(batch) >= _BATCH:
            session.connection().exec_driver_sql(sql, batch)
            batch = []
    if batch:
        session.connection().exec_driver_sql(sql, batch)
    return range(first, index)
