"""The AVL feed's MQTT receiver: a paho network thread that only queues raw messages.

Why not `aiomqtt` (which the other device feeds use): measured on the AVL
benchmark, the asyncio wrapper costs one event-loop round, one future and two
queue hops per message on top of paho itself, and under MQTT 5 with QoS 1 it
spent hundreds of microseconds of CPU per fix, so one process could not take
5,000 fixes/s. Here paho runs its own network loop in a thread and
``on_message`` appends ``(topic, payload)`` to a thread-safe deque; the event
loop is woken once when the deque goes from empty to non-empty, and takes the
messages off in batches.

Why MQTT 3.1.1 and a QoS 0 subscription: a fix is superseded by the unit's
next one a few seconds later, so redelivery buys nothing a live map needs,
while QoS 1 doubled the receive cost (a PUBACK written per message). QoS 1
would not make storage reliable anyway: paho acknowledges a message on
receipt, before it is stored. Devices may still publish at QoS 1 (their leg
to the broker is acknowledged); the broker delivers to us at QoS 0.

Why a shared subscription (``$share/<group>/…``): with several API workers
each fix goes to one of them instead of being stored once per worker.

If the store falls so far behind that ``max_backlog`` messages wait, further
messages are counted and logged as dropped (the broker would drop them
otherwise, silently); fixes that arrive later supersede them.

The receiver also runs without a thread (`connect` then `pump` in a loop), for
the AVL worker process (`safecity.units.avl_worker`): there the one thread
reads the socket and stores in turn, so nothing contends for the GIL. With a
network thread, each of paho's several ``recv`` calls per message gives the
GIL away and waits up to the interpreter's switch interval (5 ms) to get it
back from a thread that is storing, so a busy store starved the reader.
"""

from __future__ import annotations

import asyncio
import logging
import select
import socket
import time
import uuid
from collections import deque
from collections.abc import Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from safecity.core.errors import InvalidInput

__all__ = ["AvlMessage", "AvlReceiver"]

_log = logging.getLogger(__name__)


class AvlMessage(NamedTuple):
    """One raw MQTT message as received (a tuple: thousands a second are queued)."""

    topic: str
    payload: bytes


