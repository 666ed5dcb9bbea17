"""The AVL worker process: stores what the broker delivers, reports position events, survives a crash."""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import os
import signal
import uuid
from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from tests.units.conftest import new_unit, publish

from safecity.core.bus import Event, InProcessBus
from safecity.core.outbox import DeadLetter
from safecity.units.avl import feed_group
from safecity.units.avl_receiver import AvlReceiver
from safecity.units.avl_worker import WorkerConfig, can_run_in_worker, run_avl_worker
from safecity.units.models import UnitPosition

KARACHI = (66.6, 24.6, 67.8, 25.3)


def _fix(lon: float, second: int) -> bytes:
    return json.dumps({"lon": lon, "lat": 24.84, "at": f"2026-11-23T09:00:{second:02d}+00:00"}).encode()


def _lons(sessions: sessionmaker[Session], unit_id: int) -> list[float]:
    with sessions() as session:
        stmt = select(UnitPosition.lon).where(UnitPosition.unit_id == unit_id).order_by(UnitPosition.at)
        return list(session.scalars(stmt))


def _dead(sessions: sessionmaker[Session], topic: str) -> list[DeadLetter]:
    with sessions() as session:
        return list(session.scalars(select(DeadLetter).where(DeadLetter.source == f"mqtt:{topic}")))


async def _until(check: Callable[[], bool], seconds: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not check():
        if loop.time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.1)


def _worker_processes() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name == "safecity-avl"]


@pytest.mark.parametrize(
    ("url", "shareable"),
    [
        ("sqlite:///var/safecity.db", True),
        ("sqlite://", False),
        ("sqlite:///:memory:", False),
        ("sqlite:///file:x?mode=memory&uri=true", False),
        ("postgresql+psycopg://u@db/safecity", True),
    ],
)
def test_only_a_database_another_process_can_open_runs_the_feed_in_a_worker(
    url: str, shareable: bool
) -> None:
    assert can_run_in_worker(url) is shareable


def test_a_receiver_without_a_broker_reports_it_and_keeps_answering_its_other_inputs() -> None:
    receiver = AvlReceiver("mqtt://127.0.0.1:1", "safecity/avl/+", reconnect_s=0.05)
    assert receiver.connect() is False
    read, write = os.pipe()
    try:
        os.write(write, b"x")
        assert receiver.pump(0.5, also=(read,)) == [read]
    finally:
        os.close(read)
        os.close(write)


@pytest.mark.mqtt
async def test_the_worker_stores_fixes_dead_letters_garbage_and_publishes_positions_after_commit(
    api_db_url: str, sessions: sessionmaker[Session], mqtt_url: str
) -> None:
    unit_id = new_unit(sessions, "WRK")
    prefix = f"safecity-test/{uuid.uuid4().hex[:8]}/avl"
    config = WorkerConfig(api_db_url, mqtt_url, feed_group(sessions), prefix=prefix, bbox=KARACHI)
    bus, seen = InProcessBus(), list[Event]()

    async def collect(event: Event) -> None:
        seen.append(event)

    bus.subscribe("unit.position", collect, group="test")
    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(run_avl_worker(config, stop, bus, ready=ready))
    await asyncio.wait_for(ready.wait(), timeout=60)  # a fresh interpreter imports the app first
    topic = f"{prefix}/{unit_id}"
    outside = json.dumps({"lon": 74.3, "lat": 31.5, "at": "2026-11-23T09:00:30+00:00"}).encode()
    messages = [(topic, _fix(round(67.15 + s / 1000, 3), s)) for s in range(1, 6)]
    await asyncio.to_thread(publish, mqtt_url, [*messages, (topic, b"{not json"), (topic, outside)])
    await _until(lambda: len(_lons(sessions, unit_id)) == 5 and len(_dead(sessions, topic)) == 2)
    await _until(lambda: any(e.payload["lon"] == 67.155 for e in seen))
    stop.set()
    await asyncio.wait_for(worker, timeout=30)
    assert _lons(sessions, unit_id) == [67.151, 67.152, 67.153, 67.154, 67.155]
    assert {e.payload["unit_id"] for e in seen} == {unit_id}
    assert all(e.type == "unit.position" for e in seen)
    errors = sorted(d.error for d in _dead(sessions, topic))
    assert any("outside" in e for e in errors) and len(errors) == 2
    assert not _worker_processes()


@pytest.mark.mqtt
async def test_a_worker_that_dies_is_replaced_and_the_feed_goes_on(
    api_db_url: str, sessions: sessionmaker[Session], mqtt_url: str
) -> None:
    unit_id = new_unit(sessions, "WRK")
    prefix = f"safecity-test/{uuid.uuid4().hex[:8]}/avl"
    config = WorkerConfig(api_db_url, mqtt_url, feed_group(sessions), prefix=prefix)
    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(run_avl_worker(config, stop, InProcessBus(), ready=ready, restart_s=0.2))
    await asyncio.wait_for(ready.wait(), timeout=60)
    (first,) = _worker_processes()
    assert first.pid is not None
    os.kill(first.pid, signal.SIGKILL)
    await _until(lambda: [p.pid for p in _worker_processes()] not in ([], [first.pid]), seconds=30)
    topic = f"{prefix}/{unit_id}"
    for second in range(30):  # until the new worker has subscribed and stored one
        await asyncio.to_thread(publish, mqtt_url, [(topic, _fix(67.2, second))])
        if _lons(sessions, unit_id):
            break
        await asyncio.sleep(1.0)
    await _until(lambda: bool(_lons(sessions, unit_id)))
    stop.set()
    await asyncio.wait_for(worker, timeout=30)
    assert not _worker_processes()
