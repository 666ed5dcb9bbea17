"""Shared helpers for records tests: valid CNICs and a records officer outside Korangi."""

from __future__ import annotations

import random

import pytest


def make_cnic(rng: random.Random, *, male: bool = True, province: str = "4") -> str:
    """A CNIC that passes validation; the last digit's parity carries the gender."""
    body = province + "".join(str(rng.randrange(10)) for _ in range(11))
    last = rng.choice("13579" if male else "02468")
    digits = body + last
    return f"{digits[:5]}-{digits[5:12]}-{digits[12]}"


@pytest.fixture
def rng() -> random.Random:
    return random.Random()


@pytest.fixture
def south_records_officer(client, login) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A records officer of District South (eve's district): must not see Korangi's records."""
    body = {
        "username": "rita-south",
        "full_name": "Rita South (records officer)",
        "password": "rita-south-demo-2026",
        "roles": ["records_officer"],
        "units": ["KHI-STH"],
    }
    response = client.post("/api/users", json=body, headers=login("dana"))
    assert response.status_code in (201, 409), response.text
    token = client.post("/api/auth/token", data={"username": "rita-south", "password": body["password"]})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}
