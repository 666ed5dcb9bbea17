"""NatsBus against a real nats-server with JetStream (``SAFECITY_TEST_NATS_URL``).

Each test gets a stream and subject prefix of its own, deleted afterwards,
so runs never see each other's messages.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import nats
import pytest
from sqlalchemy.orm import Session, sessionmaker

from safecity.core import events
from safecity.core.db import make_engine, make_sessionmaker
from safecity.core.events import Event, NatsBus
from safecity.core.migrate import upgrade

NATS_URL = os.environ.get("SAFECITY_TEST_NATS_URL", "")

pytestmark = [
    pytest.mark.nats,
    pytest.mark.skipif(not NATS_URL, reason="SAFECITY_TEST_NATS_URL is not set"),
]

BusFactory = Callable[..., NatsBus]


@pytest.fixture
async def make_nats_bus() -> AsyncIterator[BusFactory]:
    """Buses sharing one throw-away stream; all closed and the stream deleted at the end."""
    tag = uuid.uuid4().hex[:12]
    buses: list[NatsBus] = []

    def make(**options: Any) -> NatsBus:
        bus = NatsBus(
            NATS_URL, stream=f"SAFECITY_TEST_{tag}", subject_prefix=f"safecity_test_{tag}", **options
        )
        buses.append(bus)
        return bus

    yield make
    for bus in buses:
        await bus.close()
    nc = await nats.connect(NATS_URL)
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await nc.jetstream().delete_stream(f"SAFECITY_TEST_{tag}")
    await nc.close()


async def _until(condition: Callable[[], bool], what: str) -> None:
    """Wait for something the server does in its own time; the bound only stops a hung test."""
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


async def test_an_event_published_through_nats_reaches_only_matching_subscribers(
    make_nats_bus: BusFactory,
) -> None:
    incidents: list[Event] = []
    hits: list[Event] = []
    bus = make_nats_bus()
    bus.subscribe("incident.*", incidents.append)
    bus.subscribe("anpr.hit", hits.append)
    await bus.start()
    created = Event(type="incident.created", payload={"incident_id": 5}, key="INC-5")

    await bus.publish(Event(type="traffic.violation", payload={}))
    await bus.publish(created)
    await bus.publish(Event(type="anpr.hit", payload={"plate": "LEA-1234"}))
    await _until(lambda: bool(incidents and hits), "both subscribers")

    assert incidents == [created]
    assert [e.payload for e in hits] == [{"plate": "LEA-1234"}]


async def test_a_message_whose_handler_fails_is_redelivered_until_acked(make_nats_bus: BusFactory) -> None:
    deliveries: list[uuid.UUID] = []

    def fails_first(event: Event) -> None:
        deliveries.append(event.id)
        if len(deliveries) == 1:
            raise RuntimeError("transient")

    bus = make_nats_bus(retry_delay=0.05)
    bus.subscribe("dispatch.*", fails_first, group="dispatchers")
    await bus.start()
    event = Event(type="dispatch.unit_assigned", payload={"unit": "LHR-12"})
    await bus.publish(event)

    await _until(lambda: len(deliveries) >= 2, "the redelivery")
    assert deliveries[:2] == [event.id, event.id]
    [consumer] = [
        c for c in await bus.jetstream.consumers_info(bus.stream) if c.name.startswith("dispatchers")
    ]

    async def settled() -> bool:
        info = await bus.jetstream.consumer_info(bus.stream, consumer.name)
        return bool(info.num_ack_pending == 0 and info.num_pending == 0)

    for _ in range(500):
        if await settled():
            break
        await asyncio.sleep(0.02)
    assert await settled()


async def test_an_unacked_message_goes_to_another_worker_after_ack_wait(make_nats_bus: BusFactory) -> None:
    stuck = asyncio.Event()

    async def hangs(event: Event) -> None:
        stuck.set()
        await asyncio.Event().wait()

    crashed = make_nats_bus(ack_wait=1.0)
    crashed.subscribe("records.*", hangs, group="records")
    await crashed.start()
    event = Event(type="records.fir_registered", payload={"fir": "FIR-9"})
    await crashed.publish(event)
    await asyncio.wait_for(stuck.wait(), timeout=20)
    await crashed.close()  # the worker dies holding the message, unacked

    received: list[Event] = []
    survivor = make_nats_bus(ack_wait=1.0)
    survivor.subscribe("records.*", received.append, group="records")
    await survivor.start()
    await _until(lambda: bool(received), "redelivery to the surviving worker")
    assert received[0].id == event.id


async def test_nats_failures_and_malformed_messages_end_in_the_dead_letter_table(
    make_nats_bus: BusFactory, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'dead.db'}"
    upgrade(url)
    factory: sessionmaker[Session] = make_sessionmaker(make_engine(url))

    def always_fails(event: Event) -> None:
        raise ValueError("cannot parse camera id")

    bus = make_nats_bus(max_deliver=2, retry_delay=0.05, on_dead_letter=events.dead_letter_sink(factory))
    bus.subscribe("anpr.*", always_fails, group="incidents")
    await bus.start()
    poisoned = Event(type="anpr.hit", payload={"camera": "?"})
    await bus.publish(poisoned)
    await bus.jetstream.publish(bus.subject("anpr.read"), b"{not json", stream=bus.stream)

    def letters() -> list[events.DeadLetter]:
        with factory() as session:
            return events.list_dead_letters(session, source="nats:incidents")

    await _until(lambda: len(letters()) == 2, "two dead letters")
    by_kind = {letter.event_id is None: letter for letter in letters()}
    assert by_kind[False].event_id == poisoned.id and "cannot parse camera id" in by_kind[False].error
    assert by_kind[True].raw == "{not json"


async def test_the_outbox_relay_delivers_committed_events_through_nats(
    make_nats_bus: BusFactory, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'relay.db'}"
    upgrade(url)
    factory: sessionmaker[Session] = make_sessionmaker(make_engine(url))
    received: list[Event] = []
    bus = make_nats_bus()
    bus.subscribe("citizen.>", received.append)
    await bus.start()
    with factory.begin() as session:
        row = events.publish(session, "citizen.complaint.filed", {"ref": "CMP-7"})

    assert await events.deliver_pending(factory, bus) == 1
    await _until(lambda: bool(received), "the relayed event")
    assert [(e.id, e.payload) for e in received] == [(row.event_id, {"ref": "CMP-7"})]