class AvlReceiver:
    """Subscribe to ``topic`` on ``mqtt://[user:pass@]host[:port]`` and queue what arrives.

    Use as ``receiver.start(loop)``, then `wait` / `take` from the event loop, then `stop`.
    """

    def __init__(
        self,
        url: str,
        topic: str,
        *,
        max_backlog: int = 500_000,
        reconnect_s: float = 2.0,
        keepalive_s: int = 30,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "tcp") or not parts.hostname:
            raise InvalidInput(f"expected mqtt://host[:port], got {url!r}", field="mqtt_url")
        self.topic = topic
        self.max_backlog = max_backlog
        self.dropped = 0
        self.subscribed = asyncio.Event()  # set on the event loop given to `start`
        self.is_subscribed = False  # the same, for `pump` mode
        self.reconnect_s = reconnect_s
        self._next_try = 0.0
        self._next_misc = 0.0
        self._backlog: deque[AvlMessage] = deque()
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._last_drop_log = 0.0
        self._host, self._port, self._keepalive = parts.hostname, parts.port or 1883, keepalive_s
        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"safecity-avl-{uuid.uuid4().hex[:12]}",
            protocol=mqtt.MQTTv311,
            clean_session=True,
        )
        if parts.username:
            client.username_pw_set(parts.username, parts.password)
        client.suppress_exceptions = True  # a failing callback is logged, never kills the network thread
        client.reconnect_delay_set(min_delay=1, max_delay=max(1, int(reconnect_s)))
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        self._client = client

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Connect in the background (retrying until it succeeds) and start the network thread."""
        self._loop = loop
        self._client.connect_async(self._host, self._port, keepalive=self._keepalive)
        self._client.loop_start()

    def connect(self) -> bool:
        """`pump` mode: try to connect now; False (logged) when the broker cannot be reached."""
        self._next_try = time.monotonic() + self.reconnect_s
        try:
            self._client.connect(self._host, self._port, keepalive=self._keepalive)
        except OSError as exc:
            _log.warning("AVL MQTT broker %s:%d unreachable (%s); retrying", self._host, self._port, exc)
            return False
        return True

    def pump(self, timeout: float, also: Sequence[int] = ()) -> list[int]:
        """`pump` mode: one round of the network loop in the calling thread.

        Waits up to ``timeout`` seconds for the broker (or for a file
        descriptor in ``also``), reads every whole message already waiting,
        writes what is queued and keeps the connection alive, reconnecting
        when it was lost. Returns the descriptors of ``also`` that are readable.
        """
        client = self._client
        sock = client.socket()
        if sock is None:  # not connected: retry now and then, still answering ``also``
            if time.monotonic() >= self._next_try:
                self.is_subscribed = False
                self.connect()
            ready, _, _ = select.select(list(also), [], [], min(timeout, self.reconnect_s))
            return list(ready)
        writers: list[Any] = [sock] if client.want_write() else []
        readers: list[Any] = [sock, *also]
        readable, writable, _ = select.select(readers, writers, [], timeout)
        if writable:
            client.loop_write()
        if sock in readable:
            self._read_waiting(sock)
        now = time.monotonic()
        if now >= self._next_misc:
            self._next_misc = now + 1.0
            client.loop_misc()  # keep-alive pings, and noticing a dead connection
        return [fd for fd in readable if fd is not sock]

    def _read_waiting(self, sock: Any, budget: int = 20_000) -> None:
        """Read packets while bytes wait on the socket (a peek says so without reading them)."""
        client = self._client
        for _ in range(budget):
            if client.loop_read() != mqtt.MQTT_ERR_SUCCESS:
                return  # paho closed the socket and reported it; the next `pump` reconnects
            try:
                if not sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                    client.loop_read()  # the broker closed: let paho see it and report it
                    return
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return

    def stop(self) -> None:
        """Disconnect and join the network thread; what is queued stays for `take`."""
        self._client.disconnect()
        self._client.loop_stop()

    def __len__(self) -> int:
        return len(self._backlog)

    async def wait(self, timeout: float) -> bool:
        """Until something is queued (True) or ``timeout`` seconds pass (False)."""
        self._wake.clear()  # before the check: a message queued after it sets the event again
        if self._backlog:
            return True
        try:
            await asyncio.wait_for(self._wake.wait(), timeout)
        except TimeoutError:
            return bool(self._backlog)
        return True

    def take(self, limit: int) -> list[AvlMessage]:
        """Up to ``limit`` queued messages, oldest first."""
        backlog = self._backlog
        return [backlog.popleft() for _ in range(min(limit, len(backlog)))]

    # paho callbacks: they run in paho's network thread.

    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            _log.warning("AVL MQTT connection refused: %s", reason)
            return
        client.subscribe(self.topic, qos=0)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, reasons: Any, _p: Any) -> None:
        if any(r.is_failure for r in reasons):
            _log.error("AVL MQTT subscription to %s refused: %s", self.topic, reasons)
            return
        self.is_subscribed = True
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.subscribed.set)

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            _log.warning("AVL MQTT connection lost (%s); reconnecting", reason)

    def _on_message(self, _c: mqtt.Client, _u: Any, message: mqtt.MQTTMessage) -> None:
        backlog = self._backlog
        if len(backlog) >= self.max_backlog:
            self._drop()
            return
        backlog.append(AvlMessage(message.topic, bytes(message.payload)))
        if len(backlog) == 1 and self._loop is not None:  # it was empty: the consumer may be waiting
            self._loop.call_soon_threadsafe(self._wake.set)

    def _drop(self) -> None:
        self.dropped += 1
        now = time.monotonic()
        if now - self._last_drop_log >= 10.0:
            self._last_drop_log = now
            _log.error(
                "AVL store is %d messages behind; %d fixes dropped so far", len(self._backlog), self.dropped
            )
