"""The MQTT path against a real broker (set SAFECITY_TEST_MQTT_URL, e.g. mqtt://127.0.0.1:1883)."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safecity.anpr.models import AnprHit
from safecity.anpr.mqtt import consume_reads, handle_read_message
from safecity.anpr.service import add_to_watchlist
from safecity.cameras.models import Camera, CameraKind
from safecity.cameras.mqtt import mqtt_client
from safecity.core.db import session_scope
from safecity.core.events import DeadLetter, OutboxEvent
from safecity.core.org import OrgUnit

MQTT_URL = os.environ.get("SAFECITY_TEST_MQTT_URL")


def _camera_and_listed_plate(sessions: sessionmaker[Session]) -> tuple[int, str]:
    plate = f"BKR-{uuid.uuid4().int % 9000 + 1000}"
    with session_scope(sessions) as session:
        unit = session.scalar(select(OrgUnit).where(OrgUnit.code == "KOR-LND"))
        assert unit is not None
        camera = Camera(
            code=f"MQ-{uuid.uuid4().hex[:8]}",
            name="mqtt",
            kind=CameraKind.ANPR,
            lon=67.2,
            lat=24.85,
            org_unit_id=unit.id,
        )
        session.add(camera)
        session.flush()
        add_to_watchlist(session, list_name="stolen", plate=plate, org_unit_id=unit.id, reason="stolen car")
        return camera.id, plate


def _hit_and_event(sessions: sessionmaker[Session], plate: str) -> tuple[AnprHit | None, list[OutboxEvent]]:
    with sessions() as session:
        hit = session.scalar(select(AnprHit).where(AnprHit.listed_plate == plate))
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "anpr.hit")).all()
        return hit, [r for r in rows if r.payload.get("plate") == plate]


def test_a_message_that_does_not_parse_is_dead_lettered_with_its_topic(client: TestClient) -> None:
    sessions = client.app.state.sessionmaker
    topic = f"safecity/anpr/{uuid.uuid4().hex[:8]}"
    assert handle_read_message(sessions, topic, b'{"plate_text": "LEA-1", "at": ') is None
    with sessions() as session:
        letter = session.scalar(select(DeadLetter).where(DeadLetter.source == f"mqtt:{topic}"))
    assert letter is not None and "JSONDecodeError" in letter.error


def test_a_read_naming_another_camera_than_its_topic_is_dead_lettered(client: TestClient) -> None:
    sessions = client.app.state.sessionmaker
    camera_id, plate = _camera_and_listed_plate(sessions)
    body = {"camera_id": camera_id + 1, "plate_text": plate, "at": datetime.now(UTC).isoformat()}
    assert handle_read_message(sessions, f"safecity/anpr/{camera_id}", json.dumps(body).encode()) is None
    assert _hit_and_event(sessions, plate)[0] is None


async def _publish_and_wait(
    sessions: sessionmaker[Session], topic: str, body: dict[str, Any], plate: str
) -> AnprHit | None:
    assert MQTT_URL is not None
    ready = asyncio.Event()
    consumer = asyncio.create_task(consume_reads(sessions, url=MQTT_URL, shared_group=None, ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        async with mqtt_client(MQTT_URL) as publisher:
            await publisher.publish(topic, json.dumps(body).encode(), qos=1)
        for _ in range(200):
            hit, _ = _hit_and_event(sessions, plate)
            if hit is not None:
                return hit
            await asyncio.sleep(0.05)
        return None
    finally:
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer


@pytest.mark.skipif(not MQTT_URL, reason="set SAFECITY_TEST_MQTT_URL to run against a real MQTT broker")
def test_a_stolen_car_read_over_mqtt_is_stored_as_a_hit_with_an_anpr_hit_event(client: TestClient) -> None:
    sessions = client.app.state.sessionmaker
    camera_id, plate = _camera_and_listed_plate(sessions)
    body = {
        "plate_text": plate.replace("-", " ").lower(),
        "confidence": 0.91,
        "at": datetime.now(UTC).isoformat(),
    }
    hit = asyncio.run(_publish_and_wait(sessions, f"safecity/anpr/{camera_id}", body, plate))
    assert hit is not None, "no hit stored within 10 s of publishing"
    assert (hit.camera_id, hit.list_name) == (camera_id, "stolen")
    _, hit_events = _hit_and_event(sessions, plate)
    assert [e.payload["hit_id"] for e in hit_events] == [hit.id]
    assert (hit_events[0].payload["lon"], hit_events[0].payload["lat"]) == (67.2, 24.85)
