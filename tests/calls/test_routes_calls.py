"""Call intake over the API: location, jurisdiction, landmarks, duplicates, scoping, caller privacy."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# Each test uses its own spot (1 km apart, a row of Korangi) so duplicate detection never
# sees another test's incident in the shared API database.
_ROW_LAT = 24.805


def _spot(i: int) -> dict[str, float]:
    return {"lon": round(67.10 + 0.011 * i, 5), "lat": _ROW_LAT}


def _call(client: TestClient, headers: dict[str, str], **fields: Any) -> Any:
    body = {"caller_number": "0300 1234567", "language": "ur", "type": "robbery", "description": "x"}
    body.update(fields)
    return client.post("/api/calls", json=body, headers=headers)


def test_a_call_with_coordinates_opens_an_incident_with_human_references(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = _call(client, login("omar"), location=_spot(0), type="road_accident")
    assert response.status_code == 201, response.text
    doc = response.json()
    assert doc["call"]["reference"].startswith("CALL-20")
    assert doc["incident"]["reference"].startswith("INC-20")
    assert doc["incident"]["type"] == "road_accident"
    assert doc["incident"]["priority"] == "P2"
    assert doc["incident"]["status"] == "new"
    assert doc["call"]["incident_id"] == doc["incident"]["id"]
    assert doc["possible_duplicates"] == []


def test_a_call_outside_the_jurisdiction_is_refused_naming_the_location_field(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    response = _call(client, login("omar"), location={"lon": 74.35, "lat": 31.52})  # Lahore
    assert response.status_code == 422
    assert response.json()["field"] == "location"


def test_a_call_needs_some_location(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = _call(client, login("omar"))
    assert response.status_code == 422
    assert response.json()["field"] == "location"


def test_a_landmark_is_matched_to_a_known_place(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = _call(client, login("omar"), landmark="near sharafi goth", type="noise_nuisance")
    assert response.status_code == 201, response.text
    doc = response.json()
    assert doc["matched_place"]["name"] == "Sharafi Goth"
    assert (doc["call"]["lon"], doc["call"]["lat"]) == (67.207, 24.835)


def test_an_unknown_landmark_is_refused_rather_than_guessed(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    response = _call(client, login("omar"), landmark="the blue gate behind the mosque")
    assert response.status_code == 422
    assert response.json()["field"] == "landmark"


def test_a_second_call_near_an_open_incident_of_the_same_type_is_offered_as_a_duplicate(
    client: TestClient,
    login,  # type: ignore[no-untyped-def]
) -> None:
    omar = login("omar")
    first = _call(client, omar, location=_spot(2), type="fire").json()
    near = {"lon": _spot(2)["lon"] + 0.001, "lat": _ROW_LAT + 0.001}  # ~150 m away
    second = _call(client, omar, location=near, type="fire")
    assert second.status_code == 201
    doc = second.json()
    assert doc["incident"] is None
    assert [d["incident"]["id"] for d in doc["possible_duplicates"]] == [first["incident"]["id"]]
    assert 0 < doc["possible_duplicates"][0]["distance_m"] < 300

    linked = client.post(
        f"/api/calls/{doc['call']['id']}/link", json={"incident_id": first["incident"]["id"]}, headers=omar
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["incident_id"] == first["incident"]["id"]
    detail = client.get(f"/api/incidents/{first['incident']['id']}", headers=omar).json()
    assert set(detail["calls"]) == {first["call"]["reference"], doc["call"]["reference"]}
    again = client.post(
        f"/api/calls/{doc['call']['id']}/link", json={"incident_id": first["incident"]["id"]}, headers=omar
    )
    assert again.status_code == 409


def test_a_call_of_another_type_at_the_same_place_opens_its_own_incident(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    omar = login("omar")
    _call(client, omar, location=_spot(4), type="assault")
    other = _call(client, omar, location=_spot(4), type="medical_emergency").json()
    assert other["incident"] is not None
    assert other["possible_duplicates"] == []


def test_a_call_taker_may_open_a_new_incident_despite_possible_duplicates(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    omar = login("omar")
    _call(client, omar, location=_spot(6), type="street_crime")
    pending = _call(client, omar, location=_spot(6), type="street_crime").json()
    assert pending["incident"] is None
    opened = client.post(f"/api/calls/{pending['call']['id']}/incident", headers=omar)
    assert opened.status_code == 201
    assert opened.json()["type"] == "street_crime"


def test_calls_and_incidents_of_korangi_do_not_exist_for_a_dispatcher_of_district_south(
    client: TestClient,
    login,  # type: ignore[no-untyped-def]
) -> None:
    doc = _call(client, login("omar"), location=_spot(8), type="kidnapping").json()
    eve = login("eve")
    assert client.get(f"/api/calls/{doc['call']['id']}", headers=eve).status_code == 404
    assert client.get(f"/api/incidents/{doc['incident']['id']}", headers=eve).status_code == 404
    listed = client.get("/api/incidents", headers=eve).json()
    assert doc["incident"]["id"] not in {i["id"] for i in listed}


def test_the_caller_number_is_masked_unless_a_purpose_is_given_and_audited(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    omar = login("omar")
    doc = _call(
        client, omar, location=_spot(10), type="harassment_of_women", caller_number="03001234567"
    ).json()
    masked = client.get(f"/api/calls/{doc['call']['id']}", headers=omar).json()
    assert masked["caller_number"] != "03001234567"
    assert masked["caller_number"].endswith("67")
    full = client.get(f"/api/calls/{doc['call']['id']}", params={"purpose": "call back"}, headers=omar).json()
    assert full["caller_number"] == "03001234567"
    with client.app.state.sessionmaker() as session:
        from safecity.core import audit

        entries = [e for e in audit.latest(session, limit=50) if e.action == "call.read_caller_number"]
    assert any(e.object_id == str(doc["call"]["id"]) and e.purpose == "call back" for e in entries)
