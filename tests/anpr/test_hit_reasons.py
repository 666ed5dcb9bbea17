"""A hit says why its plate is listed, but only to those who may read the listing unit's entries."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from tests.anpr.test_routes import _camera_with_key, _plate, _read


def _hit_listed_by(client: TestClient, login: Any, org_unit: str, reason: str) -> dict[str, Any]:
    """A Korangi camera reads a plate that ``org_unit`` put on the stolen list."""
    client.put("/api/anpr/watchlists/stolen", json={"policy": "open_incident"}, headers=login("dana"))
    camera, key = _camera_with_key(client, login)
    plate = _plate()
    entry = {"plate": plate, "reason": reason, "org_unit": org_unit}
    listed = client.post("/api/anpr/watchlists/stolen/entries", json=entry, headers=login("dana"))
    assert listed.status_code == 201, listed.text
    posted = client.post("/api/anpr/reads", json={"reads": [_read(camera, plate)]}, headers=key)
    assert posted.status_code == 201, posted.text
    (hit,) = posted.json()["hits"]
    return dict(hit)


def _open_hit(client: TestClient, headers: dict[str, str], hit_id: int) -> dict[str, Any] | None:
    hits = client.get("/api/anpr/hits", params={"status": "open", "limit": 1000}, headers=headers).json()
    return next((h for h in hits if h["id"] == hit_id), None)


def test_an_open_hit_carries_the_reason_its_plate_was_listed(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    hit = _hit_listed_by(client, login, "KOR-LND", "stolen car, FIR 88/2026")
    listed = _open_hit(client, login("alice"), hit["id"])
    assert listed is not None and listed["reason"] == "stolen car, FIR 88/2026"
    one = client.get(f"/api/anpr/hits/{hit['id']}", headers=login("alice")).json()
    assert one["reason"] == "stolen car, FIR 88/2026"


def test_a_reason_listed_by_another_district_is_withheld_but_the_hit_is_not(
    client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    hit = _hit_listed_by(client, login, "STH-CLF", "Clifton case file 12/2026")
    korangi = _open_hit(client, login("alice"), hit["id"])
    assert korangi is not None and korangi["list_name"] == "stolen"
    assert korangi["reason"] is None
    assert client.get(f"/api/anpr/hits/{hit['id']}", headers=login("alice")).json()["reason"] is None
    province = _open_hit(client, login("dana"), hit["id"])
    assert province is not None and province["reason"] == "Clifton case file 12/2026"


def test_a_hit_leaves_the_open_list_once_an_officer_gives_a_verdict(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    hit = _hit_listed_by(client, login, "KOR-LND", "stolen motorcycle")
    assert _open_hit(client, login("alice"), hit["id"]) is not None
    verdict = {"verdict": "misread", "note": "command centre"}
    given = client.post(f"/api/anpr/hits/{hit['id']}/feedback", json=verdict, headers=login("alice"))
    assert given.status_code == 201, given.text
    assert _open_hit(client, login("alice"), hit["id"]) is None
    kept = client.get(f"/api/anpr/hits/{hit['id']}/feedback", headers=login("alice")).json()
    assert [(f["verdict"], f["note"]) for f in kept] == [("misread", "command centre")]


def test_a_citizen_is_refused_the_hits_the_command_map_shows(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    assert (
        client.get("/api/anpr/hits", params={"status": "open"}, headers=login("charlie")).status_code == 403
    )
    assert client.get("/api/cameras", headers=login("charlie")).status_code == 403
