"""Average-speed sections: ANPR trips give over-speed and wrong-way violations, and congestion."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tests.traffic.conftest import TrafficApi, new_plate

from safecity.traffic.sections import PlateSeen, average_speed_kph, pair_trips

T0 = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_average_speed_is_distance_over_time() -> None:
    assert average_speed_kph(1000.0, 30.0) == pytest.approx(120.0)
    assert average_speed_kph(2500.0, 180.0) == pytest.approx(50.0)


def test_each_exit_read_pairs_with_the_latest_earlier_entry_read_of_its_plate() -> None:
    entry = [
        PlateSeen(1, "LEA-1", T0),
        PlateSeen(2, "LEA-1", T0 + timedelta(seconds=50)),
        PlateSeen(3, "KHA-2", T0),
    ]
    exit_ = [
        PlateSeen(10, "LEA-1", T0 + timedelta(seconds=80)),
        PlateSeen(11, "KHA-2", T0 - timedelta(seconds=5)),
        PlateSeen(12, "KHA-2", T0 + timedelta(hours=2)),
    ]
    trips = pair_trips(entry, exit_, max_seconds=3600)
    assert [(t.first.read_id, t.second.read_id, t.seconds) for t in trips] == [(2, 10, 30.0)]


def _anpr_camera(traffic: TrafficApi, lon: float) -> tuple[dict[str, Any], dict[str, str]]:
    camera = traffic.camera(kind="anpr", lon=lon, lat=24.83)
    key = traffic.client.post(f"/api/cameras/{camera['id']}/api-key", headers=traffic.login("dana")).json()[
        "key"
    ]
    return camera, {"X-API-Key": key}


def _read(
    traffic: TrafficApi, camera: tuple[dict[str, Any], dict[str, str]], plate: str, at: datetime
) -> None:
    body = {
        "reads": [
            {"camera_id": camera[0]["id"], "plate_text": plate, "confidence": 0.9, "at": at.isoformat()}
        ]
    }
    response = traffic.client.post("/api/anpr/reads", json=body, headers=camera[1])
    assert response.status_code == 201, response.text


def _section(traffic: TrafficApi, one_way: bool = False) -> tuple[dict[str, Any], Any, Any]:
    entry, exit_ = _anpr_camera(traffic, 67.150), _anpr_camera(traffic, 67.159)
    body = {
        "code": f"SEC-{uuid.uuid4().hex[:6]}",
        "name": "Korangi Road eastbound",
        "entry_camera_id": entry[0]["id"],
        "exit_camera_id": exit_[0]["id"],
        "speed_limit_kph": 60,
        "distance_m": 1000,
        "one_way": one_way,
        "org_unit": "KOR-TRF",
    }
    response = traffic.client.post("/api/traffic/sections", json=body, headers=traffic.login("tariq"))
    assert response.status_code == 201, response.text
    return response.json(), entry, exit_


def test_a_section_scan_records_over_speeding_once_and_feeds_congestion(traffic: TrafficApi) -> None:
    section, entry, exit_ = _section(traffic)
    fast, slow = new_plate(), new_plate()
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    _read(traffic, entry, fast, t0)
    _read(traffic, exit_, fast, t0 + timedelta(seconds=30))
    _read(traffic, entry, slow, t0)
    _read(traffic, exit_, slow, t0 + timedelta(seconds=100))
    window = {"since": (t0 - timedelta(minutes=5)).isoformat(), "until": datetime.now(UTC).isoformat()}
    url, officer = f"/api/traffic/sections/{section['id']}/scan", traffic.login("tariq")
    scan = traffic.client.post(url, json=window, headers=officer).json()
    assert (scan["trips"], scan["new_samples"]) == (2, 2)
    (violation,) = scan["violations"]
    assert (violation["kind"], violation["plate"], violation["measured_kph"], violation["limit_kph"]) == (
        "over_speed",
        fast,
        120.0,
        60.0,
    )
    again = traffic.client.post(url, json=window, headers=officer).json()
    assert again["new_samples"] == 0 and [v["reference"] for v in again["violations"]] == [
        violation["reference"]
    ]

    geo = traffic.client.get("/api/traffic/congestion", params={"window_minutes": 60}, headers=officer).json()
    assert geo["type"] == "FeatureCollection"
    (feature,) = [f for f in geo["features"] if f["properties"]["code"] == section["code"]]
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["anpr_samples"] == 2
    assert feature["properties"]["mean_speed_kph"] == pytest.approx(78.0)
    assert feature["properties"]["level"] == "free"


def test_on_a_one_way_section_driving_from_exit_to_entry_is_wrong_way(traffic: TrafficApi) -> None:
    section, entry, exit_ = _section(traffic, one_way=True)
    plate = new_plate()
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    _read(traffic, exit_, plate, t0)
    _read(traffic, entry, plate, t0 + timedelta(seconds=90))
    window = {"since": (t0 - timedelta(minutes=1)).isoformat(), "until": datetime.now(UTC).isoformat()}
    scan = traffic.client.post(
        f"/api/traffic/sections/{section['id']}/scan", json=window, headers=traffic.login("tariq")
    ).json()
    assert scan["trips"] == 0
    assert [(v["kind"], v["plate"]) for v in scan["violations"]] == [("wrong_way", plate)]


def test_moving_units_on_a_section_count_towards_its_congestion(traffic: TrafficApi) -> None:
    section, _, _ = _section(traffic)
    dana = traffic.login("dana")
    unit = traffic.client.post(
        "/api/units",
        json={
            "call_sign": f"TW-{uuid.uuid4().hex[:6]}",
            "kind": "traffic_warden",
            "agency": "traffic_police",
            "home_station": "KOR-TRF",
        },
        headers=dana,
    )
    assert unit.status_code == 201, unit.text
    now = datetime.now(UTC)
    fixes = [
        {"lon": 67.1545, "lat": 24.8301, "speed_kph": 12.0, "at": (now - timedelta(minutes=3)).isoformat()},
        {"lon": 67.1550, "lat": 24.8300, "speed_kph": 0.0, "at": (now - timedelta(minutes=2)).isoformat()},
        {"lon": 67.1550, "lat": 24.8400, "speed_kph": 50.0, "at": (now - timedelta(minutes=1)).isoformat()},
    ]
    posted = traffic.client.post(f"/api/units/{unit.json()['id']}/positions", json=fixes, headers=dana)
    assert posted.status_code == 202, posted.text
    geo = traffic.client.get("/api/traffic/congestion", headers=traffic.login("tariq")).json()
    (feature,) = [f for f in geo["features"] if f["properties"]["code"] == section["code"]]
    props = feature["properties"]
    assert (props["unit_samples"], props["mean_speed_kph"], props["level"]) == (1, 12.0, "congested")
