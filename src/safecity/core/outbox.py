"""Transactional outbox and dead-letter table.

`publish` writes the event into the same transaction as the change that caused
it, so an event exists if and only if its cause was committed; the relay
(`safecity.core.relay`) later hands committed rows to the bus. Whatever cannot
be delivered or parsed ends in `DeadLetter`, where an operator can list it and
replay it — nothing is dropped silently.
"""

from __future__ import annotations

import base64
import json
import math
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, String, Text, delete, func, insert, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from safecity.core.bus import Event, validate_event_type
from safecity.core.db import Base, new_uuid7, utcnow
from safecity.core.errors import Conflict, InvalidInput, NotFound

__all__ = [
    "DeadLetter",
    "EventSpec",
    "OutboxEvent",
    "OutboxStats",
    "dead_letter",
    "list_dead_letters",
    "outbox_stats",
    "pending_events",
    "publish",
    "publish_many",
    "purge_delivered",
    "replay_dead_letter",
]

# Plain JSON on PostgreSQL too: payloads are carried, never queried, and keep their key order.
_JSON = JSON()
_MAX_KEY = 200


class OutboxEvent(Base):
    """An event waiting for (or done with) delivery; ``id`` orders delivery, ``event_id`` names it."""

    __tablename__ = "event_outbox"
    __table_args__ = (
        Index(
            "ix_event_outbox_pending",
            "next_attempt_at",
            sqlite_where=text("delivered_at IS NULL"),
            postgresql_where=text("delivered_at IS NULL"),
        ),
        Index(
            "ix_event_outbox_pending_key",
            "key",
            "id",
            sqlite_where=text("delivered_at IS NULL AND key IS NOT NULL"),
            postgresql_where=text("delivered_at IS NULL AND key IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=new_uuid7)
    type: Mapped[str] = mapped_column(String(200))
    key: Mapped[str | None] = mapped_column(String(_MAX_KEY))
    payload: Mapped[dict[str, Any]] = mapped_column(_JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    replays: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)

    def to_event(self) -> Event:
        return Event(
            id=self.event_id,
            type=self.type,
            payload=dict(self.payload),
            created_at=self.created_at,
            key=self.key,
            replays=self.replays,
        )


class DeadLetter(Base):
    """An event that exhausted its attempts, or inbound data that could not be parsed.

    ``raw`` keeps unparseable input verbatim (base64 when it was not UTF-8,
    see ``raw_encoding``) so that it can be inspected, corrected and replayed.
    """

    __tablename__ = "event_dead_letter"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid7)
    source: Mapped[str] = mapped_column(String(200), index=True)
    event_id: Mapped[uuid.UUID | None]
    event_type: Mapped[str | None] = mapped_column(String(200))
    key: Mapped[str | None] = mapped_column(String(_MAX_KEY))
    payload: Mapped[dict[str, Any] | None] = mapped_column(_JSON)
    raw: Mapped[str | None] = mapped_column(Text)
    raw_encoding: Mapped[str | None] = mapped_column(String(10))
    error: Mapped[str] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    replays: Mapped[int] = mapped_column(default=0)
    failed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    replayed_at: Mapped[datetime | None]


def _jsonable(value: Any) -> Any:
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value, key=str)
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return dump(mode="json")
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def _flat_json(payload: Mapping[str, Any]) -> bool:
    """Only string keys and plain JSON scalars (finite floats): already what would be stored."""
    for k, v in payload.items():
        if type(k) is not str:
            return False
        t = type(v)
        if t is float:
            if not math.isfinite(v):
                return False
        elif not (v is None or t is str or t is int or t is bool):
            return False
    return True


def _json_object(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The payload as stored and sent: UUIDs, times, decimals and enums become JSON scalars."""
    if not isinstance(payload, Mapping):
        raise InvalidInput("payload must be a JSON object (a mapping)", field="payload")
    if _flat_json(payload):
        return dict(payload)  # the common case, e.g. an AVL fix: no round trip through a JSON string
    try:
        result: dict[str, Any] = json.loads(json.dumps(payload, default=_jsonable, allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"payload is not JSON-serialisable: {exc}", field="payload") from exc
    return result


def _check_key(key: str | None) -> str | None:
    if key is not None and (not isinstance(key, str) or not key or len(key) > _MAX_KEY):
        raise InvalidInput(f"key must be a non-empty string of at most {_MAX_KEY} characters", field="key")
    return key


def publish(
    session: Session, event_type: str, payload: Mapping[str, Any], *, key: str | None = None
) -> OutboxEvent:
    """Record an event in the caller's transaction (flushed, never committed).

    Events with the same ``key`` (e.g. an incident's id) are delivered in
    publish order; a failing one holds back the later ones until it is
    delivered or dead-lettered.
    """
    validate_event_type(event_type)
    now = utcnow()
    row = OutboxEvent(
        event_id=new_uuid7(),
        type=event_type,
        key=_check_key(key),
        payload=_json_object(payload),
        created_at=now,
        attempts=0,
        replays=0,
        next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    return row


EventSpec = tuple[str, Mapping[str, Any], str | None]
"""``(type, payload, key)`` for `publish_many`."""


def publish_many(session: Session, items: Iterable[EventSpec]) -> list[uuid.UUID]:
    """Record many events in the caller's transaction with one bulk INSERT; returns their ids.

    Same guarantees as `publish` (same transaction, per-key order = list
    order) at a fraction of the cost per event: a fleet's AVL batch turns into
    one statement instead of one flushed ORM object per unit.
    """
    now = utcnow()
    rows: list[dict[str, Any]] = [
        {
            "event_id": new_uuid7(),
            "type": validate_event_type(event_type),
            "key": _check_key(key),
            "payload": _json_object(payload),
            "created_at": now,
            "attempts": 0,
            "replays": 0,
            "next_attempt_at": now,
        }
        for event_type, payload, key in items
    ]
    if rows:
        session.flush()  # ORM-pending events of this transaction keep their place in the order
        session.execute(insert(OutboxEvent.__table__), rows)  # type: ignore[arg-type]
    return [row["event_id"] for row in rows]


def _raw_text(raw: str | bytes | Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, bytes):
        try:
            return raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            return base64.b64encode(raw).decode("ascii"), "base64"
    if isinstance(raw, Mapping):
        return json.dumps(raw, default=str, ensure_ascii=False), "utf-8"
    return str(raw), "utf-8"


def dead_letter(
    session: Session,
    source: str,
    raw: str | bytes | Mapping[str, Any] | None,
    error: str | BaseException,
    *,
    event: Event | None = None,
    attempts: int = 0,
) -> DeadLetter:
    """Keep what could not be processed, e.g. ``dead_letter(s, "mqtt:cameras/7/anpr", payload, exc)``."""
    if not source:
        raise InvalidInput("source must name where the data came from", field="source")
    message = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    raw_text, encoding = _raw_text(raw)
    letter = DeadLetter(
        source=source[:200],
        event_id=event.id if event else None,
        event_type=event.type if event else None,
        key=event.key if event else None,
        payload=dict(event.payload) if event else None,
        raw=raw_text,
        raw_encoding=encoding,
        error=message,
        attempts=attempts,
        replays=event.replays if event else 0,
        failed_at=utcnow(),
    )
    session.add(letter)
    session.flush()
    return letter


def list_dead_letters(
    session: Session, *, source: str | None = None, include_replayed: bool = False, limit: int = 100
) -> list[DeadLetter]:
    """Newest first; replayed letters are history and hidden unless asked for."""
    stmt = select(DeadLetter).order_by(DeadLetter.failed_at.desc(), DeadLetter.id.desc()).limit(limit)
    if source is not None:
        stmt = stmt.where(DeadLetter.source == source)
    if not include_replayed:
        stmt = stmt.where(DeadLetter.replayed_at.is_(None))
    return list(session.scalars(stmt))


def _letter(session: Session, letter_id: uuid.UUID | str) -> DeadLetter:
    try:
        key = letter_id if isinstance(letter_id, uuid.UUID) else uuid.UUID(str(letter_id))
    except ValueError as exc:
        raise InvalidInput(f"{letter_id!r} is not a dead-letter id", field="id") from exc
    letter = session.get(DeadLetter, key, with_for_update=True)
    if letter is None:
        raise NotFound(f"dead letter {letter_id} does not exist")
    return letter


def replay_dead_letter(
    session: Session,
    letter_id: uuid.UUID | str,
    *,
    event_type: str | None = None,
    payload: Mapping[str, Any] | None = None,
) -> OutboxEvent:
    """Put a dead letter back in the outbox, optionally corrected by the operator.

    The event keeps its id so subscribers that already handled it skip it;
    raw inbound data has no event until ``event_type`` and ``payload`` are given.
    """
    letter = _letter(session, letter_id)
    if letter.replayed_at is not None:
        raise Conflict(f"dead letter {letter.id} was already replayed at {letter.replayed_at.isoformat()}")
    etype = validate_event_type(event_type) if event_type is not None else letter.event_type
    body = _json_object(payload) if payload is not None else letter.payload
    if etype is None or body is None:
        raise Conflict(
            f"dead letter {letter.id} holds no parsed event: give event_type and payload to replay it"
        )
    now = utcnow()
    row = None
    if letter.event_id is not None:
        row = session.scalar(select(OutboxEvent).where(OutboxEvent.event_id == letter.event_id))
    if row is None:
        row = OutboxEvent(event_id=letter.event_id or new_uuid7(), created_at=now)
        session.add(row)
    row.type, row.payload, row.key = etype, body, letter.key
    row.attempts, row.next_attempt_at, row.delivered_at = 0, now, None
    row.replays = letter.replays + 1
    letter.replayed_at = now
    session.flush()
    return row


def pending_events(session: Session, *, limit: int = 100) -> list[OutboxEvent]:
    """Undelivered outbox rows in delivery order (for status pages and tests)."""
    stmt = select(OutboxEvent).where(OutboxEvent.delivered_at.is_(None)).order_by(OutboxEvent.id)
    return list(session.scalars(stmt.limit(limit)))


def purge_delivered(session: Session, *, older_than: timedelta) -> int:
    """Delete delivered rows past their usefulness; returns how many went."""
    cutoff = utcnow() - older_than
    result = session.execute(
        delete(OutboxEvent).where(OutboxEvent.delivered_at.is_not(None), OutboxEvent.delivered_at < cutoff)
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True)
class OutboxStats:
    pending: int
    oldest_pending_at: datetime | None
    dead_letters: int


def outbox_stats(session: Session) -> OutboxStats:
    """For health pages: a growing backlog or dead-letter count means a subscriber or the bus is down."""
    pending, oldest = session.execute(
        select(func.count(), func.min(OutboxEvent.created_at)).where(OutboxEvent.delivered_at.is_(None))
    ).one()
    letters = session.scalar(
        select(func.count()).select_from(DeadLetter).where(DeadLetter.replayed_at.is_(None))
    )
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    return OutboxStats(pending=int(pending), oldest_pending_at=oldest, dead_letters=int(letters or 0))
