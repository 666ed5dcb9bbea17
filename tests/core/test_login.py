"""Login, lockout, two-factor and API keys through the real HTTP API."""

from __future__ import annotations

import uuid

import pyotp
from fastapi.testclient import TestClient

from safecity.accounts import service as accounts
from safecity.core.auth import Role
from safecity.core.db import session_scope


def _new_user(client: TestClient, role: Role = Role.DISPATCHER, **kw: object) -> tuple[str, str, str | None]:
    name = f"u{uuid.uuid4().hex[:10]}"
    password = "correct-horse-battery"
    with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        _, secret = accounts.create_user(
            session,
            username=name,
            full_name="Test User",
            password=password,
            roles=[role],
            units=["KHI-KOR"],
            actor=None,
            **kw,  # type: ignore[arg-type]
        )
    return name, password, secret


def test_a_user_logs_in_with_the_password_form_and_gets_a_bearer_token(client: TestClient) -> None:
    name, password, _ = _new_user(client)
    response = client.post("/api/auth/token", data={"username": name, "password": password})
    assert response.status_code == 200
    token = response.json()["access_token"]
    me = client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["username"] == name
    assert me.json()["units"] == ["KHI-KOR"]


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client: TestClient) -> None:
    name, _, _ = _new_user(client)
    response = client.post("/api/auth/token", data={"username": name, "password": "wrong-password!"})
    assert response.status_code == 401
    assert response.json()["error"] == "AuthenticationFailed"
    unknown = client.post("/api/auth/token", data={"username": "nobody-here", "password": "wrong-password!"})
    assert unknown.json()["detail"] == response.json()["detail"]


def test_five_failed_logins_lock_the_account_and_it_says_so(client: TestClient) -> None:
    name, password, _ = _new_user(client)
    for _ in range(4):
        assert (
            client.post("/api/auth/token", data={"username": name, "password": "bad-password"}).status_code
            == 401
        )
    fifth = client.post("/api/auth/token", data={"username": name, "password": "bad-password"})
    assert fifth.status_code == 423
    assert fifth.json()["error"] == "AccountLocked"
    assert "locked" in fifth.json()["detail"]
    # Even the right password is refused while locked.
    right = client.post("/api/auth/token", data={"username": name, "password": password})
    assert right.status_code == 423


def test_four_failures_do_not_lock_the_account(client: TestClient) -> None:
    name, password, _ = _new_user(client)
    for _ in range(4):
        client.post("/api/auth/token", data={"username": name, "password": "bad-password"})
    assert client.post("/api/auth/token", data={"username": name, "password": password}).status_code == 200


def test_an_admin_unlocks_a_locked_account(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    name, password, _ = _new_user(client)
    for _ in range(5):
        client.post("/api/auth/token", data={"username": name, "password": "bad-password"})
    me = client.post("/api/auth/token", data={"username": name, "password": password})
    assert me.status_code == 423
    users = client.get("/api/users", headers=login("dana")).json()
    user_id = next(u["id"] for u in users if u["username"] == name)
    assert client.post(f"/api/users/{user_id}/unlock", headers=login("dana")).status_code == 200
    assert client.post("/api/auth/token", data={"username": name, "password": password}).status_code == 200


def test_supervisors_need_a_two_factor_code(client: TestClient) -> None:
    name, password, secret = _new_user(client, Role.SUPERVISOR)
    assert secret is not None
    without = client.post("/api/auth/token", data={"username": name, "password": password})
    assert without.status_code == 401
    assert without.json()["error"] == "TwoFactorRequired"
    assert without.json()["field"] == "otp"
    wrong = client.post("/api/auth/token", data={"username": name, "password": password, "otp": "000000"})
    assert wrong.status_code == 401
    good = pyotp.TOTP(secret).now()
    ok = client.post("/api/auth/token", data={"username": name, "password": password, "otp": good})
    assert ok.status_code == 200


def test_a_machine_account_uses_a_revocable_api_key(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    users = client.get("/api/users", headers=login("dana")).json()
    partner_id = next(u["id"] for u in users if u["username"] == "partner-tr")
    created = client.post(f"/api/users/{partner_id}/api-keys", json={"label": "test"}, headers=login("dana"))
    assert created.status_code == 201
    key = created.json()["key"]
    assert client.get("/api/auth/me", headers={"X-API-Key": key}).json()["username"] == "partner-tr"
    revoked = client.delete(f"/api/api-keys/{created.json()['id']}", headers=login("dana"))
    assert revoked.status_code == 200
    after = client.get("/api/auth/me", headers={"X-API-Key": key})
    assert after.status_code == 401
    assert "revoked" in after.json()["detail"]


def test_a_person_cannot_be_given_an_api_key(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    users = client.get("/api/users", headers=login("dana")).json()
    alice_id = next(u["id"] for u in users if u["username"] == "alice")
    response = client.post(f"/api/users/{alice_id}/api-keys", json={"label": "x"}, headers=login("dana"))
    assert response.status_code == 422
    assert response.json()["field"] == "user_id"


def test_an_audited_write_carries_the_request_id_it_was_made_under(client: TestClient, login) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from safecity.core.audit import AuditEntry

    users = client.get("/api/users", headers=login("dana")).json()
    partner_id = next(u["id"] for u in users if u["username"] == "partner-tr")
    rid = f"req-{uuid.uuid4().hex[:12]}"
    created = client.post(
        f"/api/users/{partner_id}/api-keys",
        json={"label": "request-id"},
        headers={**login("dana"), "X-Request-Id": rid},
    )
    assert created.status_code == 201
    assert created.headers["x-request-id"] == rid
    with session_scope(client.app.state.sessionmaker) as session:  # type: ignore[attr-defined]
        stamped = session.scalars(select(AuditEntry).where(AuditEntry.request_id == rid)).all()
    assert stamped, "the write was audited without the request id it was made under"
    assert all(entry.actor == "dana" for entry in stamped)
