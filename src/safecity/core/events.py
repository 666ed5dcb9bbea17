"""The event system in one import: outbox, buses, relay and de-duplication.

A service records an event in its own transaction::

    events.publish(session, "anpr.hit", {"plate": "LEA-1234", "camera_id": 7}, key="LEA-1234")

a subscriber registers on the bus the app built from ``SAFECITY_EVENT_BUS``::

    bus.subscribe("anpr.*", open_incident_for_hit)

and the relay (`OutboxRelay` / `run_relay`) moves committed rows to the bus.
The pieces live in `bus`, `outbox`, `relay`, `nats_bus` and `idempotency`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from safecity.core.bus import (
    Event,
    EventBus,
    Handler,
    HandlerFailed,
    InProcessBus,
    Subscription,
    pattern_matches,
)
from safecity.core.db import session_scope
from safecity.core.errors import InvalidInput
from safecity.core.idempotency import HandledEvent, idempotent, mark_handled
from safecity.core.nats_bus import DeadLetterSink, NatsBus
from safecity.core.outbox import (
    DeadLetter,
    EventSpec,
    OutboxEvent,
    OutboxStats,
    dead_letter,
    list_dead_letters,
    outbox_stats,
    pending_events,
    publish,
    publish_many,
    purge_delivered,
    replay_dead_letter,
)
from safecity.core.relay import OutboxRelay, RelayPolicy, deliver_pending, run_relay

__all__ = [
    "DeadLetter",
    "DeadLetterSink",
    "Event",
    "EventBus",
    "EventSpec",
    "HandledEvent",
    "Handler",
    "HandlerFailed",
    "InProcessBus",
    "NatsBus",
    "OutboxEvent",
    "OutboxRelay",
    "OutboxStats",
    "RelayPolicy",
    "Subscription",
    "dead_letter",
    "dead_letter_sink",
    "deliver_pending",
    "idempotent",
    "list_dead_letters",
    "make_bus",
    "mark_handled",
    "outbox_stats",
    "pattern_matches",
    "pending_events",
    "publish",
    "publish_many",
    "purge_delivered",
    "replay_dead_letter",
    "run_relay",
]

_NATS_SCHEMES = ("nats://", "tls://", "ws://", "wss://")


def make_bus(url: str, *, session_factory: sessionmaker[Session] | None = None, **options: Any) -> EventBus:
    """``inprocess`` (the embedded default) or ``nats://host:port[,nats://…]``.

    With ``session_factory``, what a NATS consumer gives up on is stored in the
    dead-letter table (in-process failures get there through the outbox relay).
    Other ``options`` go to the bus constructor.
    """
    spec = url.strip()
    if spec.lower() in {"inprocess", "in-process", "memory"}:
        return InProcessBus(**options)
    if spec.lower().startswith(_NATS_SCHEMES):
        if session_factory is not None:
            options.setdefault("on_dead_letter", dead_letter_sink(session_factory))
        return NatsBus(spec, **options)
    raise InvalidInput(f"unknown event bus {url!r}: use 'inprocess' or 'nats://host:port'", field="event_bus")


def dead_letter_sink(session_factory: sessionmaker[Session]) -> DeadLetterSink:
    """Store what a NATS consumer gives up on in the dead-letter table (its own transaction)."""

    def sink(source: str, event: Event | None, raw: bytes, error: str) -> None:
        with session_scope(session_factory) as session:
            dead_letter(session, source, raw if event is None else None, error, event=event)

    return sink
