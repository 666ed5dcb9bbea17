"""`publish_many`: a batch of events in one statement, with `publish`'s guarantees."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core import events
from safecity.core.errors import InvalidInput
from safecity.core.outbox import OutboxEvent


def _rows(session: Session, ids: list[uuid.UUID]) -> list[OutboxEvent]:
    stmt = select(OutboxEvent).where(OutboxEvent.event_id.in_(ids)).order_by(OutboxEvent.id)
    return list(session.scalars(stmt))


def test_a_batch_of_events_is_stored_in_order_after_those_published_before_it(db_session: Session) -> None:
    key = f"unit:{uuid.uuid4().hex[:8]}"
    first = events.publish(db_session, "unit.status_changed", {"status": "available"}, key=key)
    at = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
    ids = events.publish_many(
        db_session,
        [("unit.position", {"lon": 67.2 + i / 100, "at": at, "n": i}, key) for i in range(3)],
    )
    rows = _rows(db_session, [first.event_id, *ids])
    assert [r.event_id for r in rows] == [first.event_id, *ids]
    assert [r.payload.get("n") for r in rows] == [None, 0, 1, 2]
    assert rows[1].payload["at"] == "2026-11-23T07:00:00+00:00"  # made JSON as `publish` does
    assert all(r.delivered_at is None and r.attempts == 0 and r.key == key for r in rows)
    assert [e.event_id for e in events.pending_events(db_session, limit=10_000)][-3:] == ids


def test_a_bad_event_in_a_batch_refuses_the_whole_batch_naming_the_field(db_session: Session) -> None:
    before = len(events.pending_events(db_session, limit=10_000))
    with pytest.raises(InvalidInput) as caught:
        events.publish_many(
            db_session, [("unit.position", {"lon": 67.2}, "k"), ("unit.position", {"lon": float("nan")}, "k")]
        )
    assert caught.value.field == "payload"
    assert len(events.pending_events(db_session, limit=10_000)) == before
    assert events.publish_many(db_session, []) == []
