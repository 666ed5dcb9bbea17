"""AVL ingest: fixes stored in batches, garbage dead-lettered (never lost), and the real MQTT path."""

from __future__ import annotations

import asyncio
import json
import os
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.units.conftest import new_unit

from safecity.core.bus import Event, InProcessBus
from safecity.core.outbox import DeadLetter, OutboxEvent
from safecity.units import service
from safecity.units.avl import AvlMessage, run_avl_consumer, store_avl_batch
from safecity.units.models import UnitPosition


def _fix(lon: float, second: int) -> bytes:
    return json.dumps(
        {
            "lon": lon,
            "lat": 24.83,
            "speed_kph": 30,
            "heading": 45,
            "at": f"2026-11-23T07:00:{second:02d}+00:00",
        }
    ).encode()


def _dead_letters(sessions: sessionmaker[Session], source: str) -> list[DeadLetter]:
    with sessions() as session:
        return list(session.scalars(select(DeadLetter).where(DeadLetter.source == source)))


def _positions(sessions: sessionmaker[Session], unit_id: int) -> list[UnitPosition]:
    with sessions() as session:
        stmt = select(UnitPosition).where(UnitPosition.unit_id == unit_id).order_by(UnitPosition.at)
        return list(session.scalars(stmt))


def test_a_batch_stores_good_fixes_and_dead_letters_garbage_and_unknown_units(
    sessions: sessionmaker[Session],
) -> None:
    unit_id = new_unit(sessions)
    ghost = f"safecity/avl/{10**9 + unit_id}"
    messages = [
        AvlMessage(f"safecity/avl/{unit_id}", _fix(67.150, 1)),
        AvlMessage(f"safecity/avl/{unit_id}", _fix(67.151, 2)),
        AvlMessage(f"safecity/avl/{unit_id}", b'{"lon": "east", "lat": 24.8}'),
        AvlMessage(ghost, _fix(67.152, 3)),
    ]
    result = store_avl_batch(sessions, messages)
    assert (result.accepted, result.dead_lettered) == (2, 2)
    assert [p.lon for p in _positions(sessions, unit_id)] == [67.150, 67.151]
    garbage = _dead_letters(sessions, f"mqtt:safecity/avl/{unit_id}")
    assert len(garbage) == 1 and "east" in (garbage[0].raw or "")
    assert "no unit" in _dead_letters(sessions, f"mqtt:{ghost}")[0].error
    with sessions() as session:
        moved = session.scalars(
            select(OutboxEvent).where(
                OutboxEvent.type == "unit.position", OutboxEvent.key == f"unit:{unit_id}"
            )
        ).all()
    assert len(moved) == 1 and moved[0].payload["lon"] == 67.151


def _bus() -> tuple[InProcessBus, list[Event]]:
    bus, seen = InProcessBus(), []

    async def collect(event: Event) -> None:
        seen.append(event)

    bus.subscribe("unit.*", collect, group="test")
    return bus, seen


def test_without_the_outbox_a_batch_returns_its_position_events_for_the_caller_to_publish(
    sessions: sessionmaker[Session],
) -> None:
    unit_id = new_unit(sessions)
    messages = [AvlMessage(f"safecity/avl/{unit_id}", _fix(67.15 + s / 1000, s)) for s in (1, 2)]
    result = store_avl_batch(sessions, messages, outbox=False)
    assert result.accepted == 2
    assert [(t, p["lon"], k) for t, p, k in result.moved] == [("unit.position", 67.152, f"unit:{unit_id}")]
    with sessions() as session:
        assert not session.scalars(select(OutboxEvent).where(OutboxEvent.key == f"unit:{unit_id}")).all()


def test_a_topic_without_a_unit_id_is_dead_lettered(sessions: sessionmaker[Session]) -> None:
    result = store_avl_batch(sessions, [AvlMessage("safecity/avl/not-a-unit", _fix(67.1, 1))])
    assert result.dead_lettered == 1
    assert _dead_letters(sessions, "mqtt:safecity/avl/not-a-unit")


