"""Camera and manual violations: evidence is checked, repeats are idempotent, rejects issue nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.traffic.conftest import TrafficApi, new_plate

from safecity.traffic.violations import heading_difference


def _at(minutes: int = 60) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes)).isoformat()


def test_a_green_or_amber_signal_is_not_a_red_light_violation(traffic: TrafficApi, client, login) -> None:  # type: ignore[no-untyped-def]
    camera = traffic.camera()
    body = {
        "kind": "red_light",
        "camera_id": camera["id"],
        "plate": new_plate(),
        "at": _at(),
        "signal_phase": "amber",
    }
    response = client.post("/api/traffic/violations/camera", json=body, headers=login("tariq"))
    assert (response.status_code, response.json()["field"]) == (422, "signal_phase")


def test_a_repeated_camera_report_returns_the_same_violation(traffic: TrafficApi, client, login) -> None:  # type: ignore[no-untyped-def]
    camera = traffic.camera()
    body = {
        "kind": "red_light",
        "camera_id": camera["id"],
        "plate": new_plate(),
        "at": _at(),
        "signal_phase": "red",
    }
    first = client.post("/api/traffic/violations/camera", json=body, headers=login("tariq")).json()
    second = client.post("/api/traffic/violations/camera", json=body, headers=login("tariq")).json()
    assert first["reference"] == second["reference"] and first["evidence"]["signal_phase"] == "red"


def test_wrong_way_compares_the_vehicle_heading_with_the_lane(traffic: TrafficApi, client, login) -> None:  # type: ignore[no-untyped-def]
    camera = traffic.camera(kind="fixed", heading=90.0)
    body = {"kind": "wrong_way", "camera_id": camera["id"], "plate": new_plate(), "at": _at()}
    along = client.post(
        "/api/traffic/violations/camera", json=body | {"travel_heading": 100}, headers=login("tariq")
    )
    assert (along.status_code, along.json()["field"]) == (422, "travel_heading")
    against = client.post(
        "/api/traffic/violations/camera", json=body | {"travel_heading": 265}, headers=login("tariq")
    )
    assert against.status_code == 201 and against.json()["kind"] == "wrong_way"
    assert heading_difference(350, 10) == 20 and heading_difference(90, 270) == 180


def test_an_officer_books_a_rider_without_a_helmet_and_a_rejected_violation_issues_nothing(
    client, login
) -> None:  # type: ignore[no-untyped-def]
    body = {
        "kind": "no_helmet",
        "plate": new_plate(),
        "at": _at(),
        "lon": 67.15,
        "lat": 24.83,
        "org_unit": "KOR-TRF",
        "note": "pillion rider too",
    }
    booked = client.post("/api/traffic/violations/manual", json=body, headers=login("tariq"))
    assert booked.status_code == 201, booked.text
    assert (booked.json()["status"], booked.json()["reported_by"]) == ("pending", "tariq")
    outside = client.post(
        "/api/traffic/violations/manual", json=body | {"org_unit": "KHI-STH"}, headers=login("tariq")
    )
    assert (outside.status_code, outside.json()["field"]) == (422, "org_unit")
    vid = booked.json()["id"]
    rejected = client.post(
        f"/api/traffic/violations/{vid}/reject", json={"reason": "plate misread"}, headers=login("tariq")
    )
    assert rejected.json()["status"] == "rejected"
    verify = client.post(f"/api/traffic/violations/{vid}/verify", headers=login("tariq"))
    assert (verify.status_code, verify.json()["field"]) == (409, "status")
