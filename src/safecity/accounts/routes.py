"""HTTP API for login, users and API keys."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request

from safecity.accounts import schemas, service
from safecity.core import audit
from safecity.core.auth import Role, User
from safecity.core.http import CurrentUser, DbSession, get_settings, public, require
from safecity.core.security import authenticate, issue_token

router = APIRouter(prefix="/api", tags=["accounts"])

Admin = Annotated[User, Depends(require(Role.ADMIN))]
AdminOrSupervisor = Annotated[User, Depends(require(Role.ADMIN, Role.SUPERVISOR))]


@router.post("/auth/token", dependencies=[Depends(public("login"))])
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    otp: Annotated[str | None, Form(description="TOTP code, required for admin/supervisor/liaison")] = None,
) -> schemas.TokenOut:
    """OAuth2 password flow; failed attempts are kept even though the request fails."""
    settings = get_settings(request)
    client = request.client.host if request.client else None
    outcome = authenticate(
        session, username=username, password=password, otp=otp, settings=settings, client=client
    )
    if outcome.error is not None:
        session.commit()  # the failed attempt must survive the error response (lockout counting)
        raise outcome.error
    assert outcome.user is not None
    audit.record(
        session,
        actor=service.actor_of(outcome.user),
        action="auth.login",
        object_type="user",
        object_id=str(outcome.user.id),
        details={"client": client},
    )
    return schemas.TokenOut(
        access_token=issue_token(outcome.user, settings), expires_in=settings.token_ttl_minutes * 60
    )


@router.get("/auth/me")
def me(user: CurrentUser, session: DbSession) -> schemas.MeOut:
    base = schemas.UserOut.model_validate(user)
    return schemas.MeOut(**base.model_dump(), units=service.unit_codes(session, user))


@router.get("/users")
def list_users(user: AdminOrSupervisor, session: DbSession) -> list[schemas.UserOut]:
    return [schemas.UserOut.model_validate(u) for u in service.list_users(session, viewer=user)]


@router.post("/users", status_code=201)
def create_user(body: schemas.UserIn, user: Admin, session: DbSession) -> schemas.UserCreated:
    created, secret = service.create_user(
        session,
        username=body.username,
        full_name=body.full_name,
        password=body.password,
        roles=body.roles,
        units=body.units,
        actor=user,
        is_machine=body.is_machine,
        language=body.language,
    )
    return schemas.UserCreated(**schemas.UserOut.model_validate(created).model_dump(), totp_secret=secret)


@router.post("/users/{user_id}/unlock")
def unlock_user(user_id: int, user: Admin, session: DbSession) -> schemas.UserOut:
    return schemas.UserOut.model_validate(service.unlock_user(session, user_id=user_id, actor=user))


@router.post("/users/{user_id}/api-keys", status_code=201)
def create_api_key(
    user_id: int, body: schemas.ApiKeyIn, user: Admin, session: DbSession
) -> schemas.ApiKeyCreated:
    record, key = service.create_api_key(session, user_id=user_id, label=body.label, actor=user)
    return schemas.ApiKeyCreated(**schemas.ApiKeyOut.model_validate(record).model_dump(), key=key)


@router.delete("/api-keys/{key_id}")
def revoke_api_key(key_id: int, user: Admin, session: DbSession) -> schemas.ApiKeyOut:
    return schemas.ApiKeyOut.model_validate(service.revoke_key(session, key_id=key_id, actor=user))
