"""Seed the demo organisation and one login per role.

Passwords are predictable on purpose — this is a demo database that prints
them — and the banner on every page says the data is synthetic.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from safecity.accounts import service as accounts
from safecity.core.auth import Role, User
from safecity.core.org import OrgUnit, load_tree_file

__all__ = ["DEMO_ORG_FILE", "DEMO_USERS", "DemoLogin", "machine_user", "seed_demo"]

DEMO_ORG_FILE = Path(__file__).resolve().parent / "karachi_southeast.toml"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    roles: tuple[Role, ...]
    units: tuple[str, ...]
    machine: bool = False

    @property
    def password(self) -> str:
        return f"{self.username}-demo-2026"


DEMO_USERS: tuple[DemoLogin, ...] = (
    DemoLogin("dana", "Dana Shah (administrator)", (Role.ADMIN,), ("SD",)),
    DemoLogin("sara", "Sara Memon (shift supervisor)", (Role.SUPERVISOR,), ("KHI-KOR", "KHI-MLR")),
    DemoLogin("alice", "Alice Baloch (dispatcher)", (Role.DISPATCHER,), ("KHI-KOR", "KHI-MLR")),
    DemoLogin("omar", "Omar Siddiqui (call-taker)", (Role.OPERATOR,), ("KHI-KOR", "KHI-MLR")),
    DemoLogin("faisal", "Faisal Khan (patrol officer)", (Role.OFFICER,), ("KOR-LND",)),
    DemoLogin("bob", "Bob Qureshi (records officer)", (Role.RECORDS_OFFICER,), ("KHI-KOR",)),
    DemoLogin("ayesha", "Ayesha Raza (crime analyst)", (Role.ANALYST,), ("SD-KHI-E",)),
    DemoLogin("liaqat", "Liaqat Ali (liaison officer)", (Role.LIAISON_OFFICER,), ("SD",)),
    DemoLogin("tariq", "Tariq Jamali (traffic officer)", (Role.TRAFFIC_OFFICER,), ("KOR-TRF",)),
    DemoLogin("charlie", "Charlie Masih (citizen)", (Role.CITIZEN,), ()),
    DemoLogin("eve", "Eve Abbasi (dispatcher, District South)", (Role.DISPATCHER,), ("KHI-STH",)),
    DemoLogin("partner-tr", "Partner agency machine account (demo)", (Role.PARTNER,), ("SD",), machine=True),
)


def seed_demo(session: Session) -> dict[str, str | None]:
    """Load the organisation and create missing demo users; returns TOTP secrets by username."""
    load_tree_file(session, DEMO_ORG_FILE)
    secrets: dict[str, str | None] = {}
    for login in DEMO_USERS:
        existing = session.scalar(select(User).where(User.username == login.username))
        if existing is not None:
            secrets[login.username] = existing.totp_secret
            continue
        user, secret = accounts.create_user(
            session,
            username=login.username,
            full_name=login.full_name,
            password=None if login.machine else login.password,
            roles=login.roles,
            units=login.units,
            actor=None,
            is_machine=login.machine,
        )
        secrets[user.username] = secret
    return secrets


def machine_user(session: Session, username: str, full_name: str, roles: tuple[Role, ...]) -> User:
    """A province-wide machine account the demo acts as (created when missing), so the audit log
    says plainly which actions were synthetic."""
    found = session.scalar(select(User).where(User.username == username))
    if found is not None:
        return found
    user, _ = accounts.create_user(
        session,
        username=username,
        full_name=full_name,
        password=None,
        roles=roles,
        units=("SD",),
        actor=None,
        is_machine=True,
    )
    return user


def station_count(session: Session) -> int:
    return len(list(session.scalars(select(OrgUnit.id).where(OrgUnit.kind == "station"))))