@pytest.mark.mqtt
async def test_fixes_published_to_mosquitto_reach_the_store_and_garbage_reaches_the_dead_letters(
    sessions: sessionmaker[Session],
) -> None:
    url = os.environ.get("SAFECITY_TEST_MQTT_URL")
    if not url:
        pytest.skip("SAFECITY_TEST_MQTT_URL is not set")
    import aiomqtt

    unit_id = new_unit(sessions)
    prefix = f"safecity-test/{uuid.uuid4().hex[:8]}/avl"  # isolated from other users of the broker
    stop, ready = asyncio.Event(), asyncio.Event()
    bus, seen = _bus()
    consumer = asyncio.create_task(run_avl_consumer(url, sessions, stop, bus=bus, prefix=prefix, ready=ready))
    await asyncio.wait_for(ready.wait(), timeout=10)
    host, _, port = url.removeprefix("mqtt://").partition(":")
    async with aiomqtt.Client(host, int(port or 1883)) as client:
        await client.publish(f"{prefix}/{unit_id}", _fix(67.160, 5), qos=1)
        await client.publish(f"{prefix}/{unit_id}", b"not json at all", qos=1)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline:
        if seen and _dead_letters(sessions, f"mqtt:{prefix}/{unit_id}"):
            break
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(consumer, timeout=10)
    assert [p.lon for p in _positions(sessions, unit_id)] == [67.160]
    assert [(e.type, e.payload["lon"]) for e in seen] == [("unit.position", 67.160)]
    letters = _dead_letters(sessions, f"mqtt:{prefix}/{unit_id}")
    assert [letter.raw for letter in letters] == ["not json at all"]
    with sessions() as session:  # the bus got the event straight after commit, not via the outbox
        assert not session.scalars(select(OutboxEvent).where(OutboxEvent.key == f"unit:{unit_id}")).all()


KARACHI: service.Bbox = (66.6, 24.6, 67.8, 25.3)


def test_a_fix_outside_the_jurisdiction_is_dead_lettered_with_the_reason_and_does_not_move_the_unit(
    sessions: sessionmaker[Session],
) -> None:
    unit_id = new_unit(sessions)
    lahore = json.dumps({"lon": 74.35, "lat": 31.55, "at": "2026-11-23T07:00:09+00:00"}).encode()
    messages = [
        AvlMessage(f"safecity/avl/{unit_id}", _fix(67.150, 1)),
        AvlMessage(f"safecity/avl/{unit_id}", lahore),
    ]
    result = store_avl_batch(sessions, messages, bbox=KARACHI)
    assert (result.accepted, result.dead_lettered) == (1, 1)
    assert [p.lon for p in _positions(sessions, unit_id)] == [67.150]
    [letter] = _dead_letters(sessions, f"mqtt:safecity/avl/{unit_id}")
    assert "longitude 74.35 is outside" in letter.error and letter.raw == lahore.decode()
    with sessions() as session:
        unit = service.units_by_id(session, [unit_id])[unit_id]
        assert (unit.lon, unit.lat) == (67.150, 24.83)


def test_only_the_newest_fix_of_a_batch_moves_the_unit_and_becomes_an_event(
    sessions: sessionmaker[Session],
) -> None:
    unit_id = new_unit(sessions)
    messages = [AvlMessage(f"safecity/avl/{unit_id}", _fix(67.15 + s / 1000, s)) for s in (3, 1, 2)]
    assert store_avl_batch(sessions, messages).accepted == 3
    store_avl_batch(sessions, [AvlMessage(f"safecity/avl/{unit_id}", _fix(67.1, 0))])  # late
    with sessions() as session:
        unit = service.units_by_id(session, [unit_id])[unit_id]
        moved = session.scalars(select(OutboxEvent).where(OutboxEvent.key == f"unit:{unit_id}")).all()
    assert (unit.lon, unit.position_at and unit.position_at.second) == (67.153, 3)
    assert [e.payload["lon"] for e in moved if e.type == "unit.position"] == [67.153]
    assert len(_positions(sessions, unit_id)) == 4


@pytest.mark.mqtt
async def test_a_fix_outside_the_jurisdiction_sent_to_mosquitto_reaches_the_dead_letters(
    sessions: sessionmaker[Session],
) -> None:
    url = os.environ.get("SAFECITY_TEST_MQTT_URL")
    if not url:
        pytest.skip("SAFECITY_TEST_MQTT_URL is not set")
    import aiomqtt

    unit_id = new_unit(sessions)
    prefix = f"safecity-test/{uuid.uuid4().hex[:8]}/avl"
    stop, ready = asyncio.Event(), asyncio.Event()
    consumer = asyncio.create_task(
        run_avl_consumer(url, sessions, stop, prefix=prefix, bbox=KARACHI, ready=ready)
    )
    await asyncio.wait_for(ready.wait(), timeout=10)
    host, _, port = url.removeprefix("mqtt://").partition(":")
    outside = json.dumps({"lon": 67.2, "lat": 26.0, "at": "2026-11-23T07:00:07+00:00"}).encode()
    async with aiomqtt.Client(host, int(port or 1883)) as client:
        await client.publish(f"{prefix}/{unit_id}", outside, qos=1)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline and not _dead_letters(sessions, f"mqtt:{prefix}/{unit_id}"):
        await asyncio.sleep(0.1)
    stop.set()
    await asyncio.wait_for(consumer, timeout=10)
    [letter] = _dead_letters(sessions, f"mqtt:{prefix}/{unit_id}")
    assert "latitude 26.0 is outside" in letter.error
    assert _positions(sessions, unit_id) == []
