"""Request/response models for accounts."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from safecity.core.auth import Role


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=80, pattern=r"^[a-z0-9_.-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    password: str | None = Field(default=None, min_length=10, max_length=200)
    roles: list[Role] = Field(min_length=1)
    units: list[str] = Field(default_factory=list, description="codes of org units the user belongs to")
    is_machine: bool = False
    language: str = Field(default="en", pattern=r"^(en|ur)$")


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    full_name: str
    roles: list[str]
    is_active: bool
    is_machine: bool
    language: str
    locked_until: datetime | None


class UserCreated(UserOut):
    totp_secret: str | None = Field(
        default=None, description="shown once: enrol it in an authenticator app (required for this role)"
    )


class MeOut(UserOut):
    units: list[str]


class ApiKeyIn(BaseModel):
    label: str = Field(min_length=1, max_length=120)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    prefix: str
    label: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="shown once; store it in the machine's secret store")
