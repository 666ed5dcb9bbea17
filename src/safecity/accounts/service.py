"""Account rules: who exists, what they may reach, and their machine keys."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.core import audit
from safecity.core.auth import ApiKey, Membership, Role, User, scope_ids
from safecity.core.errors import Conflict, InvalidInput, NotFound
from safecity.core.org import OrgUnit
from safecity.core.security import hash_password, issue_api_key, new_totp_secret, revoke_api_key

__all__ = [
    "actor_of",
    "create_api_key",
    "create_user",
    "get_user",
    "list_users",
    "revoke_key",
    "unit_codes",
    "unlock_user",
]


def actor_of(user: User | None) -> audit.Actor:
    if user is None:
        return audit.Actor(id=None, username="system", role="system")
    return audit.Actor(id=user.id, username=user.username, role=user.primary_role)


def _units_by_code(session: Session, codes: Sequence[str]) -> list[OrgUnit]:
    units = list(session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes))))
    missing = sorted(set(codes) - {u.code for u in units})
    if missing:
        raise InvalidInput(f"unknown organisation unit code(s): {', '.join(missing)}", field="units")
    return units


def create_user(
    session: Session,
    *,
    username: str,
    full_name: str,
    password: str | None,
    roles: Sequence[Role],
    units: Sequence[str],
    actor: User | None,
    is_machine: bool = False,
    language: str = "en",
) -> tuple[User, str | None]:
    """Create a user; returns the TOTP secret to enrol when the role needs two factors."""
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken", field="username")
    if not is_machine and password is None:
        raise InvalidInput("a person's account needs a password", field="password")
    if not roles:
        raise InvalidInput("at least one role is required", field="roles")
    org_units = _units_by_code(session, units)
    if actor is not None and not actor.has_role(Role.ADMIN):
        reach = scope_ids(session, actor)
        outside = [u.code for u in org_units if u.id not in reach]
        if outside:
            raise InvalidInput(f"outside your jurisdiction: {', '.join(outside)}", field="units")
    user = User(
        username=username,
        full_name=full_name,
        password_hash=hash_password(password) if password else None,
        roles=[r.value for r in roles],
        is_machine=is_machine,
        language=language,
    )
    secret = new_totp_secret() if user.needs_two_factor else None
    user.totp_secret = secret
    session.add(user)
    session.flush()
    for unit in org_units:
        session.add(Membership(user_id=user.id, org_unit_id=unit.id))
    session.flush()
    audit.record(
        session,
        actor=actor_of(actor),
        action="user.create",
        object_type="user",
        object_id=str(user.id),
        details={"username": username, "roles": user.roles, "units": list(units)},
    )
    return user, secret


def get_user(session: Session, *, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}", field="user_id")
    return user


def unit_codes(session: Session, user: User) -> list[str]:
    stmt = (
        select(OrgUnit.code)
        .join(Membership, Membership.org_unit_id == OrgUnit.id)
        .where(Membership.user_id == user.id)
        .order_by(OrgUnit.code)
    )
    return list(session.scalars(stmt))


def list_users(session: Session, *, viewer: User) -> list[User]:
    """Admins see everyone; supervisors see users who share their jurisdiction."""
    stmt = select(User).order_by(User.username)
    if not viewer.has_role(Role.ADMIN):
        reach = scope_ids(session, viewer)
        member_ids = select(Membership.user_id).where(Membership.org_unit_id.in_(reach))
        stmt = stmt.where(User.id.in_(member_ids))
    return list(session.scalars(stmt))


def unlock_user(session: Session, *, user_id: int, actor: User) -> User:
    user = get_user(session, user_id=user_id)
    user.locked_until = None
    session.flush()
    audit.record(
        session, actor=actor_of(actor), action="user.unlock", object_type="user", object_id=str(user_id)
    )
    return user


def create_api_key(session: Session, *, user_id: int, label: str, actor: User) -> tuple[ApiKey, str]:
    owner = get_user(session, user_id=user_id)
    if not owner.is_machine:
        raise InvalidInput("API keys are for machine accounts (partners, cameras)", field="user_id")
    record, key = issue_api_key(session, user=owner, label=label)
    audit.record(
        session,
        actor=actor_of(actor),
        action="api_key.create",
        object_type="api_key",
        object_id=str(record.id),
        details={"owner": owner.username, "label": label},
    )
    return record, key


def revoke_key(session: Session, *, key_id: int, actor: User) -> ApiKey:
    record = revoke_api_key(session, key_id=key_id)
    audit.record(
        session, actor=actor_of(actor), action="api_key.revoke", object_type="api_key", object_id=str(key_id)
    )
    return record
