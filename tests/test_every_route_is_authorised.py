"""Every route must say who may call it: a role dependency, or an explicit public reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

# Routes that need no login, and why. Anything else without `require(...)` fails this test.
PUBLIC = {
    ("POST", "/api/auth/token"),
    ("GET", "/health"),
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/lang/{code}"),
    # Anyone shown a police verification certificate checks its QR code here: valid/revoked, name, date.
    ("GET", "/verify/{code}"),
}


def _calls(dependant: Dependant) -> Iterator[Any]:
    for dep in dependant.dependencies:
        if dep.call is not None:
            yield dep.call
        yield from _calls(dep)


def _guard(route: APIRoute) -> str | None:
    for call in _calls(route.dependant):
        if hasattr(call, "__safecity_auth__"):
            return "auth"
        if hasattr(call, "__safecity_public__"):
            return "public"
    return None


def test_every_route_declares_who_may_call_it(app: FastAPI) -> None:
    unguarded, undeclared_public = [], []
    for route in app.routes:
        if not isinstance(route, APIRoute):
            continue
        for method in route.methods:
            guard = _guard(route)
            if guard is None:
                unguarded.append(f"{method} {route.path}")
            elif guard == "public" and (method, route.path) not in PUBLIC:
                undeclared_public.append(f"{method} {route.path}")
    assert unguarded == [], f"routes without an authorisation dependency: {unguarded}"
    assert undeclared_public == [], f"public routes missing from the allow-list: {undeclared_public}"


def test_the_walker_would_catch_an_unguarded_route() -> None:
    probe = FastAPI()

    @probe.get("/oops")
    def oops() -> dict[str, str]:
        return {}

    route = next(r for r in probe.routes if isinstance(r, APIRoute))
    assert _guard(route) is None


def test_protected_api_routes_refuse_anonymous_callers(client) -> None:  # type: ignore[no-untyped-def]
    for path in ("/api/auth/me", "/api/users", "/api/org/units", "/api/audit/head"):
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"] == "AuthenticationFailed"
