"""AVL over MQTT: units publish fixes on ``safecity/avl/<unit_id>``; we store them in batches.

Messages are taken off the receiver (`safecity.units.avl_receiver`) in
batches: whatever is already waiting (up to ``batch_max``), or, when nothing
was, what arrives within ``batch_wait_s`` of the first one, so a busy fleet
costs one transaction per batch and a backlog is never made to wait longer. A
message whose topic or body does not parse, that names an unknown unit, or
whose fix lies outside the jurisdiction (``bbox``) goes to the dead-letter
table with the reason; if the batch's transaction itself fails, every message
of it is dead-lettered in a fresh transaction. Nothing is dropped silently.

The map learns of a move through one ``unit.position`` event per unit and
batch (its newest fix). Given the app's ``bus``, the consumer publishes those
straight to it once the batch is committed, not through the outbox: a
position is state that the unit's next fix supersedes within seconds, and
the outbox's guarantee (delivered at least once even across a crash) cost
three writes and a relay round per event, which at fleet rates was most of
the work. An event is still only ever sent for a committed fix; one lost to a
crash is replaced by the next fix, and the stored position stays the truth
the map reloads. Without a bus the events go through the outbox as usual.

The app runs the feed in a worker process of its own (`safecity.units.avl_worker`,
which stores with `store_avl_batch` too); this in-process consumer is what it
falls back to for an in-memory database or ``SAFECITY_AVL_WORKER_PROCESS=false``::

    stop = asyncio.Event()
    task = asyncio.create_task(
        run_avl_consumer(settings.mqtt_url, sessions, stop, bus=bus, bbox=settings.jurisdiction_bbox)
    )
    ...
    stop.set(); await task
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from safecity.core import events
from safecity.core.db import session_scope
from safecity.core.errors import InvalidInput
from safecity.core.mqtt import shared_topic
from safecity.units import service
from safecity.units.avl_receiver import AvlMessage, AvlReceiver
from safecity.units.schemas import PositionIn

__all__ = [
    "AVL_GROUP",
    "AVL_PREFIX",
    "AvlMessage",
    "BatchResult",
    "feed_group",
    "parse_avl_message",
    "publish_moves",
    "run_avl_consumer",
    "store_avl_batch",
]

AVL_PREFIX = "safecity/avl"
AVL_GROUP = "safecity-avl"
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BatchResult:
    """``moved``: the ``unit.position`` events still to publish (empty when they went to the outbox)."""

    accepted: int
    dead_lettered: int
    moved: list[events.EventSpec] = field(default_factory=list)


def parse_avl_message(
    message: AvlMessage, *, prefix: str = AVL_PREFIX, bbox: service.Bbox | None = None
) -> tuple[int, service.Fix]:
    """``(unit_id, fix)`` or `InvalidInput` naming what is wrong (with ``bbox``: a fix outside it too)."""
    head, _, tail = message.topic.rpartition("/")
    if head != prefix or not tail.isdigit():
        raise InvalidInput(f"topic {message.topic!r} is not {prefix}/<unit_id>", field="topic")
    try:
        fix = PositionIn.model_validate_json(message.payload)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "payload"
        raise InvalidInput(f"{where}: {first.get('msg', 'invalid')}", field=where) from exc
    if bbox is not None:
        service.check_inside(fix.lon, fix.lat, bbox)
    return int(tail), service.Fix(fix.lon, fix.lat, fix.at, fix.speed_kph, fix.heading)


def _dead(session: Session, message: AvlMessage, error: str | BaseException) -> None:
    events.dead_letter(session, f"mqtt:{message.topic}", message.payload, error)


def _write_lock_first(session: Session) -> None:
    """On SQLite take the write lock up front (waiting ``busy_timeout`` for it): SQLite refuses at
    once, without waiting, to upgrade a read snapshot another writer has overtaken."""
    if session.get_bind().dialect.name == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")


def store_avl_batch(
    sessions: sessionmaker[Session],
    messages: Sequence[AvlMessage],
    *,
    prefix: str = AVL_PREFIX,
    attempts: int = 3,
    bbox: service.Bbox | None = None,
    outbox: bool = True,
) -> BatchResult:
    """Store a batch of raw MQTT messages in one transaction (blocking: run it in a thread).

    A database that is briefly busy is tried again (``attempts`` in all) before
    the batch is given up on and kept in the dead-letter table. With ``bbox``,
    fixes outside the jurisdiction are dead-lettered with the reason. With
    ``outbox`` the ``unit.position`` events are written in the same
    transaction; without, they come back in `BatchResult.moved` for the caller
    to publish after commit.
    """
    for attempt in range(1, attempts + 1):
        try:
            return _store(sessions, messages, prefix, bbox, outbox)
        except OperationalError as exc:
            if attempt == attempts:
                return _dead_batch(sessions, messages, exc)
            _log.warning("AVL batch hit a busy database (attempt %d of %d)", attempt, attempts)
            time.sleep(0.05 * attempt)
        except Exception as exc:
            return _dead_batch(sessions, messages, exc)
    raise AssertionError("unreachable")  # pragma: no cover


def _dead_batch(
    sessions: sessionmaker[Session], messages: Sequence[AvlMessage], error: BaseException
) -> BatchResult:
    """The batch failed as a whole: keep every message for replay."""
    _log.error("AVL batch of %d messages failed (%s); dead-lettering them", len(messages), error)
    with session_scope(sessions) as session:
        for message in messages:
            _dead(session, message, error)
    return BatchResult(accepted=0, dead_lettered=len(messages))


def _store(
    sessions: sessionmaker[Session],
    messages: Sequence[AvlMessage],
    prefix: str,
    bbox: service.Bbox | None,
    outbox: bool,
) -> BatchResult:
    with session_scope(sessions) as session:
        _write_lock_first(session)
        parsed: list[tuple[AvlMessage, int, service.Fix]] = []
        dead = 0
        for message in messages:
            try:
                unit_id, fix = parse_avl_message(message, prefix=prefix, bbox=bbox)
            except InvalidInput as exc:
                _dead(session, message, exc)
                dead += 1
                continue
            parsed.append((message, unit_id, fix))
        fixes: dict[int, list[service.Fix]] = defaultdict(list)
        for _, unit_id, fix in parsed:
            fixes[unit_id].append(fix)
        stored = service.store_positions(session, fixes, skip_unknown=True)
        unknown = set(stored.unknown)
        for message, unit_id, _ in parsed:
            if unit_id in unknown:
                _dead(session, message, f"NotFound: no unit {unit_id}")
                dead += 1
        if outbox:
            events.publish_many(session, stored.moved)
    return BatchResult(accepted=stored.accepted, dead_lettered=dead, moved=[] if outbox else stored.moved)


def feed_group(sessions: sessionmaker[Session]) -> str:
    """The shared-subscription group of the workers that store into this database.

    Workers of one installation share the feed, so each fix is stored once; an
    app on another database that happens to use the same broker (a second
    installation, a test server) is another group and still gets every fix.
    """
    bind = sessions.kw.get("bind")
    url = bind.url.render_as_string(hide_password=True) if isinstance(bind, Engine) else ""
    return f"{AVL_GROUP}-{hashlib.sha256(url.encode()).hexdigest()[:12]}"


async def _next_batch(receiver: AvlReceiver, batch_max: int, batch_wait_s: float) -> list[AvlMessage]:
    """A waiting backlog at once; else, once something arrives, what comes within ``batch_wait_s``."""
    if not len(receiver):
        if not await receiver.wait(timeout=0.5):
            return []
        await asyncio.sleep(batch_wait_s)
    return receiver.take(batch_max)


async def publish_moves(bus: events.EventBus, moved: Sequence[events.EventSpec]) -> None:
    """Hand a committed batch's position events to the bus; a failure costs the map one update."""
    failures: list[Exception] = []
    for event_type, payload, key in moved:
        try:
            await bus.publish(events.Event(type=event_type, payload=dict(payload), key=key))
        except Exception as exc:
            failures.append(exc)
    if failures:
        _log.warning(
            "%d of %d unit.position events not published (%s)", len(failures), len(moved), failures[-1]
        )


