"""ANPR over HTTP: camera keys post reads, searches need a purpose, hits are scoped and take feedback."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from safecity.core.audit import AuditEntry
from safecity.core.events import OutboxEvent


def _plate() -> str:
    return f"KH{'ABCDEFGHJKMNPRSTVWXYZ'[uuid.uuid4().int % 21]}-{uuid.uuid4().int % 9000 + 1000}"


def _camera_with_key(client: TestClient, login: Any) -> tuple[dict[str, Any], dict[str, str]]:
    body = {
        "code": f"ANPR-{uuid.uuid4().hex[:8]}",
        "name": "Korangi Causeway",
        "kind": "anpr",
        "lon": 67.15,
        "lat": 24.83,
        "org_unit": "KOR-LND",
    }
    camera = client.post("/api/cameras", json=body, headers=login("sara")).json()
    key = client.post(f"/api/cameras/{camera['id']}/api-key", headers=login("dana")).json()["key"]
    return camera, {"X-API-Key": key}


def _read(camera: dict[str, Any], text: str | None, seconds: int = 0, **extra: Any) -> dict[str, Any]:
    at = datetime(2026, 11, 21, 9, 0, tzinfo=UTC) + timedelta(seconds=seconds)
    return {"camera_id": camera["id"], "plate_text": text, "confidence": 0.8, "at": at.isoformat()} | extra


def _list_stolen(client: TestClient, login: Any, plate: str) -> None:
    entry = {"plate": plate, "reason": "stolen car, FIR 88/2026", "org_unit": "KOR-LND"}
    response = client.post("/api/anpr/watchlists/stolen/entries", json=entry, headers=login("alice"))
    assert response.status_code == 201, response.text


def _stolen_hit(client: TestClient, login: Any) -> tuple[dict[str, Any], str]:
    client.put("/api/anpr/watchlists/stolen", json={"policy": "open_incident"}, headers=login("dana"))
    camera, key = _camera_with_key(client, login)
    plate = _plate()
    _list_stolen(client, login, plate)
    posted = client.post("/api/anpr/reads", json={"reads": [_read(camera, plate)]}, headers=key)
    assert posted.status_code == 201, posted.text
    (hit,) = posted.json()["hits"]
    return hit, plate


def test_a_camera_posts_a_batch_and_malformed_text_is_kept_flagged(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    camera, key = _camera_with_key(client, login)
    reads = [_read(camera, "LEA 1234"), _read(camera, "?? ###", 1), _read(camera, "LEA 1234", 0)]
    response = client.post("/api/anpr/reads", json={"reads": reads}, headers=key)
    assert response.status_code == 201, response.text
    assert {k: response.json()[k] for k in ("received", "accepted", "duplicates", "flagged")} == {
        "received": 3,
        "accepted": 2,
        "duplicates": 1,
        "flagged": 1,
    }
    again = client.post("/api/anpr/reads", json={"reads": reads}, headers=key).json()
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    found = client.get(
        "/api/anpr/reads",
        params={"camera_id": camera["id"], "purpose": "data quality check of a new camera"},
        headers=login("alice"),
    ).json()
    assert sorted((r["raw_text"], r["invalid_plate"]) for r in found) == [
        ("?? ###", True),
        ("LEA 1234", False),
    ]


def test_an_undecodable_image_is_refused_naming_the_read_and_field(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    camera, key = _camera_with_key(client, login)
    reads = [_read(camera, f"LEA-{i}", i) for i in range(3)]
    reads.append(_read(camera, None, 9, image_b64=base64.b64encode(b"\x89PNG garbage").decode()))
    response = client.post("/api/anpr/reads", json={"reads": reads}, headers=key)
    assert response.status_code == 422
    assert response.json()["field"] == "reads[3].image_b64"


def test_an_oversized_image_is_refused_naming_the_read_and_field(
    client: TestClient,
    login,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAFECITY_ANPR_MAX_IMAGE_BYTES", "4096")
    camera, key = _camera_with_key(client, login)
    big = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(8000)).decode()
    reads = [_read(camera, "LEA-7", 0), _read(camera, None, 1, image_b64=big)]
    response = client.post("/api/anpr/reads", json={"reads": reads}, headers=key)
    assert response.status_code == 422
    assert response.json()["field"] == "reads[1].image_b64"
    assert "larger than 4096 bytes" in response.json()["detail"]


def test_a_batch_sent_twice_is_stored_once(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    camera, key = _camera_with_key(client, login)
    reads = [_read(camera, "LEA 4321", 0), _read(camera, "LEA-4321", 0), _read(camera, "LEA 4321", 1)]
    first = client.post("/api/anpr/reads", json={"reads": reads}, headers=key).json()
    again = client.post("/api/anpr/reads", json={"reads": reads}, headers=key).json()
    assert (first["accepted"], first["duplicates"]) == (2, 1)
    assert (again["accepted"], again["duplicates"]) == (0, 3)
    params = {"camera_id": camera["id"], "purpose": "checking duplicate handling"}
    stored = client.get("/api/anpr/reads", params=params, headers=login("alice")).json()
    assert [r["plate"] for r in stored] == ["LEA-4321", "LEA-4321"]


def test_a_dispatcher_cannot_post_reads(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    camera, _ = _camera_with_key(client, login)
    response = client.post(
        "/api/anpr/reads", json={"reads": [_read(camera, "LEA-1")]}, headers=login("alice")
    )
    assert response.status_code == 403


def test_a_search_of_reads_needs_a_purpose_and_is_audited_with_it(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    missing = client.get("/api/anpr/reads", params={"plate": "LEA-1234"}, headers=login("alice"))
    assert missing.status_code == 422
    assert missing.json()["field"] == "purpose"
    purpose = f"tracing a stolen vehicle {uuid.uuid4().hex[:6]}"
    ok = client.get(
        "/api/anpr/reads", params={"plate": "lea 1234", "purpose": purpose}, headers=login("alice")
    )
    assert ok.status_code == 200
    with client.app.state.sessionmaker() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.purpose == purpose))
    assert entry is not None and entry.personal_data and entry.action == "anpr.reads.search"
    assert entry.details["plate"] == "LEA-1234"


def test_a_stolen_car_read_makes_a_hit_with_an_anpr_hit_event(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    hit, plate = _stolen_hit(client, login)
    assert (hit["listed_plate"], hit["list_name"], hit["status"]) == (plate, "stolen", "open")
    with client.app.state.sessionmaker() as session:
        rows = session.scalars(select(OutboxEvent).where(OutboxEvent.type == "anpr.hit")).all()
    (event,) = [r for r in rows if r.payload["hit_id"] == hit["id"]]
    assert event.payload["plate"] == plate and event.payload["camera_id"] == hit["camera_id"]


def test_an_officer_marks_a_hit_a_misread_and_every_verdict_is_kept(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    hit, _ = _stolen_hit(client, login)
    url = f"/api/anpr/hits/{hit['id']}/feedback"
    first = client.post(
        url, json={"verdict": "misread", "note": "plate is LEB not LEA"}, headers=login("faisal")
    )
    assert first.status_code == 201, first.text
    client.post(url, json={"verdict": "confirmed", "note": "checked again"}, headers=login("alice"))
    assert client.get(f"/api/anpr/hits/{hit['id']}", headers=login("alice")).json()["status"] == "confirmed"
    history = client.get(url, headers=login("alice")).json()
    assert [f["verdict"] for f in history] == ["misread", "confirmed"]


def test_an_outsider_cannot_see_or_judge_hits_of_another_district(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    hit, plate = _stolen_hit(client, login)
    eve = login("eve")
    assert client.get(f"/api/anpr/hits/{hit['id']}", headers=eve).status_code == 404
    feedback = client.post(f"/api/anpr/hits/{hit['id']}/feedback", json={"verdict": "misread"}, headers=eve)
    assert feedback.status_code == 404
    assert hit["id"] not in {h["id"] for h in client.get("/api/anpr/hits", headers=eve).json()}
    reads = client.get("/api/anpr/reads", params={"plate": plate, "purpose": "curiosity check"}, headers=eve)
    assert reads.status_code == 200 and reads.json() == []


def test_an_invalid_plate_cannot_be_put_on_a_watchlist(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    client.put("/api/anpr/watchlists/stolen", json={"policy": "open_incident"}, headers=login("dana"))
    entry = {"plate": "###", "org_unit": "KOR-LND"}
    response = client.post("/api/anpr/watchlists/stolen/entries", json=entry, headers=login("alice"))
    assert response.status_code == 422
    assert response.json()["field"] == "plate"
