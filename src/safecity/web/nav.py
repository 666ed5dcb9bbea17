"""The role-aware menu: each entry says which roles see it."""

from __future__ import annotations

from dataclasses import dataclass

from safecity.core.auth import Role, User

__all__ = ["NavItem", "menu_for", "register"]


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str  # English msgid, translated in the template
    roles: frozenset[Role]
    order: int = 100


_ITEMS: list[NavItem] = [
    NavItem("/", "Home", frozenset(Role), order=0),
    NavItem("/org", "Organisation", frozenset(Role) - {Role.CITIZEN, Role.PARTNER, Role.CAMERA}, order=80),
    NavItem("/admin/users", "Users", frozenset({Role.ADMIN, Role.SUPERVISOR}), order=90),
    NavItem("/admin/audit", "Audit log", frozenset({Role.ADMIN, Role.SUPERVISOR}), order=95),
]


def register(item: NavItem) -> None:
    """Domains add their pages to the menu when their router is mounted."""
    if all(existing.path != item.path for existing in _ITEMS):
        _ITEMS.append(item)


def menu_for(user: User) -> list[NavItem]:
    return sorted((i for i in _ITEMS if user.has_role(*i.roles)), key=lambda i: (i.order, i.label))
