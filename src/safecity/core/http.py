"""The HTTP edge shared by every router: one DB transaction per request,
who-may-call-this dependencies, request ids and error documents.

`require(...)` marks its dependency with ``__safecity_auth__`` so a test can
walk every route and prove each one declares who may call it.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from safecity.core.auth import Role, User
from safecity.core.config import Settings
from safecity.core.errors import AuthenticationFailed, PermissionDenied, SafeCityError
from safecity.core.request_context import bind_request_id, current_request_id, reset_request_id
from safecity.core.security import decode_token, resolve_api_key

__all__ = [
    "SESSION_COOKIE",
    "CurrentUser",
    "DbSession",
    "current_request_id",
    "get_settings",
    "install_edge",
    "public",
    "require",
]

SESSION_COOKIE = "safecity_session"


def _db_session(request: Request) -> Iterator[Session]:
    """Commit when the route returns (before the response is sent); roll back on any error."""
    session: Session = request.app.state.sessionmaker()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


DbSession = Annotated[Session, Depends(_db_session, scope="function")]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _credentials_user(request: Request, session: Session) -> User:
    settings = get_settings(request)
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return decode_token(session, header[7:].strip(), settings)
    api_key = request.headers.get("x-api-key")
    if api_key:
        return resolve_api_key(session, api_key)
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return decode_token(session, cookie, settings)
    raise AuthenticationFailed("not logged in")


def require(*roles: Role) -> Callable[..., User]:
    """Dependency: the caller must be logged in and hold one of ``roles`` (any role if none given)."""

    def dependency(request: Request, session: DbSession) -> User:
        user = _credentials_user(request, session)
        if roles and not user.has_role(*roles):
            names = ", ".join(r.value for r in roles)
            raise PermissionDenied(f"this action needs one of the roles: {names}")
        request.state.user = user
        return user

    dependency.__safecity_auth__ = tuple(roles)  # type: ignore[attr-defined]
    return dependency


def public(reason: str) -> Callable[[], None]:
    """Dependency that documents why a route needs no login (health, login, citizen pages)."""

    def dependency() -> None:
        return None

    dependency.__safecity_public__ = reason  # type: ignore[attr-defined]
    return dependency


CurrentUser = Annotated[User, Depends(require())]


def _field_of(loc: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header", "cookie")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def _wants_html(request: Request) -> bool:
    return not request.url.path.startswith("/api") and "text/html" in request.headers.get("accept", "")


async def _safecity_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, SafeCityError)
    if isinstance(exc, AuthenticationFailed) and _wants_html(request):
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    doc = exc.to_document()
    doc["request_id"] = current_request_id()
    return JSONResponse(doc, status_code=exc.status_code)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"field": _field_of(e.get("loc", ())), "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid request"}
    doc = {
        "error": "ValidationError",
        "detail": f"{first['field']}: {first['message']}",
        "field": first["field"],
        "errors": errors,
        "request_id": current_request_id(),
    }
    return JSONResponse(doc, status_code=422)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    name = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
    doc = {"error": name, "detail": str(exc.detail), "request_id": current_request_id()}
    return JSONResponse(doc, status_code=exc.status_code, headers=getattr(exc, "headers", None))


def install_edge(app: FastAPI) -> None:
    """Error documents and request ids for every route of ``app``."""
    app.add_exception_handler(SafeCityError, _safecity_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)

    @app.middleware("http")
    async def request_id_middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request.headers.get("x-request-id") or secrets.token_hex(8)
        token = bind_request_id(rid[:64])
        try:
            response = await call_next(request)
        finally:
            reset_request_id(token)
        response.headers["x-request-id"] = rid[:64]
        return response
