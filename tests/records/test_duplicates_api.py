"""The duplicate review queue over HTTP: scan, evidence, merge, unmerge, not-the-same, authorisation."""

from __future__ import annotations

import itertools
import random

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.records.conftest import make_cnic

from safecity.core.audit import AuditEntry

GIVEN = ["Imran", "Bilal", "Kashif", "Usman", "Zahid", "Adeel", "Faisal", "Hamza", "Junaid", "Waqas", "Yasir"]
SURNAMES = ["Butt", "Malik", "Qureshi", "Awan", "Bhatti", "Rana", "Gill", "Cheema", "Warraich", "Sandhu"]
FATHERS = ["Abdul Majeed", "Noor Ahmad", "Allah Ditta", "Bashir Ahmed", "Manzoor Hussain", "Sardar Ali"]

# Three people written twice, the way two registers write them.
TWINS = [
    (
        {
            "name_roman": "Muhammad Asif",
            "relative_name_roman": "Ghulam Rasool",
            "date_of_birth": "1984-03-02",
        },
        {"name_roman": "Mohd. Asif", "relative_name_roman": "Gulam Rasul", "date_of_birth": "1984-03-02"},
    ),
    (
        {"name_roman": "Tariq Chaudhry", "relative_name_roman": "Nazir Ahmad", "date_of_birth": "1979-11-20"},
        {
            "name_roman": "Tarek Chowdhury",
            "relative_name_roman": "Nazeer Ahmed",
            "date_of_birth": "1979-11-20",
        },
    ),
    (
        {
            "name_roman": "Naveed Akhtar",
            "relative_name_roman": "Akhtar Hussain",
            "date_of_birth": "1990-07-14",
        },
        {"name_roman": "Navid Akhter", "relative_name_roman": "Akhtar Husain", "date_of_birth": "1990-07-14"},
    ),
]


def _person(client: TestClient, headers: dict[str, str], **fields: object) -> int:
    body = {"unit": "KOR-LND", "gender": "M", "relation": "s/o", **fields}
    response = client.post("/api/persons", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


_ROUND = itertools.count()


def _register(client: TestClient, headers: dict[str, str]) -> list[tuple[int, int]]:
    """40 distinct persons and the three twins, born on a new day each call (the database outlives a test)."""
    day = next(_ROUND) + 1
    rng = random.Random(5)
    cnics = random.Random()  # the test database outlives one test: CNICs must not repeat
    for _ in range(40):
        _person(
            client,
            headers,
            name_roman=f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}",
            relative_name_roman=rng.choice(FATHERS),
            date_of_birth=f"{rng.randrange(1960, 2004)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 28):02d}",  # noqa: E501
            cnic=make_cnic(cnics),
        )
    twins = []
    for first, second in TWINS:
        born = f"{str(first['date_of_birth'])[:8]}{day:02d}"
        a = _person(client, headers, cnic=make_cnic(cnics), **{**first, "date_of_birth": born})
        b = _person(client, headers, unit="KOR-KRG", **{**second, "date_of_birth": born})
        twins.append((min(a, b), max(a, b)))
    return twins


def _queue(client: TestClient, headers: dict[str, str], status: str = "pending") -> list[dict[str, object]]:
    response = client.get("/api/records/duplicates", params={"status": status}, headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json())


def test_a_scan_proposes_the_same_person_from_two_registers_with_evidence(client, login) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    twins = _register(client, bob)
    scanned = client.post("/api/records/duplicates/scan", json={}, headers=bob)
    assert scanned.status_code == 200, scanned.text
    assert scanned.json()["auto_merged"] == 0
    queue = _queue(client, bob)
    pairs = {(c["person_a"]["id"], c["person_b"]["id"]) for c in queue}  # type: ignore[index]
    assert set(twins) <= pairs
    top = next(c for c in queue if (c["person_a"]["id"], c["person_b"]["id"]) == twins[0])  # type: ignore[index]
    fields = {e["field"]: e for e in top["evidence"]}  # type: ignore[union-attr]
    assert set(fields) == {"name", "father_name", "cnic", "date_of_birth", "birth_year", "district", "phone"}
    assert fields["name"]["agreement"] == "agree" and fields["name"]["weight"] > 0
    assert fields["cnic"]["agreement"] == "missing"
    assert 0.5 <= float(top["probability"]) <= 1.0  # type: ignore[arg-type]
    again = client.post("/api/records/duplicates/scan", json={}, headers=bob).json()
    assert again["proposed"] == 0  # a re-scan does not queue the same pair twice


