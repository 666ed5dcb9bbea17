"""Camera registry: the map layer is scoped, silent cameras go offline, heartbeats bring them back."""

from __future__ import annotations

import asyncio
import os
import uuid
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safecity.cameras import service
from safecity.cameras.models import Camera, CameraAlert, CameraKind, CameraStatus
from safecity.cameras.mqtt import consume_heartbeats, handle_status_message, mqtt_client
from safecity.core.db import utcnow
from safecity.core.events import DeadLetter, OutboxEvent
from safecity.core.org import OrgKind, OrgUnit


def _code() -> str:
    return f"CAM-{uuid.uuid4().hex[:8]}"


def _camera_body(code: str, unit: str = "KOR-LND", **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "code": code,
        "name": "Landhi No. 6 junction",
        "kind": "anpr",
        "lon": 67.2,
        "lat": 24.85,
        "heading": 90,
        "zone": "Landhi",
        "org_unit": unit,
    }
    return body | extra


def _unit(session: Session) -> OrgUnit:
    unit = OrgUnit(code=f"U-{uuid.uuid4().hex[:8]}", name="Test district", kind=OrgKind.PROVINCE)
    session.add(unit)
    session.flush()
    return unit


def _camera(
    session: Session, *, registered_ago: timedelta, status: CameraStatus = CameraStatus.ONLINE
) -> Camera:
    camera = Camera(
        code=_code(),
        name="test",
        kind=CameraKind.FIXED,
        lon=67.1,
        lat=24.8,
        org_unit_id=_unit(session).id,
        status=status,
        heartbeat_interval_s=60,
        missed_heartbeats=3,
        created_at=utcnow() - registered_ago,
    )
    session.add(camera)
    session.flush()
    return camera


def _events(session: Session, event_type: str, camera_id: int) -> list[OutboxEvent]:
    rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == event_type))
    return [r for r in rows if r.payload.get("camera_id") == camera_id]


def test_the_map_layer_shows_registered_cameras_with_health_only_within_jurisdiction(
    client: TestClient,
    login,  # type: ignore[no-untyped-def]
) -> None:
    code = _code()
    created = client.post("/api/cameras", json=_camera_body(code), headers=login("sara"))
    assert created.status_code == 201, created.text
    camera = created.json()
    assert camera["status"] == "online" and camera["open_alerts"] == 0
    layer = client.get("/api/cameras", headers=login("alice")).json()
    assert code in {c["code"] for c in layer}
    assert code not in {c["code"] for c in client.get("/api/cameras", headers=login("eve")).json()}
    assert client.get(f"/api/cameras/{camera['id']}", headers=login("eve")).status_code == 404
    assert client.get(f"/api/cameras/{camera['id']}", headers=login("alice")).json()["code"] == code


def test_a_camera_outside_the_jurisdiction_is_refused_naming_the_field(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/cameras", json=_camera_body(_code(), lon=74.3), headers=login("sara"))
    assert response.status_code == 422
    assert response.json()["field"] == "lon"


def test_a_supervisor_cannot_register_a_camera_for_another_district(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/api/cameras", json=_camera_body(_code(), unit="STH-CLF"), headers=login("sara"))
    assert response.status_code == 422
    assert response.json()["field"] == "org_unit"


def test_a_camera_account_sends_heartbeats_with_its_api_key(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    camera = client.post("/api/cameras", json=_camera_body(_code()), headers=login("sara")).json()
    issued = client.post(f"/api/cameras/{camera['id']}/api-key", headers=login("dana"))
    assert issued.status_code == 201, issued.text
    key = {"X-API-Key": issued.json()["key"]}
    beat = client.post(f"/api/cameras/{camera['id']}/heartbeat", json={}, headers=key)
    assert beat.status_code == 200, beat.text
    assert beat.json()["last_heartbeat_at"] is not None
    assert client.post(f"/api/cameras/{camera['id']}/heartbeat", headers=login("alice")).status_code == 403


def test_a_silent_camera_goes_offline_once_and_a_heartbeat_brings_it_back(db_session: Session) -> None:
    camera = _camera(db_session, registered_ago=timedelta(hours=1))
    start = camera.created_at
    assert service.check_offline(db_session, now=start + timedelta(seconds=179)) == []
    assert camera.status is CameraStatus.ONLINE

    raised = service.check_offline(db_session, now=start + timedelta(seconds=181))
    assert [a.camera_id for a in raised] == [camera.id]
    assert camera.status is CameraStatus.OFFLINE
    assert len(_events(db_session, "camera.offline", camera.id)) == 1
    assert service.check_offline(db_session, now=start + timedelta(seconds=400)) == []

    service.record_heartbeat(db_session, ref=camera.id)
    assert camera.status is CameraStatus.ONLINE
    alert = db_session.scalar(select(CameraAlert).where(CameraAlert.camera_id == camera.id))
    assert alert is not None and alert.resolved_at is not None
    assert len(_events(db_session, "camera.online", camera.id)) == 1


def test_a_heartbeat_resets_the_offline_clock(db_session: Session) -> None:
    camera = _camera(db_session, registered_ago=timedelta(minutes=2))
    service.record_heartbeat(db_session, ref=camera.code)
    assert service.check_offline(db_session, now=utcnow() + timedelta(seconds=150)) == []
    assert len(service.check_offline(db_session, now=utcnow() + timedelta(seconds=200))) == 1


def test_cameras_in_maintenance_raise_no_offline_alert(db_session: Session) -> None:
    camera = _camera(db_session, registered_ago=timedelta(days=2), status=CameraStatus.MAINTENANCE)
    raised = service.check_offline(db_session, now=utcnow())
    assert camera.id not in {a.camera_id for a in raised}
    assert camera.status is CameraStatus.MAINTENANCE


def test_a_status_message_that_does_not_parse_is_dead_lettered(client: TestClient) -> None:
    sessions = client.app.state.sessionmaker
    topic = f"safecity/cameras/{_code()}/status"
    assert handle_status_message(sessions, topic, b"{not json") is None
    with sessions() as session:
        letter = session.scalar(select(DeadLetter).where(DeadLetter.source == f"mqtt:{topic}"))
    assert letter is not None and letter.raw == "{not json"


MQTT_URL = os.environ.get("SAFECITY_TEST_MQTT_URL")


async def _beat_over_mqtt(sessions: sessionmaker[Session], code: str) -> datetime | None:
    assert MQTT_URL is not None
    ready = asyncio.Event()
    consumer = asyncio.create_task(consume_heartbeats(sessions, url=MQTT_URL, shared_group=None, ready=ready))
    try:
        await asyncio.wait_for(ready.wait(), 10)
        async with mqtt_client(MQTT_URL) as publisher:
            await publisher.publish(f"safecity/cameras/{code}/status", b'{"uptime_s": 12}', qos=1)
        for _ in range(200):
            with sessions() as session:
                seen = session.scalar(select(Camera.last_heartbeat_at).where(Camera.code == code))
            if seen is not None:
                return seen
            await asyncio.sleep(0.05)
        return None
    finally:
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer


@pytest.mark.skipif(not MQTT_URL, reason="set SAFECITY_TEST_MQTT_URL to run against a real MQTT broker")
def test_a_heartbeat_over_mqtt_records_the_camera_as_alive(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    code = _code()
    assert client.post("/api/cameras", json=_camera_body(code), headers=login("sara")).status_code == 201
    seen = asyncio.run(_beat_over_mqtt(client.app.state.sessionmaker, code))
    assert seen is not None, "no heartbeat recorded within 10 s of publishing"
