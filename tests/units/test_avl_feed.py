"""The MQTT side of AVL: workers on one database share the feed; an overrun receiver says so."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.units.conftest import new_unit, publish

from safecity.core.db import make_engine, make_sessionmaker
from safecity.units.avl import feed_group, run_avl_consumer
from safecity.units.avl_receiver import AvlReceiver
from safecity.units.models import UnitPosition


def _fix(second: int) -> bytes:
    return json.dumps({"lon": 67.2, "lat": 24.85, "at": f"2026-11-23T08:00:{second:02d}+00:00"}).encode()


def _stored(sessions: sessionmaker[Session], unit_id: int) -> int:
    with sessions() as session:
        return len(session.scalars(select(UnitPosition.id).where(UnitPosition.unit_id == unit_id)).all())


def test_workers_on_one_database_share_a_group_and_another_database_gets_its_own(
    api_db_url: str, tmp_path: Path
) -> None:
    engines = [
        make_engine(api_db_url),
        make_engine(api_db_url),
        make_engine(f"sqlite:///{tmp_path / 'x.db'}"),
    ]
    first, second, other = (feed_group(make_sessionmaker(e)) for e in engines)
    assert first == second != other
    for engine in engines:
        engine.dispose()


@pytest.mark.mqtt
async def test_two_workers_on_one_database_store_each_fix_once(
    sessions: sessionmaker[Session], mqtt_url: str
) -> None:
    unit_id = new_unit(sessions, "FEED")
    prefix = f"safecity-test/{uuid.uuid4().hex[:8]}/avl"
    stop = asyncio.Event()
    readies = [asyncio.Event(), asyncio.Event()]
    workers = [
        asyncio.create_task(run_avl_consumer(mqtt_url, sessions, stop, prefix=prefix, ready=ready))
        for ready in readies
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), timeout=10)
    await asyncio.to_thread(publish, mqtt_url, [(f"{prefix}/{unit_id}", _fix(s)) for s in range(40)])
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 15
    while loop.time() < deadline and _stored(sessions, unit_id) < 40:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # a duplicate, if any, would arrive by now
    stop.set()
    await asyncio.wait_for(asyncio.gather(*workers), timeout=10)
    assert _stored(sessions, unit_id) == 40


@pytest.mark.mqtt
async def test_a_receiver_that_is_too_far_behind_counts_what_it_drops(mqtt_url: str) -> None:
    topic = f"safecity-test/{uuid.uuid4().hex[:8]}/avl/+"
    receiver = AvlReceiver(mqtt_url, topic, max_backlog=5)
    receiver.start(asyncio.get_running_loop())
    try:
        await asyncio.wait_for(receiver.subscribed.wait(), timeout=10)
        messages = [(topic.replace("+", "7"), _fix(s)) for s in range(8)]
        await asyncio.to_thread(publish, mqtt_url, messages)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 10
        while loop.time() < deadline and len(receiver) + receiver.dropped < 8:
            await asyncio.sleep(0.05)
    finally:
        await asyncio.to_thread(receiver.stop)
    assert (len(receiver), receiver.dropped) == (5, 3)
    assert [payload for _, payload in receiver.take(10)] == [p for _, p in messages[:5]]
