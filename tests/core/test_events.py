"""The outbox, the in-process bus and the relay between them.

Relay tests commit (the relay works in transactions of its own), so they use
a migrated database of their own — a SQLite file, or the PostgreSQL test
database with the event tables emptied around each test.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from safecity.core import events
from safecity.core.db import make_engine, make_sessionmaker
from safecity.core.errors import Conflict, InvalidInput
from safecity.core.events import (
    DeadLetter,
    Event,
    HandledEvent,
    InProcessBus,
    OutboxEvent,
    OutboxRelay,
    RelayPolicy,
    deliver_pending,
)
from safecity.core.migrate import upgrade


class FakeClock:
    """Moved by hand, so backoff and leases are checked without sleeping."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(hours=1)  # every row published by the test is due

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _clear(engine: Engine) -> None:
    with engine.begin() as conn:
        for table in (OutboxEvent, DeadLetter, HandledEvent):
            conn.execute(delete(table))


@pytest.fixture(scope="module")
def committing_engine(
    db_url: str, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if not db_url.startswith("sqlite"):
        yield engine
        return
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('relay')) / 'relay.db'}"
    upgrade(url)
    eng = make_engine(url)
    yield eng
    eng.dispose()


@pytest.fixture
def factory(committing_engine: Engine) -> Iterator[sessionmaker[Session]]:
    _clear(committing_engine)
    yield make_sessionmaker(committing_engine)
    _clear(committing_engine)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _commit_event(
    factory: sessionmaker[Session], event_type: str, payload: dict[str, object], **kw: str
) -> uuid.UUID:
    with factory.begin() as session:
        return events.publish(session, event_type, payload, **kw).event_id


def _outbox(factory: sessionmaker[Session]) -> list[OutboxEvent]:
    with factory() as session:
        return list(session.scalars(select(OutboxEvent).order_by(OutboxEvent.id)))


def test_publish_flushes_an_outbox_row_into_the_callers_open_transaction(db_session: Session) -> None:
    row = events.publish(db_session, "incident.created", {"incident_id": 7}, key="INC-7")

    assert db_session.in_transaction()
    stored = db_session.scalars(select(OutboxEvent).where(OutboxEvent.event_id == row.event_id)).one()
    assert (stored.type, stored.payload, stored.key) == ("incident.created", {"incident_id": 7}, "INC-7")
    assert stored.attempts == 0 and stored.delivered_at is None


def test_payload_values_are_stored_as_plain_json(db_session: Session) -> None:
    unit = uuid.uuid4()
    at = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    row = events.publish(db_session, "unit.dispatched", {"unit": unit, "at": at, "fine": Decimal("2.50")})
    db_session.expire(row)

    assert row.payload == {"unit": str(unit), "at": at.isoformat(), "fine": "2.50"}


