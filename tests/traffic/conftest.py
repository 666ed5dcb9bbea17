"""Helpers for traffic tests: a red-light camera, a registered vehicle and a challan through the API."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import page, server  # noqa: F401  (browser fixtures for the page test)

SERIES = "ABCDEFGHJKMNPRSTVWXYZ"


def new_plate() -> str:
    n = uuid.uuid4().int
    return f"{SERIES[n % 21]}{SERIES[(n >> 8) % 21]}{SERIES[(n >> 16) % 21]}-{n % 9000 + 1000}"


def new_cnic() -> str:
    return f"42101-{uuid.uuid4().int % 9_000_000 + 1_000_000}-{uuid.uuid4().int % 10}"


def vehicle_csv(rows: list[dict[str, str]]) -> bytes:
    header = "Registration No,Owner Name,CNIC,Address,Make,Colour,Mobile\n"
    body = "".join(
        f'{r["plate"]},{r["owner"]},{r["cnic"]},"{r.get("address", "House 5, Korangi, Karachi")}",'
        f"{r.get('make', 'Suzuki Mehran')},{r.get('colour', 'White')},{r.get('mobile', '0300-1234567')}\n"
        for r in rows
    )
    return (header + body).encode()


class TrafficApi:
    """Drives the traffic API the way the people in a test would."""

    def __init__(self, client: TestClient, login: Callable[[str], dict[str, str]]) -> None:
        self.client, self.login = client, login
        self._camera: dict[str, Any] | None = None
        self._seconds = 0
        # A fixed origin: reports one second apart must stay distinct however slowly the test runs.
        self._origin = datetime.now(UTC) - timedelta(hours=1)

    def camera(self, kind: str = "red_light", **extra: Any) -> dict[str, Any]:
        body = {
            "code": f"TRF-{uuid.uuid4().hex[:8]}",
            "name": "Korangi Crossing",
            "kind": kind,
            "lon": 67.15,
            "lat": 24.83,
            "org_unit": "KOR-TRF",
        } | extra
        response = self.client.post("/api/cameras", json=body, headers=self.login("sara"))
        assert response.status_code == 201, response.text
        return dict(response.json())

    def register(self, plate: str, cnic: str, owner: str = "Nadeem Akhtar") -> None:
        files = {
            "file": ("excise.csv", io.BytesIO(vehicle_csv([{"plate": plate, "owner": owner, "cnic": cnic}])))
        }
        response = self.client.post("/api/traffic/vehicles/import", files=files, headers=self.login("tariq"))
        assert response.status_code == 200, response.text
        assert response.json()["rejects"] == []

    def red_light(self, plate: str) -> dict[str, Any]:
        if self._camera is None:
            self._camera = self.camera()
        self._seconds += 1
        at = self._origin - timedelta(seconds=self._seconds)
        body = {
            "kind": "red_light",
            "camera_id": self._camera["id"],
            "plate": plate,
            "at": at.isoformat(),
            "signal_phase": "red",
        }
        response = self.client.post("/api/traffic/violations/camera", json=body, headers=self.login("tariq"))
        assert response.status_code == 201, response.text
        return dict(response.json())

    def challan(self, plate: str) -> dict[str, Any]:
        violation = self.red_light(plate)
        response = self.client.post(
            f"/api/traffic/violations/{violation['id']}/verify", headers=self.login("tariq")
        )
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
def traffic(client: TestClient, login: Callable[[str], dict[str, str]]) -> TrafficApi:
    return TrafficApi(client, login)
