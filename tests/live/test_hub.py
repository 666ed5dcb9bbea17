"""The live hub delivers each event only to viewers whose jurisdiction covers it."""

from __future__ import annotations

import asyncio

from safecity.core.events import Event, InProcessBus
from safecity.live.hub import LiveHub, LiveMessage


def _drain(queue: asyncio.Queue[LiveMessage]) -> list[LiveMessage]:
    out = []
    while not queue.empty():
        out.append(queue.get_nowait())
    return out


def test_an_event_of_one_district_reaches_only_viewers_of_that_district() -> None:
    hub = LiveHub()
    _, korangi = hub.connect({10, 11})
    _, south = hub.connect({20})
    _, admin = hub.connect(None)
    hub.broadcast(LiveMessage("incident.created", {"incident_id": 1, "org_unit_id": 11}, 11))
    assert [m.payload["incident_id"] for m in _drain(korangi)] == [1]
    assert _drain(south) == []
    assert len(_drain(admin)) == 1


def test_an_event_without_an_org_unit_reaches_everyone() -> None:
    hub = LiveHub()
    _, a = hub.connect({1})
    _, b = hub.connect({2})
    hub.broadcast(LiveMessage("camera.offline", {"camera_id": 5}, None))
    assert len(_drain(a)) == len(_drain(b)) == 1


def test_a_slow_viewer_loses_the_oldest_updates_not_the_newest() -> None:
    hub = LiveHub()
    _, queue = hub.connect(None)
    capacity = queue.maxsize
    for i in range(capacity + 5):
        hub.broadcast(LiveMessage("unit.position", {"seq": i}, None))
    got = _drain(queue)
    assert len(got) == capacity
    assert got[-1].payload["seq"] == capacity + 4
    assert got[0].payload["seq"] == 5


def test_a_disconnected_viewer_gets_nothing_more() -> None:
    hub = LiveHub()
    client_id, queue = hub.connect(None)
    hub.disconnect(client_id)
    hub.broadcast(LiveMessage("unit.position", {}, None))
    assert queue.empty() and hub.connections == 0


async def test_bus_events_flow_into_the_hub() -> None:
    bus = InProcessBus()
    hub = LiveHub()
    hub.attach(bus)
    await bus.start()
    _, queue = hub.connect(None)
    await bus.publish(Event(type="unit.position", payload={"unit_id": 7, "lon": 67.2, "lat": 24.8}))
    await bus.publish(Event(type="records.person_viewed", payload={"person_id": 1}))
    got = _drain(queue)
    await bus.close()
    assert [m.type for m in got] == ["unit.position"]
