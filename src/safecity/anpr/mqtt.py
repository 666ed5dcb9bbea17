"""Plate reads over MQTT: ``safecity/anpr/<camera id or code>``.

The payload is one read as JSON (``{"plate_text": "LEA-1234", "at": "…",
"confidence": 0.93}``, or ``image_b64`` instead of text), a JSON list of
them, or ``{"reads": [...]}``; the camera is the topic's. A message that does
not parse, names another camera, or fails validation is stored whole in the
dead-letter table with its topic, where an operator can inspect and replay it.
The broker's ACLs authenticate cameras on this path.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session, sessionmaker

from safecity.anpr.ingest import IngestResult, ingest_reads
from safecity.anpr.schemas import MAX_BATCH, ReadIn
from safecity.core import events
from safecity.core.db import session_scope
from safecity.core.errors import SafeCityError
from safecity.core.mqtt import consume, shared_topic

__all__ = ["READS_TOPIC", "consume_reads", "handle_read_message"]

READS_TOPIC = "safecity/anpr/+"
_log = logging.getLogger(__name__)
_READS = TypeAdapter(list[ReadIn])


def _camera_ref(topic: str) -> str:
    parts = topic.split("/")
    if len(parts) != 3 or parts[:2] != ["safecity", "anpr"] or not parts[2]:
        raise ValueError(f"not an ANPR topic: {topic}")
    return parts[2]


def _reads(topic: str, payload: bytes) -> list[ReadIn]:
    camera = _camera_ref(topic)
    doc: Any = json.loads(payload)
    if isinstance(doc, dict) and "reads" in doc:
        doc = doc["reads"]
    items = doc if isinstance(doc, list) else [doc]
    if not items or len(items) > MAX_BATCH or not all(isinstance(i, dict) for i in items):
        raise ValueError(f"expected a read object or a list of 1 to {MAX_BATCH} of them")
    for item in items:
        sent = item.setdefault("camera_id", camera)
        if str(sent) != camera:
            raise ValueError(f"read names camera {sent!r} but arrived on {topic}")
    return _READS.validate_python(items)


def handle_read_message(sessions: sessionmaker[Session], topic: str, payload: bytes) -> IngestResult | None:
    """Store one message's reads (its own transaction); ``None`` when it was dead-lettered."""
    try:
        reads = _reads(topic, payload)
        with session_scope(sessions) as session:
            return ingest_reads(session, reads, actor=None, source="mqtt", scope=None)
    except (ValueError, ValidationError, SafeCityError) as exc:
        with session_scope(sessions) as session:
            events.dead_letter(session, f"mqtt:{topic}", payload, exc)
        return None


async def consume_reads(
    sessions: sessionmaker[Session],
    *,
    url: str,
    shared_group: str | None = "safecity",
    reconnect_s: float = 5.0,
    ready: asyncio.Event | None = None,
) -> None:
    """Run until cancelled: store each message's reads in a worker thread (OCR and SQL off the loop)."""
    await consume(
        url,
        shared_topic(READS_TOPIC, shared_group),
        lambda topic, raw: handle_read_message(sessions, topic, raw),
        label="ANPR reads",
        reconnect_s=reconnect_s,
        ready=ready,
    )
