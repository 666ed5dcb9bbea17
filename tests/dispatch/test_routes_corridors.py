"""Emergency corridors over the API: dispatch on the real Karachi roads fills traffic officers' queues."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from safecity.roads import RoadGraph
from safecity.roads.service import DEMO_GRAPH

SCENE = {"lon": 67.1897647, "lat": 24.8460889}  # a road node in Landhi
BASE = {"lon": 67.1748197, "lat": 24.8379924}  # a road node by the Civil Defence yard, ~3 minutes away


@pytest.fixture
def with_roads(app: FastAPI) -> Iterator[RoadGraph]:
    graph = RoadGraph.from_file(DEMO_GRAPH)
    app.state.road_graph = graph
    try:
        yield graph
    finally:
        del app.state.road_graph


def _corridors(client: TestClient, headers: dict[str, str], incident_id: int, **params: Any) -> list[Any]:
    response = client.get("/api/corridors", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [c for c in response.json() if c["incident_id"] == incident_id]


def test_a_dispatch_queues_a_corridor_for_traffic_officers_near_its_junctions_until_arrival(
    client: TestClient,
    login,  # type: ignore[no-untyped-def]
    with_roads: RoadGraph,
) -> None:
    alice, tariq = login("alice"), login("tariq")
    body = {"call_sign": f"CD-{uuid.uuid4().hex[:6]}", "kind": "rescue_robot", "agency": "civil_defence",
            "home_station": "KOR-CD", **BASE}  # fmt: skip
    unit = client.post("/api/units", json=body, headers=login("dana")).json()
    incident = client.post(
        "/api/incidents", json={"type": "building_collapse", "location": SCENE}, headers=alice
    ).json()
    sent = client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": [unit["id"]]}, headers=alice
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()[0]["eta_method"] == "road"

    (queued,) = _corridors(client, tariq, incident["id"])
    assert queued["unit_id"] == unit["id"] and queued["acknowledged_by"] is None
    junctions = queued["junctions"]
    assert len(junctions) >= 3 and all(j["street_count"] >= 3 or j["class_change"] for j in junctions)
    assert [j["eta_s"] for j in junctions] == sorted(j["eta_s"] for j in junctions)
    assert 0 < junctions[-1]["eta_s"] <= queued["route_seconds"]
    middle = junctions[len(junctions) // 2]
    (near,) = _corridors(client, tariq, incident["id"], near=f"{middle['lon']},{middle['lat']}", radius_m=200)
    assert near["nearest_junction_m"] == pytest.approx(0, abs=1)
    assert _corridors(client, tariq, incident["id"], near="67.40,24.80", radius_m=500) == []  # far away
    warden = {"call_sign": f"TW-{uuid.uuid4().hex[:6]}", "kind": "traffic_warden", "agency": "traffic_police",
              "home_station": "KOR-TRF", "lon": middle["lon"] + 0.001, "lat": middle["lat"]}  # fmt: skip
    post = client.post("/api/units", json=warden, headers=login("dana")).json()
    (in_queue,) = _corridors(client, tariq, incident["id"], unit_id=post["id"], radius_m=300)
    assert in_queue["nearest_junction_m"] <= 110
    assert client.get("/api/corridors", headers=login("charlie")).status_code == 403
    assert _corridors(client, login("eve"), incident["id"]) == []  # another district's dispatcher

    taken = client.post(f"/api/corridors/{queued['id']}/acknowledge", headers=tariq)
    assert taken.status_code == 200, taken.text
    (seen,) = _corridors(client, alice, incident["id"])
    assert seen["acknowledged_by"] == "tariq"
    assert client.post("/api/corridors/999999999/acknowledge", headers=tariq).status_code == 404

    arrived = client.post(f"/api/units/{unit['id']}/status", json={"status": "on_scene"}, headers=alice)
    assert arrived.status_code == 200, arrived.text
    assert _corridors(client, tariq, incident["id"]) == []
