"""Camera health as deployed: the app hears heartbeats on ``safecity/cameras/<id>/status``
from a real Mosquitto, its own periodic check raises an "offline" alert when a camera
misses its heartbeats, and the next heartbeat resolves it (SAFECITY_TEST_MQTT_URL)."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from fastapi.testclient import TestClient

from safecity.cameras.mqtt import mqtt_client


async def _beat_until(code: str, done: Callable[[], bool], timeout_s: float = 45.0) -> bool:
    """Publish a heartbeat every half second until ``done()`` (one sent before the app
    has subscribed would be lost)."""
    url = os.environ["SAFECITY_TEST_MQTT_URL"]
    deadline = time.monotonic() + timeout_s
    async with mqtt_client(url) as publisher:
        while time.monotonic() < deadline:
            await publisher.publish(f"safecity/cameras/{code}/status", b'{"uptime_s": 5}', qos=1)
            for _ in range(10):
                if done():
                    return True
                await asyncio.sleep(0.05)
    return False


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _wait_for(condition: Callable[[], bool], timeout_s: float = 45.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_silent_camera_raises_an_offline_alert_and_its_next_heartbeat_clears_it(
    mqtt_app_client: TestClient,
    login,  # type: ignore[no-untyped-def]
) -> None:
    client, sara = mqtt_app_client, login("sara")
    body = {
        "code": f"CAM-HB-{uuid.uuid4().hex[:6]}",
        "name": "Quaidabad flyover",
        "kind": "ptz",
        "lon": 67.226,
        "lat": 24.86,
        "org_unit": "MLR-QDB",
        "heartbeat_interval_s": 5,
        "missed_heartbeats": 1,
    }
    created = client.post("/api/cameras", json=body, headers=sara)
    assert created.status_code == 201, created.text
    camera_id = created.json()["id"]

    def camera() -> dict[str, Any]:
        found: dict[str, Any] = client.get(f"/api/cameras/{camera_id}", headers=sara).json()
        return found

    def alerts(open_only: bool) -> list[dict[str, Any]]:
        params = {"open_only": str(open_only).lower(), "limit": 1000}
        listed = client.get("/api/cameras/alerts", params=params, headers=sara).json()
        return [a for a in listed if a["camera_id"] == camera_id]

    heard = asyncio.run(_beat_until(body["code"], lambda: camera()["last_heartbeat_at"] is not None))
    assert heard, "no heartbeat recorded within 45 s of publishing"
    last_heard = _at(camera()["last_heartbeat_at"])

    def silent_alert() -> bool:
        return camera()["status"] == "offline" and any(_at(a["raised_at"]) > last_heard for a in alerts(True))

    assert _wait_for(silent_alert), "no offline alert 45 s after the camera fell silent"
    (alert,) = alerts(True)
    assert alert["kind"] == "offline" and alert["details"]["allowance_s"] == 5

    back = asyncio.run(_beat_until(body["code"], lambda: camera()["status"] == "online"))
    assert back, "a heartbeat did not bring the camera back online"
    (resolved,) = [a for a in alerts(False) if a["id"] == alert["id"]]
    assert resolved["resolved_at"] is not None and resolved["details"]["resolved_by"] == "heartbeat"
