"""A stolen car read by a camera over MQTT ends as an incident on the command map.

The whole production path, nothing called directly: the app (started with
``mqtt_url``) consumes ``safecity/anpr/<camera id>`` from a real Mosquitto,
stores the read, matches the watchlist, records the hit with an ``anpr.hit``
outbox event; the relay hands it to the incidents subscriber, which opens an
incident at the camera; the incident is listed by ``GET /api/incidents``; an
officer confirms the hit and the verdict is kept.
Set ``SAFECITY_TEST_MQTT_URL=mqtt://127.0.0.1:1883`` to run it.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from safecity.app import create_app
from safecity.cameras.mqtt import mqtt_client
from safecity.core.config import Settings

MQTT_URL = os.environ.get("SAFECITY_TEST_MQTT_URL")
LANDHI = (67.199, 24.848)  # beside the Landhi police station, District Korangi

pytestmark = pytest.mark.skipif(not MQTT_URL, reason="set SAFECITY_TEST_MQTT_URL to run against Mosquitto")


@pytest.fixture
def mqtt_app_client(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app as deployed with camera feeds: its lifespan runs the MQTT consumers."""
    group = f"test-{uuid.uuid4().hex[:8]}"  # a private shared group: no other worker takes our messages
    monkeypatch.setenv("SAFECITY_ANPR_MQTT_GROUP", group)
    monkeypatch.setenv("SAFECITY_CAMERAS_MQTT_GROUP", group)
    app = create_app(settings.model_copy(update={"mqtt_url": MQTT_URL}))
    with TestClient(app) as client:
        yield client


def _plate() -> str:
    return f"LE{'ABCDEFGHJKMNPRSTVWXYZ'[uuid.uuid4().int % 21]}-{uuid.uuid4().int % 9000 + 1000}"


def _register_camera(client: TestClient, headers: dict[str, str]) -> dict[str, Any]:
    body = {
        "code": f"ANPR-LND-{uuid.uuid4().hex[:6]}",
        "name": "Landhi No. 6 chowrangi",
        "kind": "anpr",
        "lon": LANDHI[0],
        "lat": LANDHI[1],
        "org_unit": "KOR-LND",
    }
    response = client.post("/api/cameras", json=body, headers=headers)
    assert response.status_code == 201, response.text
    camera: dict[str, Any] = response.json()
    return camera


async def _publish_until(topic: str, body: dict[str, Any], done: Any, timeout_s: float = 45.0) -> bool:
    """Publish the same read every half second until ``done()``; repeats are idempotent by design,
    and a message sent before the app's consumer has subscribed would otherwise be lost."""
    assert MQTT_URL is not None
    deadline = time.monotonic() + timeout_s
    async with mqtt_client(MQTT_URL) as publisher:
        while time.monotonic() < deadline:
            await publisher.publish(topic, json.dumps(body).encode(), qos=1)
            for _ in range(10):
                if done():
                    return True
                await asyncio.sleep(0.05)
    return False


def _incidents_for(client: TestClient, headers: dict[str, str], plate: str) -> list[dict[str, Any]]:
    listed = client.get("/api/incidents", params={"open": "true", "limit": 1000}, headers=headers)
    assert listed.status_code == 200, listed.text
    return [i for i in listed.json() if plate in (i.get("description") or "")]


def test_a_stolen_car_read_over_mqtt_ends_as_an_incident_on_the_map(
    mqtt_app_client: TestClient,
    login,  # type: ignore[no-untyped-def]
) -> None:
    client = mqtt_app_client
    alice, faisal = login("alice"), login("faisal")
    stolen = client.put(
        "/api/anpr/watchlists/stolen", json={"policy": "open_incident"}, headers=login("dana")
    )
    assert stolen.status_code == 200, stolen.text
    camera = _register_camera(client, login("sara"))
    plate = _plate()
    entry = {"plate": plate, "reason": "stolen car, FIR 88/2026", "org_unit": "KOR-LND"}
    assert client.post("/api/anpr/watchlists/stolen/entries", json=entry, headers=alice).status_code == 201

    read = {
        "plate_text": plate.replace("-", " ").lower(),
        "confidence": 0.9,
        "at": datetime.now(UTC).isoformat(),
    }
    seen = asyncio.run(
        _publish_until(
            f"safecity/anpr/{camera['id']}", read, lambda: bool(_incidents_for(client, alice, plate))
        )
    )
    assert seen, "no incident within 45 s of publishing the read"

    (incident,) = _incidents_for(client, alice, plate)
    assert incident["type"] == "anpr_hit"
    assert (incident["lon"], incident["lat"]) == LANDHI
    hits = [h for h in client.get("/api/anpr/hits", headers=alice).json() if h["listed_plate"] == plate]
    assert len(hits) == 1, "a read published several times must hit once"
    (hit,) = hits
    assert (hit["camera_id"], hit["list_name"], hit["status"]) == (camera["id"], "stolen", "open")

    url = f"/api/anpr/hits/{hit['id']}/feedback"
    verdict = {"verdict": "confirmed", "note": "stopped at the picket; chassis number matches"}
    assert client.post(url, json=verdict, headers=faisal).status_code == 201
    assert client.get(f"/api/anpr/hits/{hit['id']}", headers=alice).json()["status"] == "confirmed"
    (kept,) = client.get(url, headers=alice).json()
    assert kept["verdict"] == "confirmed" and kept["note"].startswith("stopped at the picket")
