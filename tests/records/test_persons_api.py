"""Persons over HTTP: identity validation, purpose-bound audited reads, scoping, ranked search."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.records.conftest import make_cnic

from safecity.core.audit import AuditEntry


def _person(client: TestClient, headers: dict[str, str], **fields: object) -> dict[str, object]:
    body = {"unit": "KOR-LND", "gender": "M", **fields}
    response = client.post("/api/persons", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_records_officer_records_a_person_with_a_canonical_cnic(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    cnic = make_cnic(rng)
    person = _person(
        client,
        login("bob"),
        name_roman="Kashif Mehmood",
        cnic=cnic.replace("-", ""),
        phones=["+92 300 1112223"],
        relation="s/o",
        relative_name_roman="Mehmood Akhtar",
    )
    assert person["cnic"] == cnic
    assert person["phones"] == ["03001112223"]


def test_a_second_person_with_the_same_cnic_is_a_conflict(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    cnic = make_cnic(rng)
    _person(client, login("bob"), name_roman="Tariq Aziz", cnic=cnic)
    response = client.post(
        "/api/persons", json={"unit": "KOR-LND", "name_roman": "T. Aziz", "cnic": cnic}, headers=login("bob")
    )
    assert response.status_code == 409
    assert response.json()["field"] == "cnic"


def test_a_cnic_whose_parity_contradicts_the_gender_is_refused(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    body = {"unit": "KOR-LND", "name_roman": "Nadia", "gender": "F", "cnic": make_cnic(rng, male=True)}
    response = client.post("/api/persons", json=body, headers=login("bob"))
    assert response.status_code == 422
    assert response.json()["field"] == "cnic"


def test_reading_a_person_without_a_purpose_is_refused_naming_purpose(client, login) -> None:  # type: ignore[no-untyped-def]
    person = _person(client, login("bob"), name_roman="Purpose Less")
    response = client.get(f"/api/persons/{person['id']}", headers=login("bob"))
    assert response.status_code == 422
    assert response.json()["field"] == "purpose"
    search = client.get("/api/persons/search", params={"name": "Purpose"}, headers=login("bob"))
    assert search.status_code == 422
    assert search.json()["field"] == "purpose"


def test_a_read_with_a_purpose_is_audited_as_personal_data(client, login) -> None:  # type: ignore[no-untyped-def]
    person = _person(client, login("bob"), name_roman="Audited Reader")
    purpose = f"verification request {random.randrange(10**9)}"
    response = client.get(f"/api/persons/{person['id']}", params={"purpose": purpose}, headers=login("bob"))
    assert response.status_code == 200
    with client.app.state.sessionmaker() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.purpose == purpose))
    assert entry is not None
    assert entry.action == "person.read" and entry.personal_data and entry.object_id == str(person["id"])


def test_a_records_officer_of_another_district_gets_404_for_a_korangi_person(  # type: ignore[no-untyped-def]
    client, login, south_records_officer
) -> None:
    person = _person(client, login("bob"), name_roman="Korangi Only")
    response = client.get(
        f"/api/persons/{person['id']}", params={"purpose": "curiosity"}, headers=south_records_officer
    )
    assert response.status_code == 404
    search = client.get(
        "/api/persons/search",
        params={"name": "Korangi Only", "purpose": "check"},
        headers=south_records_officer,
    )
    assert person["id"] not in [hit["person_id"] for hit in search.json()["results"]]


def test_eve_a_dispatcher_may_not_read_persons_at_all(client, login) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/persons/1", params={"purpose": "x"}, headers=login("eve"))
    assert response.status_code == 403


def test_search_ranks_the_closest_spelling_first_and_explains_each_field(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    bob = login("bob")
    tag = "".join(rng.choice("bdfgkmnprst") + rng.choice("aeiou") for _ in range(3))  # a made-up surname
    cnic = make_cnic(rng)
    near = _person(
        client,
        bob,
        name_roman=f"Muhammad Asif {tag}",
        relation="s/o",
        relative_name_roman="Ghulam Rasool",
        cnic=cnic,
        phones=["03001234567"],
    )
    far = _person(
        client, bob, name_roman=f"Muhammad Arif {tag}", relation="s/o", relative_name_roman="Ghulam Nabi"
    )
    params = {
        "name": f"Mohd Asif {tag}",
        "father_name": "Ghulam Rasool",
        "cnic": cnic[:5],
        "district": "KHI-KOR",
        "purpose": "investigation of FIR 12/2026",
    }
    response = client.get("/api/persons/search", params=params, headers=bob)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    ids = [hit["person_id"] for hit in results]
    assert ids.index(near["id"]) < ids.index(far["id"])
    top = results[ids.index(near["id"])]
    fields = {line["field"]: line for line in top["explanation"]}
    assert set(fields) == {"name", "father_name", "cnic"}
    assert fields["cnic"]["score"] > 0 and fields["cnic"]["value"] == cnic
    weighted = sum(line["weight"] * line["score"] for line in top["explanation"])
    assert abs(weighted / sum(line["weight"] for line in top["explanation"]) - top["score"]) < 1e-3


def test_search_by_phone_alone_finds_the_person(client, login, rng) -> None:  # type: ignore[no-untyped-def]
    phone = "0333" + "".join(str(rng.randrange(10)) for _ in range(7))
    person = _person(client, login("bob"), name_roman="Phone Holder", phones=[phone])
    response = client.get(
        "/api/persons/search", params={"phone": phone, "purpose": "call trace"}, headers=login("bob")
    )
    hits = response.json()["results"]
    assert hits[0]["person_id"] == person["id"]
    assert hits[0]["explanation"][0] == {
        "field": "phone",
        "query": phone,
        "value": phone,
        "score": 1.0,
        "weight": 0.1,
        "method": "digit fragment (share of the number)",
    }


def test_every_search_is_audited_with_its_purpose(client, login) -> None:  # type: ignore[no-untyped-def]
    purpose = f"search audit {random.randrange(10**9)}"
    response = client.get(
        "/api/persons/search", params={"name": "Anyone", "purpose": purpose}, headers=login("bob")
    )
    assert response.status_code == 200
    with client.app.state.sessionmaker() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.purpose == purpose))
    assert entry is not None and entry.action == "person.search" and entry.personal_data
    assert entry.details["query"]["name"] == "Anyone"


def test_cnic_errors_say_what_is_wrong(client, login) -> None:  # type: ignore[no-untyped-def]
    cases = {
        "42101-123456-1": "13 digits",
        "92101-1234567-1": "province",
        "4210A-1234567-1": "only digits",
    }
    for cnic, reason in cases.items():
        body = {"unit": "KOR-LND", "name_roman": "Bad Card", "cnic": cnic}
        response = client.post("/api/persons", json=body, headers=login("bob"))
        assert response.status_code == 422, cnic
        assert response.json()["field"] == "cnic" and reason in response.json()["detail"], response.json()


def test_a_person_without_a_cnic_is_recorded_with_a_nicop_or_passport(client, login) -> None:  # type: ignore[no-untyped-def]
    number = f"ab{random.randrange(10**7):07d}"
    documents = [{"doc_type": "passport", "number": number, "country": "gbr"}]
    person = _person(client, login("bob"), name_roman="Overseas Visitor", gender="X", documents=documents)
    assert person["cnic"] is None and person["gender"] == "X"
    assert [(d["doc_type"], d["number"], d["country"]) for d in person["documents"]] == [
        ("passport", number.upper(), "GBR")
    ]
    again = client.post(
        "/api/persons",
        json={"unit": "KOR-LND", "name_roman": "Someone Else", "documents": documents},
        headers=login("bob"),
    )
    assert again.status_code == 409 and again.json()["field"] == "documents.0.number"
