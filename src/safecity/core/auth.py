"""Users, roles, memberships, login attempts and machine API keys.

A user may act only within the organisation units they belong to (and the
units below them); `scope_ids` is what every domain query filters on.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from safecity.core.db import Base, utcnow
from safecity.core.org import descendant_ids

__all__ = [
    "TWO_FACTOR_ROLES",
    "ApiKey",
    "LoginAttempt",
    "Membership",
    "Role",
    "User",
    "scope_ids",
]


class Role(enum.StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    DISPATCHER = "dispatcher"
    OPERATOR = "operator"
    OFFICER = "officer"
    RECORDS_OFFICER = "records_officer"
    ANALYST = "analyst"
    LIAISON_OFFICER = "liaison_officer"
    TRAFFIC_OFFICER = "traffic_officer"
    CITIZEN = "citizen"
    PARTNER = "partner"
    CAMERA = "camera"


# Roles whose misuse does the most harm must prove a second factor.
TWO_FACTOR_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.LIAISON_OFFICER})


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_machine: Mapped[bool] = mapped_column(Boolean, default=False)
    locked_until: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    token_version: Mapped[int] = mapped_column(Integer, default=0)

    def has_role(self, *roles: Role) -> bool:
        return any(r.value in self.roles for r in roles)

    @property
    def primary_role(self) -> str:
        return self.roles[0] if self.roles else "none"

    @property
    def needs_two_factor(self) -> bool:
        return self.has_role(*TWO_FACTOR_ROLES)


class Membership(Base):
    """A user belongs to an organisation unit (district, station or agency)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), index=True)


class LoginAttempt(Base):
    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    success: Mapped[bool] = mapped_column(Boolean)
    reason: Mapped[str] = mapped_column(String(60), default="")
    client: Mapped[str | None] = mapped_column(String(100))


class ApiKey(Base):
    """A revocable key for a machine account (partner agency, camera).

    Only a SHA-256 of the key is stored: keys are 256-bit random, so a slow
    password hash would add latency to every camera message and no security.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


def scope_ids(session: Session, user: User) -> set[int]:
    """Organisation unit ids the user may see: their memberships and all units below."""
    roots = session.scalars(select(Membership.org_unit_id).where(Membership.user_id == user.id))
    return descendant_ids(session, roots)
