"""FIRs over HTTP: numbering per station and year, references, scoping, follow-ups."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient


def _fir(client: TestClient, headers: dict[str, str], **fields: object):  # type: ignore[no-untyped-def]
    body = {
        "station": "KOR-LND",
        "registered_at": "2026-03-04T10:00:00+05:00",
        "sections": ["PPC 392"],
        **fields,
    }
    return client.post("/api/firs", json=body, headers=headers)


def _unused_year() -> int:
    return random.randrange(1950, 2020)


def test_an_fir_gets_a_human_reference_from_station_year_and_number(client, login) -> None:  # type: ignore[no-untyped-def]
    year = _unused_year()
    response = _fir(
        client,
        login("bob"),
        registered_at=f"{year}-06-01T09:00:00+05:00",
        number=45,
        incident_ref="INC-2026-000123",
        lon=67.2,
        lat=24.85,
    )
    assert response.status_code == 201, response.text
    assert response.json()["ref"] == f"FIR-KOR-LND-{year}-00045"
    assert response.json()["incident_ref"] == "INC-2026-000123"
    assert response.json()["status"] == "under_investigation"


def test_an_fir_number_is_unique_per_station_and_year(client, login) -> None:  # type: ignore[no-untyped-def]
    bob, year = login("bob"), _unused_year()
    first = _fir(client, bob, registered_at=f"{year}-01-10T09:00:00+05:00", number=7)
    assert first.status_code == 201, first.text
    again = _fir(client, bob, registered_at=f"{year}-11-10T09:00:00+05:00", number=7)
    assert again.status_code == 409
    assert again.json()["field"] == "number"
    other_station = _fir(
        client, bob, station="KOR-KRG", registered_at=f"{year}-01-10T09:00:00+05:00", number=7
    )
    next_year = _fir(client, bob, registered_at=f"{year + 1}-01-10T09:00:00+05:00", number=7)
    assert other_station.status_code == 201 and next_year.status_code == 201


def test_numbers_run_on_within_the_station_year_when_not_given(client, login) -> None:  # type: ignore[no-untyped-def]
    bob, year = login("bob"), _unused_year()
    _fir(client, bob, station="KOR-SFG", registered_at=f"{year}-02-01T09:00:00+05:00", number=99)
    nxt = _fir(client, bob, station="KOR-SFG", registered_at=f"{year}-02-02T09:00:00+05:00")
    assert nxt.json()["number"] == 100


def test_eve_from_district_south_gets_404_for_a_korangi_fir(client, login) -> None:  # type: ignore[no-untyped-def]
    created = _fir(client, login("bob"), registered_at=f"{_unused_year()}-05-05T09:00:00+05:00")
    assert created.status_code == 201
    assert client.get(f"/api/firs/{created.json()['id']}", headers=login("alice")).status_code == 200
    response = client.get(f"/api/firs/{created.json()['id']}", headers=login("eve"))
    assert response.status_code == 404
    assert created.json()["id"] not in [f["id"] for f in client.get("/api/firs", headers=login("eve")).json()]


def test_an_fir_outside_your_jurisdiction_cannot_be_registered(client, login) -> None:  # type: ignore[no-untyped-def]
    response = _fir(client, login("bob"), station="STH-CLF")
    assert response.status_code == 404
    assert response.json()["field"] == "station"


def test_a_case_runs_from_arrest_to_conviction_of_the_accused_only(client, login) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    accused = client.post("/api/persons", json={"unit": "KOR-LND", "name_roman": "Accused One"}, headers=bob)
    bystander = client.post(
        "/api/persons", json={"unit": "KOR-LND", "name_roman": "Not Accused"}, headers=bob
    )
    fir = _fir(
        client,
        bob,
        registered_at=f"{_unused_year()}-05-05T09:00:00+05:00",
        accused_person_ids=[accused.json()["id"]],
    ).json()
    arrest = client.post(
        f"/api/firs/{fir['id']}/arrests",
        headers=bob,
        json={"person_id": accused.json()["id"], "arrested_at": "2026-05-06T10:00:00Z"},
    )
    assert arrest.status_code == 201, arrest.text
    early = client.post(
        f"/api/firs/{fir['id']}/court-cases", json={"court": "ATC-1", "case_number": "1"}, headers=bob
    )
    assert early.status_code == 409
    client.post(f"/api/firs/{fir['id']}/status", json={"status": "challan_submitted"}, headers=bob)
    case = client.post(
        f"/api/firs/{fir['id']}/court-cases", json={"court": "ATC-1", "case_number": "1"}, headers=bob
    ).json()
    wrong = client.post(
        f"/api/court-cases/{case['id']}/outcome",
        headers=bob,
        json={
            "outcome": "convicted",
            "decided_on": "2026-09-01",
            "convicted_person_ids": [bystander.json()["id"]],
        },
    )
    assert wrong.status_code == 422
    done = client.post(
        f"/api/court-cases/{case['id']}/outcome",
        headers=bob,
        json={
            "outcome": "convicted",
            "decided_on": "2026-09-01",
            "convicted_person_ids": [accused.json()["id"]],
            "sentence": "7 years RI",
        },
    )
    assert done.status_code == 200, done.text
    assert done.json()[0]["sections"] == ["PPC 392"]


def test_a_stolen_vehicle_is_stored_with_its_canonical_plate(client, login) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    fir = _fir(client, bob, registered_at=f"{_unused_year()}-05-05T09:00:00+05:00").json()
    item = client.post(
        f"/api/firs/{fir['id']}/property",
        headers=bob,
        json={
            "kind": "vehicle",
            "status": "stolen",
            "description": "white Suzuki Mehran",
            "plate": "lea 1234",
        },
    )
    assert item.status_code == 201, item.text
    assert item.json()["plate"] == "LEA-1234"
    no_plate = client.post(
        f"/api/firs/{fir['id']}/property",
        headers=bob,
        json={"kind": "vehicle", "status": "stolen", "description": "car"},
    )
    assert no_plate.status_code == 422 and no_plate.json()["field"] == "plate"


def test_an_fir_is_linked_to_the_command_and_control_incident_it_arose_from(client, login) -> None:  # type: ignore[no-untyped-def]
    incident = client.post(
        "/api/incidents",
        json={"type": "robbery", "location": {"lon": 67.2101, "lat": 24.8533}},
        headers=login("alice"),
    )
    assert incident.status_code == 201, incident.text
    fir = client.post(
        "/api/firs",
        json={"station": "KOR-LND", "registered_at": "2026-03-01T09:00:00+05:00", "sections": ["PPC 392"]},
        headers=login("bob"),
    ).json()
    linked = client.post(
        f"/api/firs/{fir['id']}/incident", json={"incident_id": incident.json()["id"]}, headers=login("alice")
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["incident_ref"] == incident.json()["reference"]
    unseen = client.post(f"/api/firs/{fir['id']}/incident", json={"incident_id": 10**9}, headers=login("bob"))
    assert unseen.status_code == 404 and unseen.json()["field"] == "incident_id"
    outsider = client.post(
        f"/api/firs/{fir['id']}/incident", json={"incident_id": incident.json()["id"]}, headers=login("eve")
    )
    assert outsider.status_code == 404 and outsider.json()["field"] == "fir_id"