def test_merge_is_reversible_and_every_step_is_audited(client, login) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    twins = _register(client, bob)
    client.post("/api/records/duplicates/scan", json={}, headers=bob)
    proposal = next(c for c in _queue(client, bob) if (c["person_a"]["id"], c["person_b"]["id"]) == twins[0])  # type: ignore[index]
    survivor = twins[0][0]
    merged = client.post(
        f"/api/records/duplicates/{proposal['id']}/decision",
        json={"decision": "merge", "reason": "same CNIC copy on the old register", "survivor_id": survivor},
        headers=bob,
    )
    assert merged.status_code == 200, merged.text
    assert merged.json()["status"] == "merged"
    assert merged.json()["person_b"]["merged_into_id"] == survivor
    again = client.post(
        f"/api/records/duplicates/{proposal['id']}/decision",
        json={"decision": "not_same", "reason": "changed my mind"},
        headers=bob,
    )
    assert again.status_code == 409
    restored = client.post(
        f"/api/records/duplicates/{proposal['id']}/unmerge",
        json={"reason": "different fathers' villages"},
        headers=bob,
    )
    assert restored.status_code == 200, restored.text
    assert restored.json()["status"] == "unmerged"
    assert restored.json()["person_a"]["merged_into_id"] is None
    assert restored.json()["person_b"]["merged_into_id"] is None
    with client.app.state.sessionmaker() as session:
        query = select(AuditEntry.object_id, AuditEntry.action).where(AuditEntry.personal_data.is_(True))
        actions = {
            action for object_id, action in session.execute(query) if object_id in (str(proposal["id"]), "*")
        }
    assert {"person.duplicates.scan", "person.duplicates.decide", "person.duplicates.unmerge"} <= actions


def test_not_the_same_person_needs_a_reason_and_leaves_both_records_live(client, login) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    twins = _register(client, bob)
    client.post("/api/records/duplicates/scan", json={}, headers=bob)
    proposal = next(c for c in _queue(client, bob) if (c["person_a"]["id"], c["person_b"]["id"]) == twins[1])  # type: ignore[index]
    url = f"/api/records/duplicates/{proposal['id']}/decision"
    assert client.post(url, json={"decision": "not_same", "reason": ""}, headers=bob).status_code == 422
    decided = client.post(
        url, json={"decision": "not_same", "reason": "brothers, born a year apart"}, headers=bob
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "not_same"
    assert decided.json()["person_b"]["merged_into_id"] is None
    assert proposal["id"] not in {c["id"] for c in _queue(client, bob)}
    unmerge = client.post(
        f"/api/records/duplicates/{proposal['id']}/unmerge", json={"reason": "oops"}, headers=bob
    )
    assert unmerge.status_code == 409


def test_nothing_auto_merges_below_the_configured_threshold(client, login) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    _register(client, bob)
    low = client.post("/api/records/duplicates/scan", json={"auto_merge_threshold": 0.5}, headers=bob)
    assert low.status_code == 422
    assert low.json()["error"] in {"InvalidInput", "RequestValidationError", "ValidationError"}
    scanned = client.post("/api/records/duplicates/scan", json={"auto_merge_threshold": 0.999}, headers=bob)
    assert scanned.status_code == 200, scanned.text
    merged = _queue(client, bob, status="auto_merged")
    assert len(merged) >= scanned.json()["auto_merged"]
    for proposal in merged:
        assert float(proposal["probability"]) >= 0.999  # type: ignore[arg-type]
        assert "automatic" in str(proposal["reason"])
    assert any(float(c["probability"]) < 0.999 for c in _queue(client, bob))  # type: ignore[arg-type]


def test_only_records_officers_supervisors_and_admins_see_the_queue(client, login) -> None:  # type: ignore[no-untyped-def]
    for name in ("alice", "charlie", "faisal", "ayesha"):
        assert client.get("/api/records/duplicates", headers=login(name)).status_code == 403
        assert client.post("/api/records/duplicates/scan", json={}, headers=login(name)).status_code == 403
    for name in ("bob", "sara", "dana"):
        assert client.get("/api/records/duplicates", headers=login(name)).status_code == 200
