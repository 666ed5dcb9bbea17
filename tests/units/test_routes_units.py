"""Units over the API: the fleet, status timers, position reports and tracks."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient


def _unit(client: TestClient, headers: dict[str, str], **fields: Any) -> dict[str, Any]:
    body = {
        "call_sign": f"T-{uuid.uuid4().hex[:8]}",
        "kind": "dolphin_pair",
        "agency": "police",
        "home_station": "KOR-LND",
        "skills": ["armed_response"],
        "lon": 67.2,
        "lat": 24.85,
    }
    body.update(fields)
    response = client.post("/api/units", json=body, headers=headers)
    assert response.status_code == 201, response.text
    doc: dict[str, Any] = response.json()
    return doc


def test_a_unit_reports_positions_one_at_a_time_or_in_a_batch(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(client, login("dana"))
    faisal = login("faisal")
    one = {"lon": 67.201, "lat": 24.851, "speed_kph": 32, "heading": 90, "at": "2026-11-23T08:00:00+00:00"}
    assert client.post(f"/api/units/{unit['id']}/positions", json=one, headers=faisal).status_code == 202
    batch = [
        {"lon": 67.203, "lat": 24.852, "speed_kph": 40, "heading": 80, "at": "2026-11-23T08:00:10+00:00"},
        {"lon": 67.205, "lat": 24.853, "speed_kph": 45, "heading": 85, "at": "2026-11-23T08:00:20+00:00"},
    ]
    accepted = client.post(f"/api/units/{unit['id']}/positions", json=batch, headers=faisal)
    assert accepted.json()["accepted"] == 2
    now = client.get(f"/api/units/{unit['id']}", headers=faisal).json()
    assert (now["lon"], now["lat"], now["speed_kph"]) == (67.205, 24.853, 45)
    track = client.get(f"/api/units/{unit['id']}/track", headers=faisal).json()
    assert [p["lon"] for p in track] == [67.201, 67.203, 67.205]


def test_a_late_fix_extends_the_track_but_does_not_move_the_unit_back(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(client, login("dana"))
    faisal = login("faisal")
    newer = {"lon": 67.21, "lat": 24.86, "at": "2026-11-23T09:00:00+00:00"}
    older = {"lon": 67.19, "lat": 24.84, "at": "2026-11-23T08:59:00+00:00"}
    client.post(f"/api/units/{unit['id']}/positions", json=newer, headers=faisal)
    client.post(f"/api/units/{unit['id']}/positions", json=older, headers=faisal)
    now = client.get(f"/api/units/{unit['id']}", headers=faisal).json()
    assert (now["lon"], now["lat"]) == (67.21, 24.86)
    assert len(client.get(f"/api/units/{unit['id']}/track", headers=faisal).json()) == 2


def test_a_position_that_is_not_a_coordinate_is_refused_naming_the_field(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(client, login("dana"))
    bad = {"lon": 67.2, "lat": 124.0, "at": "2026-11-23T09:00:00+00:00"}
    response = client.post(f"/api/units/{unit['id']}/positions", json=bad, headers=login("faisal"))
    assert response.status_code == 422
    assert "lat" in response.json()["field"]


def test_a_unit_goes_off_duty_and_its_status_timer_restarts(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(client, login("dana"))
    alice = login("alice")
    changed = client.post(
        f"/api/units/{unit['id']}/status", json={"status": "off_duty"}, headers=alice
    ).json()
    assert changed["status"] == "off_duty"
    assert changed["status_since"] > unit["status_since"]
    assert changed["status_seconds"] >= 0


def test_a_unit_cannot_be_set_to_dispatched_by_hand(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(client, login("dana"))
    response = client.post(
        f"/api/units/{unit['id']}/status", json={"status": "dispatched"}, headers=login("alice")
    )
    assert response.status_code == 409
    assert response.json()["error"] == "InvalidUnitTransition"


def test_units_of_korangi_do_not_exist_for_a_dispatcher_of_district_south(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(client, login("dana"))
    eve = login("eve")
    assert client.get(f"/api/units/{unit['id']}", headers=eve).status_code == 404
    assert unit["id"] not in {u["id"] for u in client.get("/api/units", headers=eve).json()}


def test_a_dispatcher_may_not_create_units(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    body = {"call_sign": "X-1", "kind": "ambulance", "agency": "rescue_1122", "home_station": "KOR-R1122"}
    assert client.post("/api/units", json=body, headers=login("alice")).status_code == 403


def test_a_unit_placed_outside_the_jurisdiction_is_refused_naming_the_coordinate(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    dana = login("dana")
    body = {"call_sign": f"T-{uuid.uuid4().hex[:8]}", "kind": "drone_team", "agency": "police",
            "home_station": "KOR-LND", "lon": 74.35, "lat": 24.85}  # fmt: skip  # Lahore's longitude
    response = client.post("/api/units", json=body, headers=dana)
    assert response.status_code == 422
    assert (response.json()["error"], response.json()["field"]) == ("InvalidInput", "lon")
    half = client.post("/api/units", json={**body, "lon": 67.2, "lat": None}, headers=dana)
    assert half.status_code == 422
    listed = client.get("/api/units", headers=dana).json()
    assert body["call_sign"] not in {u["call_sign"] for u in listed}


def test_positions_outside_the_jurisdiction_are_refused_and_none_of_the_batch_is_kept(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    unit = _unit(client, login("dana"))
    faisal = login("faisal")
    one = {"lon": 67.2, "lat": 31.55, "at": "2026-11-23T09:00:00+00:00"}
    response = client.post(f"/api/units/{unit['id']}/positions", json=one, headers=faisal)
    assert (response.status_code, response.json()["field"]) == (422, "lat")
    batch = [
        {"lon": 67.201, "lat": 24.851, "at": "2026-11-23T09:00:00+00:00"},
        {"lon": 66.1, "lat": 24.852, "at": "2026-11-23T09:00:10+00:00"},
    ]
    response = client.post(f"/api/units/{unit['id']}/positions", json=batch, headers=faisal)
    assert (response.status_code, response.json()["field"]) == (422, "positions[1].lon")
    assert client.get(f"/api/units/{unit['id']}/track", headers=faisal).json() == []
    now = client.get(f"/api/units/{unit['id']}", headers=faisal).json()
    assert (now["lon"], now["lat"]) == (67.2, 24.85)
