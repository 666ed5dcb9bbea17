"""Fan-out of bus events to the browsers connected to this worker.

Each worker subscribes under its own group, so with NATS every worker sees
every event and serves its own connections. A slow browser never blocks the
bus: its queue is bounded and the oldest updates are dropped for it (a
position superseded by a newer one is worthless), and it is told so.

A viewer with a jurisdiction sees an event only if the organisation unit it
names (``org_unit_id``, else the incident's ``station_id`` or ``district_id``)
is in that jurisdiction. Incident, unit, corridor and call events are
district business: one that names no organisation unit is withheld from
district viewers (fail closed) rather than shown to every district.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from safecity.core.events import Event, EventBus

__all__ = ["DISTRICT_BOUND", "LIVE_PATTERNS", "LiveHub", "LiveMessage", "org_unit_of"]

LIVE_PATTERNS = ("incident.*", "unit.*", "corridor.*", "anpr.*", "camera.*", "call.*")
DISTRICT_BOUND = ("incident.", "unit.", "corridor.", "call.", "anpr.", "camera.")
_ORG_FIELDS = ("org_unit_id", "station_id", "district_id")


@dataclass(frozen=True)
class LiveMessage:
    type: str
    payload: dict[str, Any]
    org_unit_id: int | None
    district_bound: bool = False  # without an org_unit_id, district viewers do not get it


def org_unit_of(payload: dict[str, Any]) -> int | None:
    """The organisation unit an event belongs to, by the first field of `_ORG_FIELDS` it has."""
    for name in _ORG_FIELDS:
        value = payload.get(name)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


@dataclass
class _Client:
    scope: frozenset[int] | None  # None: sees everything (province-wide roles)
    queue: asyncio.Queue[LiveMessage] = field(default_factory=lambda: asyncio.Queue(maxsize=2000))
    dropped: int = 0


class LiveHub:
    def __init__(self) -> None:
        self._clients: dict[str, _Client] = {}
        self.group = f"live-{uuid.uuid4().hex[:12]}"

    def attach(self, bus: EventBus, patterns: Iterable[str] = LIVE_PATTERNS) -> None:
        for pattern in patterns:
            bus.subscribe(pattern, self.on_event, group=self.group)

    async def on_event(self, event: Event) -> None:
        payload = dict(event.payload)
        bound = event.type.startswith(DISTRICT_BOUND)
        self.broadcast(LiveMessage(event.type, payload, org_unit_of(payload), bound))

    def broadcast(self, message: LiveMessage) -> None:
        org = message.org_unit_id
        for client in self._clients.values():
            if client.scope is not None and (
                org not in client.scope if org is not None else message.district_bound
            ):
                continue
            while True:
                try:
                    client.queue.put_nowait(message)
                    break
                except asyncio.QueueFull:
                    with contextlib.suppress(asyncio.QueueEmpty):
                        client.queue.get_nowait()
                        client.dropped += 1

    def connect(self, scope: Iterable[int] | None) -> tuple[str, asyncio.Queue[LiveMessage]]:
        client_id = uuid.uuid4().hex
        client = _Client(frozenset(scope) if scope is not None else None)
        self._clients[client_id] = client
        return client_id, client.queue

    def disconnect(self, client_id: str) -> None:
        self._clients.pop(client_id, None)

    @property
    def connections(self) -> int:
        return len(self._clients)
