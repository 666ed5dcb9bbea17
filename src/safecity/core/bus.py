"""Events, the bus protocol and the in-process bus.

Event types are dotted tokens (``incident.created``). Subscription patterns
follow NATS subject rules so that a pattern means the same thing on every bus:
``*`` stands for exactly one token and ``>`` (last position only) for one or
more tokens — ``incident.*`` matches ``incident.created`` but not
``incident.unit.assigned``; ``incident.>`` matches both.

Every event carries its id. Delivery is at-least-once on every bus, so a
handler that must not act twice de-duplicates on ``event.id``
(see `safecity.core.idempotency`).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from safecity.core.db import new_uuid7, utcnow
from safecity.core.errors import InvalidInput

__all__ = [
    "Event",
    "EventBus",
    "Handler",
    "HandlerFailed",
    "InProcessBus",
    "Subscription",
    "call_handler",
    "handler_name",
    "pattern_matches",
    "validate_event_type",
    "validate_pattern",
]

_TOKEN = re.compile(r"^[A-Za-z0-9_-]+$")

Handler = Callable[["Event"], Awaitable[None] | None]


def validate_event_type(event_type: str) -> str:
    """Refuse types that would be ambiguous as NATS subjects (wildcards, empty tokens)."""
    if not isinstance(event_type, str) or not all(_TOKEN.match(t) for t in event_type.split(".")):
        raise InvalidInput(
            f"event type {event_type!r} must be dot-separated tokens of letters, digits, '_' or '-'",
            field="event_type",
        )
    return event_type


def validate_pattern(pattern: str) -> str:
    tokens = pattern.split(".") if isinstance(pattern, str) else [""]
    for i, token in enumerate(tokens):
        if token == "*" or (token == ">" and i == len(tokens) - 1) or _TOKEN.match(token):
            continue
        raise InvalidInput(
            f"pattern {pattern!r}: tokens are names, '*' (one token) or a final '>' (the rest)",
            field="pattern",
        )
    return pattern


def pattern_matches(pattern: str, event_type: str) -> bool:
    wanted = pattern.split(".")
    actual = event_type.split(".")
    for i, token in enumerate(wanted):
        if token == ">":
            return len(actual) > i
        if i >= len(actual) or (token != "*" and token != actual[i]):
            return False
    return len(wanted) == len(actual)


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened. ``replays`` counts operator replays from the dead-letter table."""

    type: str
    payload: dict[str, Any]
    id: uuid.UUID = field(default_factory=new_uuid7)
    created_at: datetime = field(default_factory=utcnow)
    key: str | None = None
    replays: int = 0

    def to_json(self) -> bytes:
        doc = {
            "id": str(self.id),
            "type": self.type,
            "payload": self.payload,
            "created_at": self.created_at.isoformat(),
            "key": self.key,
            "replays": self.replays,
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Event:
        """Parse a wire message; anything malformed is `InvalidInput` (for the dead-letter table)."""
        try:
            doc = json.loads(data)
            if not isinstance(doc, Mapping) or not isinstance(doc.get("payload"), dict):
                raise ValueError("not an event document with an object payload")
            created_at = datetime.fromisoformat(doc["created_at"])
            if created_at.tzinfo is None:
                raise ValueError("created_at has no time zone")
            key = doc.get("key")
            if key is not None and not isinstance(key, str):
                raise ValueError("key must be a string")
            return cls(
                id=uuid.UUID(doc["id"]),
                type=validate_event_type(doc["type"]),
                payload=doc["payload"],
                created_at=created_at,
                key=key,
                replays=int(doc.get("replays", 0)),
            )
        except InvalidInput:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise InvalidInput(f"malformed event message: {exc}", field="event") from exc


@dataclass(frozen=True, slots=True)
class Subscription:
    pattern: str
    handler: Handler
    group: str


class EventBus(Protocol):
    """What the relay publishes to and what domains subscribe on."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def publish(self, event: Event) -> None: ...

    def subscribe(self, pattern: str, handler: Handler, *, group: str | None = None) -> None: ...


class HandlerFailed(Exception):
    """One or more subscribers raised; the others still ran (each must be idempotent)."""

    def __init__(self, event: Event, failures: list[tuple[str, BaseException]]) -> None:
        self.event = event
        self.failures = failures
        parts = "; ".join(f"{group}: {type(exc).__name__}: {exc}" for group, exc in failures)
        super().__init__(f"{event.type} {event.id}: {parts}")


def handler_name(handler: Callable[..., Any]) -> str:
    module = getattr(handler, "__module__", None) or "handler"
    name = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{name}"


async def call_handler(handler: Handler, event: Event, *, in_thread: bool) -> None:
    """Await async handlers; run plain functions in a worker thread so blocking I/O spares the loop."""
    if inspect.iscoroutinefunction(handler):
        await handler(event)
        return
    result = await asyncio.to_thread(handler, event) if in_thread else handler(event)
    if inspect.isawaitable(result):
        await result


class InProcessBus:
    """Delivers to subscribers in this process; the embedded default.

    A failing subscriber does not stop the others; `publish` then raises
    `HandlerFailed` so the outbox relay retries the event later.
    """

    def __init__(self, *, sync_handlers_in_thread: bool = True) -> None:
        self._subscriptions: list[Subscription] = []
        self._in_thread = sync_handlers_in_thread
        # Subscriptions by event type: unit positions arrive thousands a second, types are few.
        self._routes: dict[str, tuple[Subscription, ...]] = {}

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        return tuple(self._subscriptions)

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def subscribe(self, pattern: str, handler: Handler, *, group: str | None = None) -> None:
        validate_pattern(pattern)
        self._subscriptions.append(Subscription(pattern, handler, group or handler_name(handler)))
        self._routes.clear()

    def _route(self, event_type: str) -> tuple[Subscription, ...]:
        subs = self._routes.get(event_type)
        if subs is None:
            subs = tuple(s for s in self._subscriptions if pattern_matches(s.pattern, event_type))
            self._routes[event_type] = subs
        return subs

    async def publish(self, event: Event) -> None:
        failures: list[tuple[str, BaseException]] = []
        for sub in self._route(event.type):
            try:
                await call_handler(sub.handler, event, in_thread=self._in_thread)
            except Exception as exc:
                failures.append((sub.group, exc))
        if failures:
            raise HandlerFailed(event, failures)
