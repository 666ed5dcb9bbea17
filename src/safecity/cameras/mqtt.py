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

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from safecity.cameras import service
from safecity.core import events
from safecity.core.db import session_scope
from safecity.core.errors import SafeCityError
from safecity.core.mqtt import consume, mqtt_client, shared_topic

__all__ = ["STATUS_TOPIC", "consume_heartbeats", "handle_status_message", "mqtt_client"]

STATUS_TOPIC = "safecity/cameras/+/status"
_log = logging.getLogger(__name__)


class _StatusMessage(BaseModel):
    model_config = ConfigDict(extra="allow")

    at: AwareDatetime | None = None


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
    """Run until cancelled: record each heartbeat (in a worker thread), reconnect on loss."""
    await consume(
        url,
        shared_topic(STATUS_TOPIC, shared_group),
        lambda topic, raw: handle_status_message(sessions, topic, raw),
        label="camera heartbeats",
        reconnect_s=reconnect_s,
        ready=ready,
    )