async def run_avl_consumer(
    mqtt_url: str,
    sessions: sessionmaker[Session],
    stop_event: asyncio.Event,
    *,
    bus: events.EventBus | None = None,
    prefix: str = AVL_PREFIX,
    group: str | None = None,
    bbox: service.Bbox | None = None,
    batch_max: int = 5000,
    batch_wait_s: float = 0.05,
    reconnect_s: float = 2.0,
    ready: asyncio.Event | None = None,
) -> None:
    """Consume ``<prefix>/+`` from ``mqtt://[user:pass@]host[:port]`` until ``stop_event`` is set.

    ``bus``: publish position events straight to it (see the module docstring);
    ``group``: the shared-subscription group; by default one per database (see `feed_group`);
    ``bbox``: the jurisdiction (``settings.jurisdiction_bbox``), fixes outside it are dead-lettered;
    ``ready`` is set once the broker has confirmed the subscription.
    """
    topic = shared_topic(f"{prefix}/+", group or feed_group(sessions))
    receiver = AvlReceiver(mqtt_url, topic, reconnect_s=reconnect_s)
    receiver.start(asyncio.get_running_loop())
    signal = asyncio.create_task(_signal_ready(receiver, ready))

    async def store(batch: list[AvlMessage]) -> None:
        result = await asyncio.to_thread(
            store_avl_batch, sessions, batch, prefix=prefix, bbox=bbox, outbox=bus is None
        )
        if bus is not None and result.moved:
            await publish_moves(bus, result.moved)

    try:
        while not stop_event.is_set():
            batch = await _next_batch(receiver, batch_max, batch_wait_s)
            if batch:
                await store(batch)
    finally:
        signal.cancel()
        await asyncio.to_thread(receiver.stop)
    while len(receiver):  # what arrived before stop is stored, not dropped
        await store(receiver.take(batch_max))


async def _signal_ready(receiver: AvlReceiver, ready: asyncio.Event | None) -> None:
    if ready is not None:
        await receiver.subscribed.wait()
        ready.set()
