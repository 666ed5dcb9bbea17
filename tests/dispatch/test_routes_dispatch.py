"""Dispatch over the API: recommend, send in one click, field reports, close; plans; refusals."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

_ROW_LAT = 24.825  # this file's row of spots (see tests/calls): duplicates must not cross tests


def _spot(i: int) -> dict[str, float]:
    return {"lon": round(67.10 + 0.011 * i, 5), "lat": _ROW_LAT}


def _unit(
    client: TestClient, headers: dict[str, str], spot: dict[str, float], **fields: Any
) -> dict[str, Any]:
    body = {"call_sign": f"R-{uuid.uuid4().hex[:8]}", "kind": "response_car", "agency": "police",
            "home_station": "KOR-KRG", **spot, **fields}  # fmt: skip
    response = client.post("/api/units", json=body, headers=headers)
    assert response.status_code == 201, response.text
    doc: dict[str, Any] = response.json()
    return doc


def _incident(
    client: TestClient, headers: dict[str, str], spot: dict[str, float], type_: str
) -> dict[str, Any]:
    body = {"caller_number": "03211234567", "language": "en", "type": type_, "location": spot}
    response = client.post("/api/calls", json=body, headers=headers)
    assert response.status_code == 201, response.text
    incident: dict[str, Any] = response.json()["incident"]
    return incident


def _status(client: TestClient, headers: dict[str, str], unit_id: int, status: str) -> None:
    response = client.post(f"/api/units/{unit_id}/status", json={"status": status}, headers=headers)
    assert response.status_code == 200, response.text


def test_call_to_close_through_recommend_and_one_click_dispatch(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    alice, dana = login("alice"), login("dana")
    spot = _spot(0)
    near = _unit(client, dana, {"lon": spot["lon"] + 0.0005, "lat": spot["lat"]}, kind="ambulance",
                 agency="rescue_1122", home_station="KOR-R1122")  # fmt: skip
    incident = _incident(client, alice, spot, "medical_emergency")

    rec = client.get(f"/api/incidents/{incident['id']}/recommendations", headers=alice)
    assert rec.status_code == 200, rec.text
    doc = rec.json()
    # The installation's road graph (the packaged demo city) is the one the map draws: ETAs use it.
    assert doc["eta_method"] == "road", doc["eta_note"]
    chosen = doc["items"][0]["units"][0]
    assert chosen["unit_id"] == near["id"]
    assert chosen["agency"] == "rescue_1122" and chosen["eta_s"] > 0 and 0 < chosen["distance_m"] < 100
    assert doc["unit_ids"] == [near["id"]]

    sent = client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": doc["unit_ids"]}, headers=alice
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()[0]["agency"] == "rescue_1122"
    assert client.get(f"/api/incidents/{incident['id']}", headers=alice).json()["status"] == "dispatched"
    for status in ("en_route", "on_scene"):
        _status(client, alice, near["id"], status)
    on_scene = client.get(f"/api/incidents/{incident['id']}", headers=alice).json()
    assert on_scene["status"] == "on_scene"
    assert (
        on_scene["response_times"]["call_to_scene_s"] >= on_scene["response_times"]["call_to_dispatch_s"] >= 0
    )

    cleared = client.post(
        f"/api/incidents/{incident['id']}/status", json={"status": "cleared"}, headers=alice
    )
    assert cleared.status_code == 200
    refused = client.post(f"/api/incidents/{incident['id']}/status", json={"status": "closed"}, headers=alice)
    assert refused.status_code == 409
    assert refused.json()["error"] == "UnitsStillOnScene"
    _status(client, alice, near["id"], "returning")
    closed = client.post(f"/api/incidents/{incident['id']}/status", json={"status": "closed"}, headers=alice)
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None
    history = client.get(f"/api/incidents/{incident['id']}", headers=alice).json()["history"]
    assert [h["to_status"] for h in history] == [
        "new",
        "dispatched",
        "en_route",
        "on_scene",
        "cleared",
        "closed",
    ]
    assert client.get(f"/api/units/{near['id']}", headers=alice).json()["status"] == "returning"


def test_sending_a_unit_that_is_already_busy_is_refused_with_unit_not_available(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    alice, dana = login("alice"), login("dana")
    unit = _unit(client, dana, _spot(2))
    first = _incident(client, alice, _spot(2), "robbery")
    second = _incident(client, alice, _spot(4), "robbery")
    ok = client.post(
        f"/api/incidents/{first['id']}/assignments", json={"unit_ids": [unit["id"]]}, headers=alice
    )
    assert ok.status_code == 201
    busy = client.post(
        f"/api/incidents/{second['id']}/assignments", json={"unit_ids": [unit["id"]]}, headers=alice
    )
    assert busy.status_code == 409
    assert busy.json()["error"] == "UnitNotAvailable"
    assert client.get(f"/api/incidents/{second['id']}", headers=alice).json()["status"] == "new"


def test_a_failed_one_click_dispatch_sends_none_of_the_units(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    alice, dana = login("alice"), login("dana")
    free, off = _unit(client, dana, _spot(6)), _unit(client, dana, _spot(6))
    _status(client, alice, off["id"], "off_duty")
    incident = _incident(client, alice, _spot(6), "riot")
    both = {"unit_ids": [free["id"], off["id"]]}
    assert (
        client.post(f"/api/incidents/{incident['id']}/assignments", json=both, headers=alice).status_code
        == 409
    )
    assert client.get(f"/api/units/{free['id']}", headers=alice).json()["status"] == "available"


def test_a_dispatcher_of_another_district_cannot_see_or_dispatch_to_korangi(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    alice, eve = login("alice"), login("eve")
    unit = _unit(client, login("dana"), _spot(8))
    incident = _incident(client, alice, _spot(8), "assault")
    assert client.get(f"/api/incidents/{incident['id']}/recommendations", headers=eve).status_code == 404
    body = {"unit_ids": [unit["id"]]}
    assert (
        client.post(f"/api/incidents/{incident['id']}/assignments", json=body, headers=eve).status_code == 404
    )


def test_supervisors_edit_response_plans_and_dispatchers_may_not(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    plan = {"items": [{"agency": "traffic_police", "unit_kinds": ["traffic_warden"], "count": 2}]}
    assert (
        client.put("/api/response-plans/traffic_obstruction", json=plan, headers=login("alice")).status_code
        == 403
    )
    saved = client.put("/api/response-plans/traffic_obstruction", json=plan, headers=login("sara"))
    assert saved.status_code == 200, saved.text
    assert saved.json()["source"] == "custom" and saved.json()["items"][0]["count"] == 2
    default = client.get("/api/response-plans/explosion", headers=login("alice")).json()
    assert default["source"] == "default"
    assert {i["agency"] for i in default["items"]} >= {
        "fire_brigade",
        "rescue_1122",
        "police",
        "traffic_police",
    }
    unknown = client.put("/api/response-plans/nope", json=plan, headers=login("sara"))
    assert unknown.status_code == 422


def test_response_times_are_reported_per_agency_against_the_target(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    alice = login("alice")
    unit = _unit(client, login("dana"), _spot(10), agency="traffic_police", kind="traffic_warden",
                 home_station="KOR-TRF")  # fmt: skip
    incident = _incident(client, alice, _spot(10), "traffic_obstruction")
    client.post(
        f"/api/incidents/{incident['id']}/assignments", json={"unit_ids": [unit["id"]]}, headers=alice
    )
    _status(client, alice, unit["id"], "on_scene")
    rows = {r["agency"]: r for r in client.get("/api/response-times", headers=alice).json()}
    traffic = rows["traffic_police"]
    assert traffic["target_s"] == 420 and traffic["incidents"] >= 1
    assert traffic["median_call_to_scene_s"] is not None and traffic["meets_target"] is not None
