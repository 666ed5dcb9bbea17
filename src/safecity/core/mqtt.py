"""MQTT plumbing shared by every device feed (cameras, ANPR, AVL).

Devices publish; each worker subscribes through a shared subscription so that a
message goes to one worker. Handlers are synchronous (they do SQL, sometimes OCR)
and run in a worker thread so the event loop keeps reading the broker; a handler
that raises is logged and the loop goes on, and a lost connection is retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiomqtt

__all__ = ["consume", "mqtt_client", "shared_topic"]

_log = logging.getLogger(__name__)


def mqtt_client(url: str, *, identifier: str | None = None, **options: Any) -> aiomqtt.Client:
    """A client for ``mqtt://[user:password@]host[:port]``; ``options`` go to ``aiomqtt.Client``."""
    parts = urlsplit(url if "://" in url else f"mqtt://{url}")
    return aiomqtt.Client(
        parts.hostname or "127.0.0.1",
        parts.port or 1883,
        username=parts.username,
        password=parts.password,
        identifier=identifier,
        **options,
    )


def shared_topic(topic: str, group: str | None) -> str:
    return f"$share/{group}/{topic}" if group else topic


async def consume(
    url: str,
    topic: str,
    handle: Callable[[str, bytes], object],
    *,
    label: str,
    reconnect_s: float = 5.0,
    ready: asyncio.Event | None = None,
) -> None:
    """Run until cancelled: subscribe (QoS 1), hand each message to ``handle(topic, payload)``."""
    while True:
        try:
            async with mqtt_client(url) as client:
                await client.subscribe(topic, qos=1)
                if ready is not None:
                    ready.set()
                async for message in client.messages:
                    payload = message.payload
                    raw = payload if isinstance(payload, bytes) else str(payload).encode()
                    try:
                        await asyncio.to_thread(handle, message.topic.value, raw)
                    except Exception:
                        _log.exception("%s: message on %s could not be stored", label, message.topic.value)
        except aiomqtt.MqttError as exc:
            _log.warning("%s: MQTT connection lost (%s); retrying in %.0fs", label, exc, reconnect_s)
            await asyncio.sleep(reconnect_s)
