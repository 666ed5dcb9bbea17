"""Camera heartbeats over MQTT: ``safecity/cameras/<id or code>/status``.

The payload is a JSON object, ``{}`` or ``{"at": "<ISO time>", ...}``. Anything
that does not parse, or names no known camera, is kept in the dead-letter
table with its topic. The broker's ACLs authenticate cameras on this path.
With several workers, a shared subscription hands each message to one worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from urllib.parse import urlsplit

import aiomqtt
from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from safecity.cameras import service
from safecity.core import events
from safecity.core.db import session_scope
from safecity.core.errors import SafeCityError

__all__ = ["STATUS_TOPIC", "consume_heartbeats", "handle_status_message", "mqtt_client"]

STATUS_TOPIC = "safecity/cameras/+/status"
_log = logging.getLogger(__name__)


class _StatusMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    at: AwareDatetime | None = None


def mqtt_client(url: str, *, identifier: str | None = None) -> aiomqtt.Client:
    """A client for ``mqtt://[user:password@]host[:port]``."""
    parts = urlsplit(url if "://" in url else f"mqtt://{url}")
    return aiomqtt.Client(
        parts.hostname or "127.0.0.1",
        parts.port or 1883,
        username=parts.username,
        password=parts.password,
        identifier=identifier,
    )


def _camera_ref(topic: str) -> str:
    parts = topic.split("/")
    if len(parts) != 4 or parts[:2] != ["safecity", "cameras"] or parts[3] != "status" or not parts[2]:
        raise ValueError(f"not a camera status topic: {topic}")
    return parts[2]


def handle_status_message(sessions: sessionmaker[Session], topic: str, payload: bytes) -> datetime | None:
    """Record one heartbeat; returns its time, or ``None`` when the message was dead-lettered."""
    try:
        ref = _camera_ref(topic)
        message = _StatusMessage.model_validate(json.loads(payload or b"{}"))
        with session_scope(sessions) as session:
            camera = service.record_heartbeat(session, ref=ref, at=message.at)
            return camera.last_heartbeat_at
    except (ValueError, ValidationError, SafeCityError) as exc:
        with session_scope(sessions) as session:
            events.dead_letter(session, f"mqtt:{topic}", payload, exc)
        return None


async def consume_heartbeats(
    sessions: sessionmaker[Session],
    *,
    url: str,
    shared_group: str | None = "safecity",
    reconnect_s: float = 5.0,
    ready: asyncio.Event | None = None,
) -> None:
    """Run until cancelled: subscribe, record each heartbeat in a worker thread, reconnect on loss."""
    topic = f"$share/{shared_group}/{STATUS_TOPIC}" if shared_group else STATUS_TOPIC
    while True:
        try:
            async with mqtt_client(url) as client:
                await client.subscribe(topic, qos=1)
                if ready is not None:
                    ready.set()
                async for message in client.messages:
                    raw = (
                        message.payload
                        if isinstance(message.payload, bytes)
                        else str(message.payload).encode()
                    )
                    try:
                        await asyncio.to_thread(handle_status_message, sessions, message.topic.value, raw)
                    except Exception:
                        _log.exception("heartbeat on %s could not be stored", message.topic.value)
        except aiomqtt.MqttError as exc:
            _log.warning("camera heartbeats: MQTT connection lost (%s); retrying in %.0fs", exc, reconnect_s)
            await asyncio.sleep(reconnect_s)
