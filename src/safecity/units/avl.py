"""AVL over MQTT: units publish fixes on ``safecity/avl/<unit_id>``; we store them in batches.

Messages are taken off the queue in batches: whatever is already waiting
(up to ``batch_max``), or, when the queue was empty, what arrives within
``batch_wait_s`` of the first one, so a busy fleet costs one transaction per
batch and a backlog is never made to wait longer. A message whose topic or
body does not parse, that names an unknown unit, or whose fix lies outside the
jurisdiction (``bbox``) goes to the dead-letter table with the reason; if the
batch's transaction itself fails, every message of it is dead-lettered in a
fresh transaction. Nothing is dropped silently.

Start it from the app when ``settings.mqtt_url`` is set::

    stop = asyncio.Event()
    task = asyncio.create_task(
        run_avl_consumer(settings.mqtt_url, sessions, stop, bbox=settings.jurisdiction_bbox)
    )
    ...
    stop.set(); await task
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiomqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from safecity.core import events
from safecity.core.db import session_scope
from safecity.core.errors import InvalidInput
from safecity.core.mqtt import mqtt_client
from safecity.units import service
from safecity.units.schemas import PositionIn

__all__ = [
    "AVL_PREFIX",
    "AvlMessage",
    "BatchResult",
    "parse_avl_message",
    "run_avl_consumer",
    "store_avl_batch",
]

AVL_PREFIX = "safecity/avl"
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AvlMessage:
    topic: str
    payload: bytes


@dataclass(frozen=True, slots=True)
class BatchResult:
    accepted: int
    dead_lettered: int


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
) -> BatchResult:
    """Store a batch of raw MQTT messages in one transaction (blocking: run it in a thread).

    A database that is briefly busy is tried again (``attempts`` in all) before
    the batch is given up on and kept in the dead-letter table. With ``bbox``,
    fixes outside the jurisdiction are dead-lettered with the reason.
    """
    for attempt in range(1, attempts + 1):
        try:
            return _store(sessions, messages, prefix, bbox)
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
        known = service.existing_unit_ids(session, {unit_id for _, unit_id, _ in parsed})
        fixes: dict[int, list[service.Fix]] = defaultdict(list)
        for message, unit_id, fix in parsed:
            if unit_id in known:
                fixes[unit_id].append(fix)
            else:
                _dead(session, message, f"NotFound: no unit {unit_id}")
                dead += 1
        accepted = service.ingest_positions(session, fixes) if fixes else 0
    return BatchResult(accepted=accepted, dead_lettered=dead)


def _drain(queue: asyncio.Queue[AvlMessage], batch: list[AvlMessage], batch_max: int) -> None:
    while len(batch) < batch_max and not queue.empty():
        batch.append(queue.get_nowait())


async def _collect(queue: asyncio.Queue[AvlMessage], batch_max: int, batch_wait_s: float) -> list[AvlMessage]:
    """The next batch: a waiting backlog at once, else what arrives within ``batch_wait_s``."""
    batch: list[AvlMessage] = []
    loop = asyncio.get_running_loop()
    if queue.empty():
        try:
            batch.append(await asyncio.wait_for(queue.get(), timeout=0.5))
        except TimeoutError:
            return batch
        deadline = loop.time() + batch_wait_s
    else:
        deadline = loop.time()  # these already waited while the last batch was stored
    _drain(queue, batch, batch_max)
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout_at(deadline):  # one timer for the batch, not one per message
            while len(batch) < batch_max:
                batch.append(await queue.get())
                _drain(queue, batch, batch_max)
    return batch


async def _read(client: aiomqtt.Client, queue: asyncio.Queue[AvlMessage]) -> None:
    async for message in client.messages:
        payload = message.payload
        raw = payload if isinstance(payload, bytes | bytearray) else str(payload).encode()
        await queue.put(AvlMessage(topic=str(message.topic), payload=bytes(raw)))


_RECEIVE_MAXIMUM = 65535


def _connect_properties() -> Properties:
    """MQTT 5 *Receive Maximum*: how many unacknowledged QoS 1 fixes the broker may have in flight
    to us. Under MQTT 3.1.1 Mosquitto allows 20 (``max_inflight_messages``) and queues only 100
    more (``max_queued_messages``) before it *drops* messages, which a fleet of thousands overruns
    whenever a batch is being written; with MQTT 5 the broker takes this window from the client."""
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.ReceiveMaximum = _RECEIVE_MAXIMUM
    return properties


async def run_avl_consumer(
    mqtt_url: str,
    sessions: sessionmaker[Session],
    stop_event: asyncio.Event,
    *,
    prefix: str = AVL_PREFIX,
    bbox: service.Bbox | None = None,
    batch_max: int = 5000,
    batch_wait_s: float = 0.05,
    reconnect_s: float = 2.0,
) -> None:
    """Consume ``<prefix>/+`` from ``mqtt://[user:pass@]host[:port]`` until ``stop_event`` is set.

    ``bbox`` is the jurisdiction (``settings.jurisdiction_bbox``): fixes outside it are dead-lettered.
    """
    url = urlsplit(mqtt_url)
    if url.scheme not in ("mqtt", "tcp") or not url.hostname:
        raise InvalidInput(f"expected mqtt://host[:port], got {mqtt_url!r}", field="mqtt_url")
    queue: asyncio.Queue[AvlMessage] = asyncio.Queue()
    while not stop_event.is_set():
        try:
            async with mqtt_client(
                mqtt_url, protocol=aiomqtt.ProtocolVersion.V5, properties=_connect_properties()
            ) as client:
                await client.subscribe(f"{prefix}/+", qos=1)
                reader = asyncio.create_task(_read(client, queue))
                try:
                    while not (stop_event.is_set() and queue.empty()):
                        if reader.done():
                            reader.result()  # re-raise the connection error
                        batch = await _collect(queue, batch_max, batch_wait_s)
                        if batch:
                            await asyncio.to_thread(
                                store_avl_batch, sessions, batch, prefix=prefix, bbox=bbox
                            )
                finally:
                    reader.cancel()
        except aiomqtt.MqttError as exc:
            _log.warning("AVL MQTT connection lost (%s); reconnecting in %.0f s", exc, reconnect_s)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop_event.wait(), timeout=reconnect_s)
    while not queue.empty():  # what arrived before stop is stored, not dropped
        batch = [queue.get_nowait() for _ in range(min(queue.qsize(), batch_max))]
        await asyncio.to_thread(store_avl_batch, sessions, batch, prefix=prefix, bbox=bbox)
