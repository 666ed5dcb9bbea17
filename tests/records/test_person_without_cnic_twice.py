"""Recording the same CNIC-less person twice is a clear 409 naming the field, not a database error."""

from __future__ import annotations

import random

from fastapi.testclient import TestClient


def _post(client: TestClient, headers: dict[str, str], **fields: object) -> tuple[int, dict[str, object]]:
    body = {"unit": "KOR-LND", "gender": "M", **fields}
    response = client.post("/api/persons", json=body, headers=headers)
    return response.status_code, dict(response.json())


def test_the_same_person_without_a_cnic_twice_is_a_conflict_naming_the_name(client, login) -> None:  # type: ignore[no-untyped-def]
    name = f"Bashir Ahmed {random.randrange(10**6):06d}"
    person = {
        "name_roman": name,
        "relation": "s/o",
        "relative_name_roman": "Nazir Ahmed",
        "approximate_age": 41,
    }
    first, _ = _post(client, login("bob"), **person)
    assert first == 201
    status, body = _post(client, login("bob"), **person)
    assert status == 409, body
    assert body["field"] == "name_roman" and "already recorded" in str(body["detail"])


def test_a_namesake_with_another_father_is_a_different_person(client, login) -> None:  # type: ignore[no-untyped-def]
    name = f"Bashir Ahmed {random.randrange(10**6):06d}"
    first, _ = _post(client, login("bob"), name_roman=name, relative_name_roman="Nazir Ahmed")
    second, body = _post(client, login("bob"), name_roman=name, relative_name_roman="Zahoor Ahmed")
    assert (first, second) == (201, 201), body