@pytest.mark.parametrize(
    ("event_type", "payload", "field"),
    [
        ("incident.*", {}, "event_type"),
        ("incident..created", {}, "event_type"),
        ("", {}, "event_type"),
        ("incident.created", {"blob": object()}, "payload"),
        ("incident.created", {"x": float("nan")}, "payload"),
    ],
)
def test_publish_refuses_wildcard_types_and_payloads_that_are_not_json(
    db_session: Session, event_type: str, payload: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        events.publish(db_session, event_type, payload)
    assert caught.value.field == field


async def test_publish_in_a_rolled_back_transaction_delivers_nothing(factory: sessionmaker[Session]) -> None:
    received: list[Event] = []
    bus = InProcessBus()
    bus.subscribe(">", received.append)
    with factory() as session:
        events.publish(session, "incident.created", {"incident_id": 1})
        session.rollback()

    assert await deliver_pending(factory, bus) == 0
    assert received == []
    assert _outbox(factory) == []


async def test_a_committed_event_reaches_each_matching_subscriber_once(
    factory: sessionmaker[Session],
) -> None:
    got: dict[str, list[Event]] = {"wild": [], "exact": [], "anpr": [], "all": []}
    bus = InProcessBus()
    bus.subscribe("incident.*", got["wild"].append)
    bus.subscribe("incident.created", got["exact"].append)
    bus.subscribe("anpr.hit", got["anpr"].append)

    async def everything(event: Event) -> None:
        got["all"].append(event)

    bus.subscribe(">", everything)
    event_id = _commit_event(factory, "incident.created", {"incident_id": 3})

    assert await deliver_pending(factory, bus) == 1
    assert await deliver_pending(factory, bus) == 0
    assert [len(got[name]) for name in ("wild", "exact", "anpr", "all")] == [1, 1, 0, 1]
    assert got["wild"][0].id == event_id and got["wild"][0].payload == {"incident_id": 3}
    assert _outbox(factory)[0].delivered_at is not None


async def test_a_failing_handler_is_retried_with_backoff_then_dead_lettered(
    factory: sessionmaker[Session], clock: FakeClock
) -> None:
    calls: list[uuid.UUID] = []

    def broken(event: Event) -> None:
        calls.append(event.id)
        raise RuntimeError("records service down")

    bus = InProcessBus()
    bus.subscribe("records.*", broken)
    policy = RelayPolicy(max_attempts=3, base_delay=10, clock=clock)
    event_id = _commit_event(factory, "records.fir_registered", {"fir": "FIR-1"})

    assert await deliver_pending(factory, bus, policy=policy) == 0
    [row] = _outbox(factory)
    assert row.attempts == 1 and "records service down" in (row.last_error or "")
    assert row.next_attempt_at == clock.now + timedelta(seconds=10)

    await deliver_pending(factory, bus, policy=policy)  # not due yet
    assert len(calls) == 1
    clock.advance(10)
    await deliver_pending(factory, bus, policy=policy)
    assert _outbox(factory)[0].next_attempt_at == clock.now + timedelta(seconds=20)
    clock.advance(20)
    await deliver_pending(factory, bus, policy=policy)

    assert calls == [event_id] * 3
    assert _outbox(factory) == []
    with factory() as session:
        [letter] = events.list_dead_letters(session)
    assert (letter.source, letter.event_id, letter.event_type) == (
        "outbox",
        event_id,
        "records.fir_registered",
    )
    assert letter.attempts == 3 and "records service down" in letter.error


async def test_replaying_a_dead_letter_redelivers_the_same_event(
    factory: sessionmaker[Session], clock: FakeClock
) -> None:
    healthy = False
    received: list[Event] = []

    def flaky(event: Event) -> None:
        if not healthy:
            raise RuntimeError("down")
        received.append(event)

    bus = InProcessBus()
    bus.subscribe("records.*", flaky)
    policy = RelayPolicy(max_attempts=1, clock=clock)
    event_id = _commit_event(factory, "records.fir_registered", {"fir": "FIR-2"})
    await deliver_pending(factory, bus, policy=policy)
    with factory.begin() as session:
        [letter] = events.list_dead_letters(session)
        replayed = events.replay_dead_letter(session, letter.id)
        assert replayed.event_id == event_id

    healthy = True
    assert await deliver_pending(factory, bus, policy=policy) == 1
    assert [(e.id, e.replays, e.payload) for e in received] == [(event_id, 1, {"fir": "FIR-2"})]
    with factory() as session:
        assert events.list_dead_letters(session) == []
        assert len(events.list_dead_letters(session, include_replayed=True)) == 1
        with pytest.raises(Conflict):
            events.replay_dead_letter(session, letter.id)


def test_a_malformed_inbound_message_is_kept_as_a_listed_dead_letter(db_session: Session) -> None:
    raw = b'\xff{"plate": "LEA-12'
    with pytest.raises(InvalidInput) as caught:
        Event.from_json(raw)
    events.dead_letter(db_session, "mqtt:cameras/7/anpr", raw, caught.value)

    [letter] = events.list_dead_letters(db_session, source="mqtt:cameras/7/anpr")
    assert letter.raw_encoding == "base64" and letter.raw is not None
    assert letter.error.startswith("InvalidInput") and letter.event_type is None
    with pytest.raises(Conflict):
        events.replay_dead_letter(db_session, letter.id)

    fixed = events.replay_dead_letter(
        db_session, letter.id, event_type="anpr.read", payload={"plate": "LEA-12"}
    )
    assert (fixed.type, fixed.payload, fixed.attempts) == ("anpr.read", {"plate": "LEA-12"}, 0)
    assert events.list_dead_letters(db_session, source="mqtt:cameras/7/anpr") == []


async def test_events_with_one_key_wait_behind_a_failing_one_and_keep_their_order(
    factory: sessionmaker[Session], clock: FakeClock
) -> None:
    order: list[str] = []
    failed_once: set[str] = set()

    def handler(event: Event) -> None:
        step = str(event.payload["step"])
        if step == "opened" and step not in failed_once:
            failed_once.add(step)
            raise RuntimeError("first try fails")
        order.append(step)

    bus = InProcessBus()
    bus.subscribe("incident.*", handler)
    policy = RelayPolicy(base_delay=5, clock=clock)
    _commit_event(factory, "incident.opened", {"step": "opened"}, key="INC-1")
    _commit_event(factory, "incident.closed", {"step": "closed"}, key="INC-1")
    _commit_event(factory, "incident.opened", {"step": "other"}, key="INC-2")

    assert await deliver_pending(factory, bus, policy=policy) == 1
    assert order == ["other"]
    rows = _outbox(factory)
    assert [(row.attempts, row.delivered_at is not None) for row in rows] == [
        (1, False),
        (0, False),
        (1, True),
    ]
    assert await deliver_pending(factory, bus, policy=policy) == 0  # "closed" still waits for "opened"
    clock.advance(5)
    assert await deliver_pending(factory, bus, policy=policy) == 2
    assert order == ["other", "opened", "closed"]


async def test_an_event_claimed_by_a_relay_that_died_is_delivered_after_its_lease(
    factory: sessionmaker[Session], clock: FakeClock
) -> None:
    entered = asyncio.Event()

    class HangingBus(InProcessBus):
        async def publish(self, event: Event) -> None:
            entered.set()
            await asyncio.Event().wait()

    policy = RelayPolicy(lease=60, publish_timeout=30, clock=clock)
    event_id = _commit_event(factory, "anpr.hit", {"plate": "LEA-1234"})
    dying = asyncio.create_task(deliver_pending(factory, HangingBus(), policy=policy))
    await entered.wait()
    dying.cancel()
    with pytest.raises(asyncio.CancelledError):
        await dying

    received: list[Event] = []
    bus = InProcessBus()
    bus.subscribe("anpr.hit", received.append)
    assert await deliver_pending(factory, bus, policy=policy) == 0  # still leased
    clock.advance(60)
    assert await deliver_pending(factory, bus, policy=policy) == 1
    assert [e.id for e in received] == [event_id]


async def test_concurrent_relays_deliver_each_event_exactly_once(
    db_url: str, factory: sessionmaker[Session]
) -> None:
    if db_url.startswith("sqlite"):
        pytest.skip("SQLite runs a single relay; row locking is a PostgreSQL matter")
    with factory.begin() as session:
        for n in range(300):
            events.publish(session, "traffic.violation", {"n": n})
    seen: list[int] = []
    bus = InProcessBus()
    bus.subscribe("traffic.*", lambda event: seen.append(int(event.payload["n"])))

    async def relay() -> int:
        total = 0
        while delivered := await deliver_pending(factory, bus, batch=20):
            total += delivered
        return total

    totals = await asyncio.gather(relay(), relay(), relay())
    assert sum(totals) == 300
    assert sorted(seen) == list(range(300))


async def test_the_background_relay_delivers_until_stopped(factory: sessionmaker[Session]) -> None:
    arrived = asyncio.Event()
    bus = InProcessBus()
    bus.subscribe("citizen.*", lambda event: arrived.set())
    relay = OutboxRelay(factory, bus, interval=0.01)
    relay.start()
    _commit_event(factory, "citizen.complaint_filed", {"ref": "CMP-1"})

    await asyncio.wait_for(arrived.wait(), timeout=10)
    await relay.stop()
    assert not relay.running
    assert all(row.delivered_at is not None for row in _outbox(factory))


def test_mark_handled_is_true_only_the_first_time_per_consumer(db_session: Session) -> None:
    event = Event(type="anpr.hit", payload={})

    assert events.mark_handled(db_session, consumer="incidents", event=event) is True
    assert events.mark_handled(db_session, consumer="incidents", event=event) is False
    assert events.mark_handled(db_session, consumer="traffic", event=event.id) is True


def test_purge_delivered_keeps_undelivered_and_recent_rows(db_session: Session) -> None:
    old, recent, pending = (events.publish(db_session, "audit.tick", {"n": n}) for n in range(3))
    old.delivered_at = datetime.now(UTC) - timedelta(days=10)
    recent.delivered_at = datetime.now(UTC)
    db_session.flush()

    assert events.purge_delivered(db_session, older_than=timedelta(days=7)) == 1
    remaining = set(db_session.scalars(select(OutboxEvent.event_id)))
    assert old.event_id not in remaining and {recent.event_id, pending.event_id} <= remaining


def test_outbox_stats_count_the_backlog_and_open_dead_letters(db_session: Session) -> None:
    before = events.outbox_stats(db_session)
    first = events.publish(db_session, "anpr.hit", {"plate": "LEA-1"})
    events.publish(db_session, "anpr.hit", {"plate": "LEA-2"})
    events.dead_letter(db_session, "mqtt:cameras/1", "garbage", "not JSON")

    after = events.outbox_stats(db_session)
    assert after.pending == before.pending + 2
    assert after.dead_letters == before.dead_letters + 1
    assert after.oldest_pending_at is not None and after.oldest_pending_at <= first.created_at
