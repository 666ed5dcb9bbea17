"""Who may do what in command & control (shared by the calls, incidents, units and dispatch routes)."""

from __future__ import annotations

from safecity.core.auth import Role

__all__ = ["CALL_TAKERS", "COMMANDERS", "DISPATCHERS", "FIELD", "READERS"]

COMMANDERS = (Role.ADMIN, Role.SUPERVISOR)
DISPATCHERS = (*COMMANDERS, Role.DISPATCHER)
CALL_TAKERS = (*DISPATCHERS, Role.OPERATOR)
FIELD = (*DISPATCHERS, Role.OFFICER)
READERS = (*CALL_TAKERS, Role.OFFICER, Role.TRAFFIC_OFFICER, Role.ANALYST)
