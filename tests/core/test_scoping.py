"""Users see only their own jurisdiction; roles gate actions."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _codes(client: TestClient, headers: dict[str, str]) -> set[str]:
    return {u["code"] for u in client.get("/api/org/units", headers=headers).json()}


def test_a_district_dispatcher_sees_her_districts_stations_and_not_others(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    alice = _codes(client, login("alice"))
    assert {"KOR-LND", "KOR-IBH", "MLR-BQS"} <= alice
    assert "STH-CLF" not in alice and "SD" not in alice


def test_an_outsider_from_another_district_sees_none_of_korangi(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    eve = _codes(client, login("eve"))
    assert "STH-CLF" in eve
    assert not any(code.startswith("KOR") for code in eve)


def test_a_province_admin_sees_the_whole_tree(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    assert {"SD", "KOR-LND", "STH-CLF", "SD-SCA"} <= _codes(client, login("dana"))


def test_a_dispatcher_may_not_create_users(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    body = {"username": "mallory", "full_name": "M", "password": "long-enough-pass", "roles": ["admin"]}
    response = client.post("/api/users", json=body, headers=login("alice"))
    assert response.status_code == 403
    assert response.json()["error"] == "PermissionDenied"


def test_a_supervisor_lists_only_users_of_her_jurisdiction(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    names = {u["username"] for u in client.get("/api/users", headers=login("sara")).json()}
    assert {"alice", "bob", "faisal"} <= names
    assert "eve" not in names


def test_validation_errors_name_the_field(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    body = {
        "username": "Bad Name!",
        "full_name": "X",
        "password": "long-enough-pass",
        "roles": ["dispatcher"],
    }
    response = client.post("/api/users", json=body, headers=login("dana"))
    assert response.status_code == 422
    assert response.json()["error"] == "ValidationError"
    assert response.json()["field"] == "username"


def test_unknown_unit_codes_are_rejected_naming_the_field(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    body = {
        "username": "zed",
        "full_name": "Z",
        "password": "long-enough-pass",
        "roles": ["officer"],
        "units": ["NOPE"],
    }
    response = client.post("/api/users", json=body, headers=login("dana"))
    assert response.status_code == 422
    assert response.json()["field"] == "units"
    assert "NOPE" in response.json()["detail"]
