"""NATS JetStream as the bus between API workers (production shape).

Events go to ``<prefix>.<event type>`` in one stream (``SAFECITY`` capturing
``safecity.>``). Each subscriber group is a durable pull consumer, so the
workers of one group share its messages and a restart resumes where it
stopped. A message is acked only after its handler succeeded; a failure is
nak'ed with a growing delay and, once ``max_deliver`` is reached, handed to
``on_dead_letter`` and terminated. Unparseable messages go there at once.

Publishing sets ``Nats-Msg-Id`` to the event id (plus the replay count), so the
relay re-sending a row after a crash is absorbed by JetStream's duplicate window.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig

from safecity.core.bus import (
    Event,
    Handler,
    Subscription,
    call_handler,
    handler_name,
    validate_event_type,
    validate_pattern,
)
from safecity.core.errors import InvalidInput

__all__ = ["DeadLetterSink", "NatsBus"]

log = logging.getLogger(__name__)

# (source, event or None when unparseable, raw message bytes, error text)
DeadLetterSink = Callable[[str, Event | None, bytes, str], Awaitable[None] | None]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def durable_name(sub: Subscription) -> str:
    """Stable across restarts: the group plus a digest of the pattern (one consumer per filter)."""
    digest = hashlib.sha256(sub.pattern.encode()).hexdigest()[:10]
    return f"{_UNSAFE.sub('_', sub.group)[-100:]}-{digest}"


class NatsBus:
    def __init__(
        self,
        url: str,
        *,
        stream: str = "SAFECITY",
        subject_prefix: str = "safecity",
        ack_wait: float = 30.0,
        max_deliver: int = 8,
        retry_delay: float = 1.0,
        max_age: float = 7 * 24 * 3600.0,
        fetch_batch: int = 10,
        publish_timeout: float = 5.0,
        on_dead_letter: DeadLetterSink | None = None,
        connect_options: dict[str, Any] | None = None,
    ) -> None:
        if not stream or _UNSAFE.search(stream):
            raise InvalidInput("stream name may hold only letters, digits, '_' and '-'", field="stream")
        validate_event_type(subject_prefix)
        self.servers = [part.strip() for part in url.split(",") if part.strip()]
        self.stream = stream
        self.subject_prefix = subject_prefix
        self.ack_wait = ack_wait
        self.max_deliver = max_deliver
        self.retry_delay = retry_delay
        self.max_age = max_age
        self.fetch_batch = fetch_batch
        self.publish_timeout = publish_timeout
        self.on_dead_letter = on_dead_letter
        self.connect_options = connect_options or {}
        self._subscriptions: list[Subscription] = []
        self._nc: Client | None = None
        self._js: JetStreamContext | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = asyncio.Event()
        self._start_lock = asyncio.Lock()

    @property
    def jetstream(self) -> JetStreamContext:
        if self._js is None:
            raise RuntimeError("NatsBus is not started")
        return self._js

    def subject(self, event_type_or_pattern: str) -> str:
        return f"{self.subject_prefix}.{event_type_or_pattern}"

    def subscribe(self, pattern: str, handler: Handler, *, group: str | None = None) -> None:
        """Register before `start()`: consumers are created when the bus connects."""
        validate_pattern(pattern)
        if self._js is not None:
            raise RuntimeError("NatsBus.subscribe must be called before start()")
        self._subscriptions.append(Subscription(pattern, handler, group or handler_name(handler)))

    async def start(self) -> None:
        async with self._start_lock:
            if self._js is not None:
                return
            self._closing = asyncio.Event()
            self._nc = await nats.connect(servers=self.servers, name="safecity", **self.connect_options)
            try:
                js = self._nc.jetstream()
                await self._ensure_stream(js)
                for sub in self._subscriptions:
                    psub = await self._consumer(js, sub)
                    self._tasks.append(asyncio.create_task(self._consume(sub, psub), name=durable_name(sub)))
            except BaseException:
                await self.close()
                raise
            self._js = js

    async def _ensure_stream(self, js: JetStreamContext) -> None:
        try:
            await js.stream_info(self.stream)
        except nats.js.errors.NotFoundError:
            await js.add_stream(
                StreamConfig(
                    name=self.stream,
                    subjects=[self.subject(">")],
                    max_age=self.max_age,
                    duplicate_window=120.0,
                )
            )

    async def _consumer(self, js: JetStreamContext, sub: Subscription) -> JetStreamContext.PullSubscription:
        durable = durable_name(sub)
        config = ConsumerConfig(
            durable_name=durable,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.ack_wait,
            max_deliver=-1,  # the cut-off is ours: a message leaves only once dead-lettered
            deliver_policy=DeliverPolicy.NEW,
            filter_subject=self.subject(sub.pattern),
        )
        return await js.pull_subscribe(
            self.subject(sub.pattern), durable=durable, stream=self.stream, config=config
        )

    async def close(self) -> None:
        self._closing.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._nc is not None:
            with contextlib.suppress(nats.errors.Error):
                await self._nc.drain()
        self._nc = None
        self._js = None

    async def publish(self, event: Event) -> None:
        """Returns once JetStream has stored the event (raises otherwise, so the relay retries)."""
        if self._js is None:
            await self.start()
        msg_id = f"{event.id}" if not event.replays else f"{event.id}.r{event.replays}"
        headers = {"Nats-Msg-Id": msg_id}
        if event.key is not None:
            headers["Safecity-Key"] = event.key
        await self.jetstream.publish(
            self.subject(event.type),
            event.to_json(),
            stream=self.stream,
            headers=headers,
            timeout=self.publish_timeout,
        )

    async def _consume(self, sub: Subscription, psub: JetStreamContext.PullSubscription) -> None:
        while not self._closing.is_set():
            try:
                messages = await psub.fetch(self.fetch_batch, timeout=1.0)
            except nats.errors.TimeoutError:
                continue
            except nats.errors.Error:
                if self._closing.is_set():
                    return
                log.exception("fetch for %s failed; retrying", durable_name(sub))
                await asyncio.sleep(self.retry_delay)
                continue
            for msg in messages:
                await self._handle(sub, msg)

    async def _handle(self, sub: Subscription, msg: Msg) -> None:
        source = f"nats:{sub.group}"
        try:
            event = Event.from_json(msg.data)
        except InvalidInput as exc:
            await self._give_up(msg, source, None, exc.detail)
            return
        try:
            await call_handler(sub.handler, event, in_thread=True)
        except Exception as exc:
            delivered = msg.metadata.num_delivered or 1
            error = f"{type(exc).__name__}: {exc}"
            if delivered >= self.max_deliver:
                await self._give_up(msg, source, event, f"after {delivered} deliveries: {error}")
            else:
                log.warning(
                    "%s failed on %s %s (delivery %d): %s", sub.group, event.type, event.id, delivered, error
                )
                await msg.nak(delay=self.retry_delay * 2 ** (delivered - 1))
            return
        await msg.ack()

    async def _give_up(self, msg: Msg, source: str, event: Event | None, error: str) -> None:
        """Terminate the message only once the sink holds it; if the sink fails, try again later."""
        if self.on_dead_letter is None:
            log.error("dead letter from %s dropped (no sink configured): %s", source, error)
            await msg.term()
            return
        try:
            if inspect.iscoroutinefunction(self.on_dead_letter):
                await self.on_dead_letter(source, event, msg.data, error)
            else:
                await asyncio.to_thread(self.on_dead_letter, source, event, msg.data, error)
        except Exception:
            log.exception("dead-letter sink failed for %s; message kept for redelivery", source)
            await msg.nak(delay=self.retry_delay * 2 ** min(self.max_deliver, 10))
            return
        await msg.term()
