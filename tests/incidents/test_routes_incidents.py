"""Incidents over the API: jurisdiction, the audited life cycle, the notes log and response figures."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

_ROW_LAT = 24.852  # this file's row of spots, in Landhi police station's area (faisal's)


def _spot(i: int) -> dict[str, float]:
    return {"lon": round(67.196 + 0.002 * i, 5), "lat": _ROW_LAT}


def _open(client: TestClient, headers: dict[str, str], location: dict[str, float], **fields: Any) -> Any:
    return client.post(
        "/api/incidents", json={"type": "robbery", "location": location, **fields}, headers=headers
    )


def test_an_incident_outside_the_jurisdiction_is_refused_naming_the_location(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    response = _open(client, login("alice"), {"lon": 74.35, "lat": 31.52})  # Lahore, not Karachi
    assert response.status_code == 422
    assert (response.json()["error"], response.json()["field"]) == ("InvalidInput", "location")


def test_every_step_of_the_life_cycle_has_a_time_and_an_actor_and_notes_are_kept(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    alice, dana, faisal = login("alice"), login("dana"), login("faisal")
    unit = client.post(
        "/api/units",
        json={
            "call_sign": f"LC-{uuid.uuid4().hex[:8]}",
            "kind": "response_car",
            "agency": "police",
            "home_station": "KOR-LND",
            **_spot(1),
        },
        headers=dana,
    ).json()
    incident = _open(client, alice, _spot(1)).json()
    assert client.post(f"/api/incidents/{incident['id']}/notes", json={"text": "caller hiding in shop"},
                       headers=alice).status_code == 201  # fmt: skip
    sent = client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": [unit["id"]]}, headers=alice
    )
    assert sent.status_code == 201, sent.text
    for status in ("en_route", "on_scene"):
        reply = client.post(f"/api/units/{unit['id']}/status", json={"status": status}, headers=faisal)
        assert reply.status_code == 200, reply.text
    client.post(f"/api/incidents/{incident['id']}/notes", json={"text": "two arrested"}, headers=faisal)
    cleared = client.post(
        f"/api/incidents/{incident['id']}/status",
        json={"status": "cleared", "note": "scene handed over", "release_units": True},
        headers=faisal,
    )
    assert cleared.status_code == 200, cleared.text
    closed = client.post(f"/api/incidents/{incident['id']}/status", json={"status": "closed"}, headers=alice)
    assert closed.status_code == 200, closed.text

    detail = client.get(f"/api/incidents/{incident['id']}", headers=alice).json()
    steps = [(h["from_status"], h["to_status"], h["actor"]) for h in detail["history"]]
    assert steps == [
        (None, "new", "alice"),
        ("new", "dispatched", "alice"),
        ("dispatched", "en_route", "faisal"),
        ("en_route", "on_scene", "faisal"),
        ("on_scene", "cleared", "faisal"),
        ("cleared", "closed", "alice"),
    ]
    times = [datetime.fromisoformat(h["at"]) for h in detail["history"]]
    assert times == sorted(times) and all(t.tzinfo is not None for t in times)
    assert detail["history"][4]["note"] == "scene handed over"
    assert [(n["author"], n["text"]) for n in detail["notes"]] == [
        ("alice", "caller hiding in shop"),
        ("faisal", "two arrested"),
    ]
    figures = detail["response_times"]
    assert 0 <= figures["call_to_dispatch_s"] <= figures["call_to_scene_s"]
    assert figures["dispatch_to_scene_s"] == pytest.approx(
        figures["call_to_scene_s"] - figures["call_to_dispatch_s"], abs=1e-3
    )
    assert client.get(f"/api/units/{unit['id']}", headers=alice).json()["status"] == "returning"


def test_a_closed_incident_cannot_be_reopened_or_dispatched_to(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    alice = login("alice")
    incident = _open(client, alice, _spot(3)).json()
    cancelled = client.post(
        f"/api/incidents/{incident['id']}/status", json={"status": "cancelled"}, headers=alice
    )
    assert cancelled.status_code == 200
    again = client.post(f"/api/incidents/{incident['id']}/status", json={"status": "new"}, headers=alice)
    assert (again.status_code, again.json()["error"]) == (409, "InvalidTransition")
    unit = client.post(
        "/api/units",
        json={
            "call_sign": f"LC-{uuid.uuid4().hex[:8]}",
            "kind": "dolphin_pair",
            "agency": "police",
            "home_station": "KOR-LND",
            **_spot(3),
        },
        headers=login("dana"),
    ).json()
    sent = client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": [unit["id"]]}, headers=alice
    )
    assert (sent.status_code, sent.json()["error"]) == (409, "IncidentNotOpen")
    assert client.get(f"/api/units/{unit['id']}", headers=alice).json()["status"] == "available"
